"""An organisation's cloud use on its pages: import a FOCUS export, see its footprint with ranges and
sources, compare places, remove it; nobody else sees it.

Personas: Alma, asset manager at Rijkswaterstaat, who imports the organisation's AWS export; Pia,
procurer there, who reads the figures but does not import; Louise, procurer at Ville de Lyon, who
must see nothing of Rijkswaterstaat's cloud use.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.cloud import actions
from cfit.cloud.models import CloudUsage
from cfit.uploads import ImportRefused
from tests.test_cloud import focus_csv

from .conftest import Persona, make_persona

USAGE = [
    {"ConsumedQuantity": "1000", "ConsumedUnit": "vCPU-Hours"},
    {"ConsumedQuantity": "2000", "ConsumedUnit": "vCPU-Hours", "RegionId": "eu-west-1",
     "ChargePeriodStart": "2024-10-02T00:00:00Z"},
    {"ConsumedQuantity": "1000", "ConsumedUnit": "GB-Months", "ServiceCategory": "Storage",
     "ServiceName": "Amazon Simple Storage Service"},
    {"ConsumedQuantity": "500", "ConsumedUnit": "GB", "ServiceCategory": "Networking"},
    {"ChargeCategory": "Tax", "ConsumedQuantity": "", "ConsumedUnit": ""},
]  # fmt: skip


@pytest.fixture
def asset_manager(procurer: Persona) -> Persona:
    return make_persona(
        "alma", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )


def _upload(data: bytes, name: str = "aws-2024-09.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_an_asset_manager_imports_an_export_and_sees_its_footprint(
    client: Client, asset_manager: Persona
) -> None:
    client.force_login(asset_manager.user)
    url = f"/cloud/{asset_manager.organisation.slug}/"

    response = client.post(url, {"file": _upload(focus_csv(USAGE))})

    assert response.status_code == 302, response.content.decode()[:2000]
    with system_scope():
        usage = CloudUsage.objects.get()
    assert (usage.first_month, usage.last_month, usage.counted_rows, usage.rows) == (
        "2024-09",
        "2024-10",
        4,
        5,
    )
    assert usage.uploaded_by == asset_manager.user
    assert usage.emissions.low <= usage.emissions.value <= usage.emissions.high
    page = client.get(response["Location"]).content.decode()
    for part in ('id="by-kind"', 'id="by-service"', 'id="by-region"', 'id="by-month"', 'id="sources"'):
        assert part in page
    assert "Cloud Carbon Footprint" in page and "Ember" in page
    overview = client.get(url).content.decode()
    assert f'data-usage="{usage.pk}"' in overview and 'id="cloud-by-month"' in overview


def test_the_same_export_is_counted_once_and_a_bad_one_is_refused_by_row_and_column(
    client: Client, asset_manager: Persona
) -> None:
    client.force_login(asset_manager.user)
    url = f"/cloud/{asset_manager.organisation.slug}/"
    client.post(url, {"file": _upload(focus_csv(USAGE))})

    again = client.post(url, {"file": _upload(focus_csv(USAGE), "renamed.csv")}).content.decode()
    bad = client.post(url, {"file": _upload(focus_csv([{"ConsumedQuantity": "-5"}]))}).content.decode()

    assert 'id="cloud-problems"' in again and "counted once" in again
    assert "ConsumedQuantity" in bad and "row 2" in bad
    with system_scope():
        assert CloudUsage.objects.count() == 1


def test_a_procurer_reads_but_does_not_import_and_another_organisation_sees_nothing(
    client: Client, asset_manager: Persona, procurer: Persona, outsider: Persona
) -> None:
    usage = actions.import_cloud_usage(
        asset_manager.organisation, focus_csv(USAGE), "aws.csv", acting_user=asset_manager.user
    )
    slug = asset_manager.organisation.slug
    client.force_login(procurer.user)
    assert client.get(f"/cloud/{slug}/{usage.pk}/").status_code == 200
    assert 'id="cloud-upload"' not in client.get(f"/cloud/{slug}/").content.decode()
    assert client.post(f"/cloud/{slug}/", {"file": _upload(b"x")}).status_code == 403
    assert client.post(f"/cloud/{slug}/{usage.pk}/remove/").status_code == 403

    client.force_login(outsider.user)
    for url in (
        f"/cloud/{slug}/",
        f"/cloud/{slug}/{usage.pk}/",
        f"/cloud/{slug}/{usage.pk}/?places=aws:eu-north-1",
    ):
        assert client.get(url).status_code == 404, url
    # Tampering: the outsider's own organisation with Rijkswaterstaat's export id.
    assert client.get(f"/cloud/{outsider.organisation.slug}/{usage.pk}/").status_code == 404
    # (a procurer may not remove in her own organisation either: refused before the id is looked at)
    assert client.post(f"/cloud/{outsider.organisation.slug}/{usage.pk}/remove/").status_code == 403
    with system_scope():
        assert CloudUsage.objects.filter(pk=usage.pk).exists()


def test_the_stored_workload_compares_as_the_file_does(client: Client, asset_manager: Persona) -> None:
    from cfit.cloud.compare import Place, compare_places
    from cfit.cloud.focus import read_focus

    usage = actions.import_cloud_usage(
        asset_manager.organisation, focus_csv(USAGE), "aws.csv", acting_user=asset_manager.user
    )
    reference = actions.platform_reference()
    focus = read_focus(focus_csv(USAGE), "aws.csv", reference.focus_columns, vcpu_per_ocpu=2)
    expected = compare_places(focus, reference, to=[Place("aws", "eu-north-1")])
    client.force_login(asset_manager.user)

    page = client.get(
        f"/cloud/{asset_manager.organisation.slug}/{usage.pk}/", {"places": ["aws:eu-north-1"]}
    ).content.decode()

    assert 'data-place="aws:eu-north-1"' in page
    (alternative,) = expected.alternatives
    assert f"{alternative.change_kgco2e.value:.2f}".rstrip("0").rstrip(".")[:4] in page.replace(",", "")


def test_the_page_moves_a_family_it_declares_and_ignores_one_it_does_not(
    client: Client, asset_manager: Persona
) -> None:
    m5 = {
        "ConsumedQuantity": "10",
        "ConsumedUnit": "Hours",
        "ChargeDescription": "Linux m5.xlarge Instance Hour",
    }
    usage = actions.import_cloud_usage(
        asset_manager.organisation, focus_csv([*USAGE, m5]), "aws.csv", acting_user=asset_manager.user
    )
    client.force_login(asset_manager.user)
    url = f"/cloud/{asset_manager.organisation.slug}/{usage.pk}/"

    page = client.get(url, {"families": ["m5=m7g"]}).content.decode()

    assert 'id="by-family"' in page and "aws m5" in page
    assert "m5.xlarge → m7g.xlarge" in page and "Where it runs today" in page
    tampered = client.get(url, {"families": ["m5=m9"]})
    assert tampered.status_code == 200 and "m7g.xlarge" not in tampered.content.decode()


def test_the_demo_s_cloud_use_has_families_to_move(asset_manager: Persona) -> None:
    from cfit.cloud.compare import compare_workload, parse_family_moves
    from cfit.demo.cloud import create_demo_cloud

    create_demo_cloud()
    create_demo_cloud()  # idempotent

    with system_scope():
        (usage,) = CloudUsage.objects.all()
    assert {"aws m5", "aws c5", "gcp n2"} <= set(usage.result["by_family"])
    reference = actions.platform_reference()
    moved = compare_workload(
        pl.DataFrame(usage.workload), reference, families=parse_family_moves(["m5=m7g"], reference)
    )
    assert moved.alternatives[0].change_kgco2e.high < 0


def test_removing_an_export_takes_it_out_of_the_figures(client: Client, asset_manager: Persona) -> None:
    usage = actions.import_cloud_usage(
        asset_manager.organisation, focus_csv(USAGE), "aws.csv", acting_user=asset_manager.user
    )
    client.force_login(asset_manager.user)

    response = client.post(f"/cloud/{asset_manager.organisation.slug}/{usage.pk}/remove/")

    assert response.status_code == 302
    with system_scope():
        assert not CloudUsage.objects.exists()
    with pytest.raises(ImportRefused, match="no usage row"):
        actions.import_cloud_usage(
            asset_manager.organisation,
            focus_csv([{"ChargeCategory": "Tax", "ConsumedQuantity": "", "ConsumedUnit": ""}]),
            "taxes.csv",
            acting_user=asset_manager.user,
        )


def test_the_overview_s_queries_do_not_grow_with_exports(client: Client, asset_manager: Persona) -> None:
    client.force_login(asset_manager.user)
    url = f"/cloud/{asset_manager.organisation.slug}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    actions.import_cloud_usage(
        asset_manager.organisation, focus_csv(USAGE), "a.csv", acting_user=asset_manager.user
    )
    one = queries()
    for n in range(3):
        rows: list[dict[str, Any]] = [{**USAGE[0], "ConsumedQuantity": str(10 + n)}]
        actions.import_cloud_usage(
            asset_manager.organisation, focus_csv(rows), f"b{n}.csv", acting_user=asset_manager.user
        )
    assert queries() == one


def test_the_year_s_cloud_use_is_pre_filled_in_the_yearly_report(asset_manager: Persona) -> None:
    from cfit.monitoring.prefill import prefill

    usage = actions.import_cloud_usage(
        asset_manager.organisation, focus_csv(USAGE), "aws.csv", acting_user=asset_manager.user
    )
    months = usage.result["by_month"]
    expected = sum(months[m]["emissions_kgco2e"]["value"] for m in ("2024-09", "2024-10")) / 1000

    figure = prefill(asset_manager.organisation, 2024)[("cloud_tco2e", "")]
    assert figure.value == pytest.approx(expected, abs=0.001)
    assert figure.low is not None and figure.high is not None and figure.low <= figure.value <= figure.high
    assert figure.method == usage.method and {s["id"] for s in figure.sources} >= {"ccf-method"}
    assert ("cloud_tco2e", "") not in prefill(asset_manager.organisation, 2023)


def test_the_fleet_dashboard_shows_cloud_use_next_to_the_devices(
    client: Client, asset_manager: Persona
) -> None:
    actions.import_cloud_usage(
        asset_manager.organisation, focus_csv(USAGE), "aws.csv", acting_user=asset_manager.user
    )
    client.force_login(asset_manager.user)

    page = client.get(f"/fleet/{asset_manager.organisation.slug}/").content.decode()

    assert 'id="cloud-kpis"' in page and "2024" in page and 'id="cloud-link"' in page


def test_the_regions_countries_are_named_in_the_readers_language(
    client: Client, asset_manager: Persona
) -> None:
    """Alma reads her cloud use in German: Ireland (eu-west-1) and Sweden (eu-north-1, a place to compare
    with) are named, not given as codes."""
    usage = actions.import_cloud_usage(
        asset_manager.organisation, focus_csv(USAGE), "aws.csv", acting_user=asset_manager.user
    )
    client.force_login(asset_manager.user)

    page = client.get(
        f"/cloud/{asset_manager.organisation.slug}/{usage.pk}/",
        {"places": ["aws:eu-north-1"]},
        HTTP_ACCEPT_LANGUAGE="de",
    ).content.decode()

    regions = page.split('id="by-region"')[1].split("</table>")[0]
    assert "<td>Irland</td>" in regions and "<td>IE</td>" not in regions
    compared = page.split('data-place="aws:eu-north-1"')[1].split("</tr>")[0]
    assert "<td>Schweden</td>" in compared
    assert "(Schweden)" in page and "(SE)" not in page  # the places to choose from


def test_the_overview_says_which_figure_of_each_years_report_the_exports_pre_fill(
    client: Client, asset_manager: Persona
) -> None:
    """Alma imported an export of September and October 2024 and of January 2025: the overview shows,
    per year, the emissions the year's monitoring report is pre-filled with (the same figure, tCO2e,
    with its range); before, nothing on the cloud pages said the exports fed the report at all."""
    from cfit.monitoring.prefill import prefill

    rows = [*USAGE, {**USAGE[0], "ChargePeriodStart": "2025-01-05T00:00:00Z"}]
    actions.import_cloud_usage(
        asset_manager.organisation, focus_csv(rows), "aws.csv", acting_user=asset_manager.user
    )
    client.force_login(asset_manager.user)

    response = client.get(f"/cloud/{asset_manager.organisation.slug}/")

    shown = {year: (months, span) for year, months, span in response.context["report_years"]}
    assert set(shown) == {2024, 2025} and (shown[2024][0], shown[2025][0]) == (2, 1)
    for year, (_months, span) in shown.items():
        figure = prefill(asset_manager.organisation, year)[("cloud_tco2e", "")]
        assert (round(span.low, 3), round(span.value, 3), round(span.high, 3)) == (
            figure.low,
            figure.value,
            figure.high,
        )
    assert 'id="cloud-report-years"' in response.content.decode()
    assert 'data-year="2025"' in response.content.decode()


def test_a_place_compared_shows_its_pue_and_the_sources_of_its_factors(
    client: Client, asset_manager: Persona
) -> None:
    """Alma's export runs at AWS only; she compares it with Azure Sweden Central. The row names the
    provider as the page's list does (Microsoft Azure, not 'azure'), shows the PUE it was priced with,
    and Microsoft's PUE figure is in the sources; before, the row's PUE was shown nowhere and its source
    was missing (only the export's own sources were listed)."""
    usage = actions.import_cloud_usage(
        asset_manager.organisation, focus_csv(USAGE), "aws.csv", acting_user=asset_manager.user
    )
    client.force_login(asset_manager.user)

    page = client.get(
        f"/cloud/{asset_manager.organisation.slug}/{usage.pk}/", {"places": ["azure:swedencentral"]}
    ).content.decode()

    row = page.split('data-place="azure:swedencentral"')[1].split("</tr>")[0]
    assert "Microsoft Azure · swedencentral" in row
    assert "1.185" in row.split('class="num pue"')[1]  # Microsoft's 1.185
    assert 'id="source-pue-azure"' in page and 'id="source-pue-azure"' not in page.split('id="compare"')[0]
