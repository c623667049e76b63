"""The end of use as asset managers do it: lines retired in a batch from the asset list, and a disposal
partner's report (ITAD, refurbisher) applied all or nothing; the data wiping recorded and, where
missing, flagged.

Personas: Arne, asset manager at Rijkswaterstaat, who sends 300 laptops to a disposal partner; Pia,
procurer there (reads the register, changes nothing); Louise, asset manager at Ville de Lyon, whose
register holds keys like Arne's (an outsider to his register, and he to hers).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import acting_for, system_scope
from cfit.audit.models import AuditRecord
from cfit.fleet import actions, disposal
from cfit.fleet.models import Asset, AssetEvent, DisposalReport
from cfit.impact.disposal import guess_columns, read_report
from cfit.impact.problems import RegisterRefused
from cfit.impact.register import read_raw
from tests.conftest import PASSWORD, Persona, make_persona

pytestmark = pytest.mark.django_db

RWS = "rijkswaterstaat"
BOUGHT = date(2021, 3, 1)


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Any) -> None:
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def arne(db: Any) -> Persona:
    return make_persona("arne", RWS, Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER)


@pytest.fixture
def pia(arne: Persona) -> Persona:
    return make_persona("pia", RWS, Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.PROCURER)


@pytest.fixture
def louise(db: Any) -> Persona:
    return make_persona(
        "louise",
        "ville-de-lyon",
        Organisation.Type.PROCURING_PARTICIPANT,
        Membership.Role.ASSET_MANAGER,
        "FR",
    )


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def laptops(persona: Persona, count: int, prefix: str = "RWS", **fields: Any) -> list[Asset]:
    """``count`` laptop lines of the persona's organisation, keys ``{prefix}-1`` onwards."""
    values = {
        "product_group": "notebooks",
        "manufacturer": "Dell",
        "model": "Latitude 5420",
        "purchase_date": BOUGHT,
        "country": persona.organisation.country,
    } | fields
    with system_scope():
        return Asset.unscoped.bulk_create(
            Asset(organisation=persona.organisation, asset_key=f"{prefix}-{i}", **values)
            for i in range(1, count + 1)
        )


def state(organisation: Organisation) -> list[tuple[Any, ...]]:
    """Everything the end of use may change in a register: lines, events, audit records."""
    with system_scope():
        lines = list(
            Asset.unscoped.filter(organisation=organisation)
            .order_by("asset_key")
            .values_list(
                "asset_key",
                "status",
                "retired_date",
                "end_of_use_route",
                "sanitisation_method",
                "sanitisation_certificate",
            )
        )
        events = AssetEvent.objects.filter(asset__organisation=organisation).count()
        records = AuditRecord.objects.filter(organisation=organisation).count()
    return [*lines, ("events", events), ("audit", records)]


def record(asset: Asset, kind: str, on: date, note: str, *, acting_user: Any, **fields: str) -> None:
    """An event recorded by the action, as the user's page would."""
    with acting_for(acting_user):
        actions.record_event(asset, kind, on, note, acting_user=acting_user, **fields)


# -- retirement in a batch


def test_arne_retires_the_lines_he_ticked_in_one_go(arne: Persona) -> None:
    lines = laptops(arne, 5)
    client = signed_in(arne)
    ticked = {"line": [lines[0].pk, lines[2].pk, lines[4].pk]}

    page = client.get(f"/fleet/{RWS}/assets/retire/", ticked)
    response = client.post(
        f"/fleet/{RWS}/assets/retire/",
        {
            **ticked,
            "date": "2025-06-02",
            "end_of_use_route": "refurbished",
            "note": "Batch 12 to the refurbisher",
            "sanitisation_method": "nist_purge",
            "sanitisation_certificate": "CERT-12",
        },
    )

    assert "3 lines are retired" in page.content.decode()
    assert response.status_code == 302
    with system_scope():
        retired = Asset.unscoped.filter(organisation=arne.organisation, status="retired").order_by(
            "asset_key"
        )
        assert [a.asset_key for a in retired] == ["RWS-1", "RWS-3", "RWS-5"]
        assert {(a.end_of_use_route, a.sanitisation_method, a.sanitisation_certificate) for a in retired} == {
            ("refurbished", "nist_purge", "CERT-12")
        }
        assert AssetEvent.objects.filter(kind="retired", asset__in=retired).count() == 3
        assert (
            AuditRecord.objects.filter(
                organisation=arne.organisation, action=AuditRecord.Action.ASSET_EVENT_RECORDED
            ).count()
            == 3
        )


def test_all_lines_matching_the_filter_are_retired_and_no_other(arne: Persona) -> None:
    laptops(arne, 4)
    laptops(arne, 2, prefix="MON", product_group="monitors")
    client = signed_in(arne)

    listing = client.get(f"/fleet/{RWS}/assets/", {"product_group": "notebooks"}).content.decode()
    response = client.post(
        f"/fleet/{RWS}/assets/retire/",
        {"all": "1", "product_group": "notebooks", "date": "2025-06-02", "end_of_use_route": "recycled"},
    )

    assert "Retire all 4 lines matching this filter" in listing
    assert response.status_code == 302
    with system_scope():
        assert sorted(
            Asset.unscoped.filter(organisation=arne.organisation, status="retired").values_list(
                "asset_key", flat=True
            )
        ) == ["RWS-1", "RWS-2", "RWS-3", "RWS-4"]


def test_a_batch_with_lines_that_cannot_be_retired_is_refused_whole_naming_each(arne: Persona) -> None:
    lines = laptops(arne, 4)
    with system_scope():
        Asset.unscoped.filter(pk=lines[1].pk).update(status="retired", retired_date=date(2024, 1, 5))
        Asset.unscoped.filter(pk=lines[3].pk).update(purchase_date=date(2025, 7, 1))
    before = state(arne.organisation)
    client = signed_in(arne)

    response = client.post(
        f"/fleet/{RWS}/assets/retire/",
        {"line": [a.pk for a in lines], "date": "2025-06-02", "end_of_use_route": "reuse"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was retired" in page
    assert "RWS-2: This line was retired on" in page
    assert "RWS-4: before the purchase date" in page
    assert "RWS-1:" not in page
    assert state(arne.organisation) == before


def test_a_batch_dated_in_the_future_changes_nothing(arne: Persona) -> None:
    lines = laptops(arne, 2)
    before = state(arne.organisation)

    with pytest.raises(actions.BatchRefused) as refused:
        actions.retire_assets(
            Asset.unscoped.filter(pk__in=[a.pk for a in lines]),
            timezone.localdate() + timedelta(days=1),
            "reuse",
            "",
            acting_user=arne.user,
        )

    assert [key for key, _ in refused.value.refusals] == ["RWS-1", "RWS-2"]
    assert state(arne.organisation) == before


def test_a_procurer_reads_the_list_but_retires_nothing(pia: Persona) -> None:
    lines = laptops(pia, 1)
    client = signed_in(pia)

    listing = client.get(f"/fleet/{RWS}/assets/").content.decode()
    response = client.post(
        f"/fleet/{RWS}/assets/retire/",
        {"line": [lines[0].pk], "date": "2025-06-02", "end_of_use_route": "reuse"},
    )

    assert "Retire the lines ticked" not in listing
    assert response.status_code == 403


def test_an_outsider_s_ids_in_a_batch_retire_nothing_of_hers_nor_his(arne: Persona, louise: Persona) -> None:
    his = laptops(arne, 2)
    before = state(arne.organisation)
    client = signed_in(louise)

    page = client.get("/fleet/ville-de-lyon/assets/retire/", {"line": [a.pk for a in his]})
    response = client.post(
        "/fleet/ville-de-lyon/assets/retire/",
        {"line": [a.pk for a in his], "date": "2025-06-02", "end_of_use_route": "reuse"},
    )
    foreign = client.post(
        f"/fleet/{RWS}/assets/retire/",
        {"line": [a.pk for a in his], "date": "2025-06-02", "end_of_use_route": "reuse"},
    )

    assert "0 lines" in page.content.decode() and "RWS-1" not in page.content.decode()
    assert response.status_code == 200 and "Choose the lines to retire." in response.content.decode()
    assert foreign.status_code == 404
    assert state(arne.organisation) == before


# -- a disposal partner's report

REPORT = """Asset Tag,Date Received,Sanitization Method,Certificate Number,Final Destination
RWS-1,2025-06-10,NIST SP 800-88 Purge,C-0001,Resold
RWS-2,10/06/2025,NIST SP 800-88 Purge,C-0002,Refurbished
RWS-3,2025-06-10,NIST 800-88 Destroy,C-0003,Recycled (WEEE)
RWS-4,2025-06-11,IEEE 2883 Purge,C-0004,Resold
XX-999,2025-06-11,NIST SP 800-88 Clear,C-0005,Resold
"""


def send_report(client: Client, text: str, name: str = "itad-june.csv") -> Any:
    return client.post(f"/fleet/{RWS}/disposal/", {"file": SimpleUploadedFile(name, text.encode("utf-8"))})


def through_the_steps(client: Client, text: str, name: str = "itad-june.csv") -> DisposalReport:
    """Upload, keep the guessed columns and the words as read: the report waits at its preview."""
    response = send_report(client, text, name)
    assert response.status_code == 302, response.content.decode()[:3000]
    report_id = int(response["Location"].rstrip("/").split("/")[-1])
    address = f"/fleet/{RWS}/disposal/{report_id}/"
    with system_scope():
        report = DisposalReport.unscoped.get(pk=report_id)
    fields = {f"column_{i}": report.mapping.get(h, "") for i, h in enumerate(report.headers)}
    assert client.post(address, {"step": "columns", **fields}).status_code == 302
    words = client.get(address).context["words"]
    chosen = {name: field.initial for name, field in words.fields.items()}
    assert client.post(address, {"step": "words", **chosen}).status_code == 302
    with system_scope():
        return DisposalReport.unscoped.get(pk=report_id)


def test_a_partners_report_retires_each_line_by_its_destination_with_its_wiping(arne: Persona) -> None:
    laptops(arne, 5)
    with system_scope():
        Asset.unscoped.filter(asset_key="RWS-4").update(
            status="retired", retired_date=date(2025, 6, 1), end_of_use_route="reuse"
        )
    client = signed_in(arne)

    report = through_the_steps(client, REPORT)
    preview = client.get(f"/fleet/{RWS}/disposal/{report.pk}/").content.decode()
    applied = client.post(f"/fleet/{RWS}/disposal/{report.pk}/", {"step": "confirm"})
    again = client.post(f"/fleet/{RWS}/disposal/{report.pk}/", {"step": "confirm"})

    assert "3 lines will be retired" in preview
    assert "Sold or donated for reuse: 1" in preview and "Recycled: 1" in preview
    assert "XX-999" in preview  # the unknown key, as the file writes it
    assert "RWS-4" in preview.split('id="preview-retired"')[1]
    assert applied.status_code == 302
    assert 'id="report-done"' in again.content.decode()  # a second click applies nothing more
    with system_scope():
        lines = {a.asset_key: a for a in Asset.unscoped.filter(organisation=arne.organisation)}
        assert AssetEvent.objects.filter(asset__organisation=arne.organisation, kind="retired").count() == 3
        assert AssetEvent.objects.filter(asset__organisation=arne.organisation, kind="sanitised").count() == 1
        report.refresh_from_db()
    assert (lines["RWS-1"].status, lines["RWS-1"].retired_date, lines["RWS-1"].end_of_use_route) == (
        "retired",
        date(2025, 6, 10),
        "reuse",
    )
    assert (lines["RWS-2"].end_of_use_route, lines["RWS-2"].sanitisation_method) == (
        "refurbished",
        "nist_purge",
    )
    assert (lines["RWS-3"].end_of_use_route, lines["RWS-3"].sanitisation_method) == (
        "recycled",
        "nist_destroy",
    )
    # retired already: its date and route stay, the report's wiping is added
    assert (lines["RWS-4"].retired_date, lines["RWS-4"].sanitisation_method) == (
        date(2025, 6, 1),
        "ieee_purge",
    )
    assert lines["RWS-5"].status == "in_use"
    assert (report.state, report.retired_lines, report.wiped_lines, report.stored_file) == ("done", 3, 1, "")
    asset_page = client.get(f"/fleet/{RWS}/assets/{lines['RWS-2'].pk}/").content.decode()
    assert "NIST SP 800-88 Purge" in asset_page and "C-0002" in asset_page


def test_a_destination_word_corrected_once_is_read_so_the_next_time(arne: Persona) -> None:
    laptops(arne, 2)
    client = signed_in(arne)
    text = "Serial Number,Received,Outcome\nRWS-1,2025-06-10,Harvested for parts\n"
    response = send_report(client, text)
    address = response["Location"]
    with system_scope():
        report = DisposalReport.unscoped.get(pk=int(address.rstrip("/").split("/")[-1]))
    fields = {f"column_{i}": report.mapping.get(h, "") for i, h in enumerate(report.headers)}
    client.post(address, {"step": "columns", **fields})
    words = client.get(address).context["words"]
    (name,) = words.fields

    client.post(address, {"step": "words", name: "recycled"})
    client.post(address, {"step": "confirm"})
    second = through_the_steps(
        client, "Serial Number,Received,Outcome\nRWS-2,2025-06-11,harvested for parts\n"
    )

    assert report.mapping == {
        "Serial Number": "asset_key",
        "Received": "retired_date",
        "Outcome": "end_of_use_route",
    }
    assert client.get(f"/fleet/{RWS}/disposal/{second.pk}/").context["plan"].by_route == [("recycled", 1)]


def test_a_bad_report_names_file_row_and_column_in_the_users_language(arne: Persona) -> None:
    laptops(arne, 3)
    client = signed_in(arne)
    bad = REPORT.replace("10/06/2025", "tenth of June").replace("Recycled (WEEE)", "to the moon")
    report = through_the_steps(client, REPORT)
    with system_scope():
        path = report.stored_file
    with open(path, "w", encoding="utf-8") as changed:
        changed.write(bad)
    client.cookies["django_language"] = "de"

    page = client.get(f"/fleet/{RWS}/disposal/{report.pk}/").content.decode()

    with translation.override("de"):
        not_a_date = translation.gettext("not a date: write it as one of %(formats)s").split(":")[0]
    assert "itad-june.csv: Date Received:" in page and not_a_date in page
    assert "Final Destination:" in page and "(4)" in page and "(3)" in page
    assert 'id="confirm-form"' not in page


def test_a_hostile_report_is_refused_before_anything_is_kept(arne: Persona) -> None:
    client = signed_in(arne)

    response = send_report(client, "not,a,zip", name="report.xlsx")

    assert response.status_code == 200
    assert "The file was refused; nothing was stored." in response.content.decode()
    with system_scope():
        assert not DisposalReport.unscoped.exists()


def test_another_organisations_keys_in_a_report_are_unknown_never_retired_never_revealed(
    arne: Persona, louise: Persona
) -> None:
    laptops(arne, 1)
    laptops(louise, 2, prefix="LYO", model="ZZSECRET ThinkPad")
    hers = state(louise.organisation)
    client = signed_in(arne)
    text = "Asset Tag,Date Received,Final Destination\nRWS-1,2025-06-10,Resold\nLYO-1,2025-06-10,Resold\n"

    report = through_the_steps(client, text)
    preview = client.get(f"/fleet/{RWS}/disposal/{report.pk}/").content.decode()
    client.post(f"/fleet/{RWS}/disposal/{report.pk}/", {"step": "confirm"})

    unknown = preview.split('id="preview-unknown"')[1].split("</ul>")[0]
    assert "LYO-1" in unknown and "ZZSECRET" not in preview
    assert "1 line will be retired" in preview
    assert state(louise.organisation) == hers
    # nor can Louise open Arne's report, by its number or under her own organisation
    lyon = signed_in(louise)
    assert lyon.get(f"/fleet/{RWS}/disposal/{report.pk}/").status_code == 404
    assert lyon.get(f"/fleet/ville-de-lyon/disposal/{report.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ("Asset Tag;Date Received;Sanitization Method;Certificate Number;Final Destination", "en"),
        ("Inventarisnummer;Ontvangstdatum;Wismethode;Certificaatnummer;Eindbestemming", "nl"),
        (
            "Numéro de série;Date de réception;Méthode d'effacement;Numéro de certificat;Destination finale",
            "fr",
        ),
        ("Seriennummer;Eingangsdatum;Löschmethode;Zertifikatsnummer;Endverbleib", "de"),
        ("Eiendelsnummer;Mottaksdato;Slettemetode;Sertifikatnummer;Endelig destinasjon", "nb"),
    ],
)
def test_a_reports_headers_are_guessed_in_five_languages(headers: str, language: str) -> None:
    raw = read_raw(f"{headers}\nRWS-1;2025-06-10;Purge;C-1;Resold\n".encode(), "report.csv")

    mapping = guess_columns(raw.headers)

    assert sorted(mapping.values()) == sorted(
        ["asset_key", "retired_date", "sanitisation_method", "sanitisation_certificate", "end_of_use_route"]
    ), language


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("NIST SP 800-88 Clear", "nist_clear"),
        ("NIST 800-88 Purge", "nist_purge"),
        ("Shredded", "nist_destroy"),
        ("IEEE 2883 Destruct", "ieee_destruct"),
        ("Cryptographic erase", "nist_purge"),
        ("DoD 5220.22-M", "other"),
    ],
)
def test_sanitisation_methods_are_read_as_their_codes(word: str, code: str) -> None:
    raw = read_raw(
        f"Asset Tag,Date Received,Final Destination,Method\nK,2025-06-10,Resold,{word}\n".encode(), "r.csv"
    )
    mapping = {
        "Asset Tag": "asset_key",
        "Date Received": "retired_date",
        "Final Destination": "end_of_use_route",
        "Method": "sanitisation_method",
    }

    (line,) = read_report(raw, mapping, today=date(2026, 1, 1))

    assert (line.method, line.route) == (code, "reuse")


# all or nothing, whatever the report holds

GOOD_ROW = st.tuples(
    st.integers(1, 12),
    st.dates(date(2022, 1, 1), date(2025, 12, 31)),
    st.sampled_from(["Resold", "Refurbished", "Recycled (WEEE)", "Destroyed"]),
    st.sampled_from(["", "NIST SP 800-88 Purge", "IEEE 2883 Clear"]),
)
BAD_CELL = st.sampled_from(
    ["date:31/31/2025", "date:", "future", "destination:to the moon", "method:bleach", "key:"]
)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(GOOD_ROW, min_size=1, max_size=8, unique_by=lambda r: r[0]),
    bad=st.one_of(st.none(), st.tuples(st.integers(0, 7), BAD_CELL)),
)
def test_a_report_is_applied_whole_or_not_at_all(arne: Persona, rows: list[Any], bad: Any) -> None:
    with transaction.atomic():
        laptops(arne, 12)
        before = state(arne.organisation)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["Asset Tag", "Date Received", "Final Destination", "Sanitization Method"])
        written = [[f"RWS-{k}", on.isoformat(), where, method] for k, on, where, method in rows]
        if bad is not None:
            at, cell = bad
            row = written[at % len(written)]
            what, _, value = cell.partition(":")
            if what == "future":
                row[1] = (timezone.localdate() + timedelta(days=3)).isoformat()
            else:
                row[{"key": 0, "date": 1, "destination": 2, "method": 3}[what]] = value
        writer.writerows(written)
        with system_scope():
            report = disposal.receive_report(
                arne.organisation, out.getvalue().encode(), "r.csv", acting_user=arne.user
            )
            disposal.choose_report_columns(report, dict(report.mapping))
            disposal.choose_report_words(report, {})

            if bad is None:
                disposal.apply_disposal_report(report, acting_user=arne.user)
                assert Asset.unscoped.filter(organisation=arne.organisation, status="retired").count() == len(
                    rows
                )
            else:
                with pytest.raises(RegisterRefused):
                    disposal.apply_disposal_report(report, acting_user=arne.user)
                assert state(arne.organisation) == before
                report.refresh_from_db()
                assert report.state == "preview"
        transaction.set_rollback(True)


# -- the data wiping, recorded and flagged


def test_lines_sold_or_refurbished_without_wiping_records_are_flagged_on_the_dashboard(arne: Persona) -> None:
    lines = laptops(arne, 4, quantity=10)
    retire = dict(acting_user=arne.user)
    record(lines[0], "retired", date(2025, 1, 1), "", route="reuse", **retire)
    record(lines[1], "retired", date(2025, 1, 1), "", route="refurbished", **retire)
    record(lines[2], "retired", date(2025, 1, 1), "", route="reuse", certificate="C-9", **retire)
    record(lines[3], "retired", date(2025, 1, 1), "", route="recycled", **retire)
    client = signed_in(arne)

    dashboard = client.get(f"/fleet/{RWS}/").content.decode()
    flagged = client.get(f"/fleet/{RWS}/assets/", {"wiping": "missing"}).content.decode()
    record(lines[0], "sanitised", date(2025, 1, 2), "", method="nist_clear", **retire)
    after = client.get(f"/fleet/{RWS}/").content.decode()

    warning = dashboard.split('id="wiping-not-evidenced"')[1].split("</p>")[0]
    assert "Data wiping not evidenced" in warning and "2 retired lines (20 devices)" in warning
    assert "RWS-1" in flagged and "RWS-2" in flagged and "RWS-3" not in flagged and "RWS-4" not in flagged
    assert "1 retired line (10 devices)" in after
    # The label is joined to what it says as French joins them: never a colon alone at a line's start.
    french = client.get(f"/fleet/{RWS}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    warning = french.split('id="wiping-not-evidenced"')[1].split("</p>")[0]
    assert "\u00a0:" in warning and " :" not in warning.replace("\u00a0:", "")


def test_a_data_wiping_event_needs_its_method_or_certificate(arne: Persona) -> None:
    (line,) = laptops(arne, 1)

    with pytest.raises(actions.EventRefused) as refused:
        record(line, "sanitised", date(2025, 1, 2), "", acting_user=arne.user)

    assert refused.value.field == "sanitisation_method"


def test_the_register_download_carries_the_sanitisation_method(arne: Persona) -> None:
    (line,) = laptops(arne, 1)
    record(
        line,
        "retired",
        date(2025, 1, 1),
        "",
        route="reuse",
        method="ieee_purge",
        certificate="C-1",
        acting_user=arne.user,
    )

    rows = list(
        csv.reader(io.StringIO(signed_in(arne).get(f"/fleet/{RWS}/assets/?format=csv").content.decode()))
    )

    assert rows[0][-2:] == ["sanitisation_certificate", "sanitisation_method"]
    assert rows[1][-2:] == ["C-1", "ieee_purge"]


def test_the_asset_page_records_the_method_with_the_retirement(arne: Persona) -> None:
    (line,) = laptops(arne, 1)
    client = signed_in(arne)

    client.post(
        f"/fleet/{RWS}/assets/{line.pk}/",
        {
            "kind": "retired",
            "date": "2025-02-03",
            "end_of_use_route": "reuse",
            "sanitisation_method": "nist_purge",
        },
    )

    page = client.get(f"/fleet/{RWS}/assets/{line.pk}/").content.decode()
    assert "NIST SP 800-88 Purge" in page.split('id="sanitisation-method"')[1]
