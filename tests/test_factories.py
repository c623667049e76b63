"""Factories disclosed by suppliers, linked to the models in registers, offers and contracts, and each
factory's totals across participants under the disclosure rules (or by agreement)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from openpyxl import Workbook

from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.contracts.models import Contract
from cfit.contracts.rows import RowsRefused
from cfit.factories import actions
from cfit.factories.core import Disclosed, Item, factory_key, link, totals
from cfit.factories.links import picture
from cfit.factories.models import DisclosedProduct, Factory, SharingConsent
from cfit.factories.reading import read_disclosure
from cfit.fleet.models import Asset
from cfit.monitoring.disclosure import Reason, Rules

from .conftest import PASSWORD, Persona, make_persona
from .contract_helpers import awarded_tender, contract_of, last_january

HEADER = "factory_name,address,country,factory_type,manufacturer,model,product_group,workers,os_id\n"
GOOD = (
    HEADER
    + "Notebook Plant 2,1 Zone Rd Kunshan,CN,final assembly,Dell,Latitude 5420,notebooks,1200,\n"
    + "Notebook Plant 2,1 Zone Rd Kunshan,CN,final_assembly,Lenovo,ThinkPad T14 Gen 2,,,\n"
    + "Handset Works,Bac Ninh,VN,final_assembly,Samsung,Galaxy A52,smartphones,,\n"
    + "Book Factory,Chongqing,CN,final_assembly,Acme,Book 14,notebooks,,\n"
)
BAD = (
    HEADER
    + "Notebook Plant 2,1 Zone Rd Kunshan,CN,final_assembly,Dell,Latitude 5420,notebooks,,\n"
    + "Nowhere,,XX,assembly line,Dell,,tractors,-5,\n"
    + "Notebook Plant 2,1 Zone Rd Kunshan,CN,final_assembly,Dell,Latitude 5420,notebooks,,\n"
)


# -- the file, without a database -------------------------------------------------------------------


def test_a_disclosure_file_is_read_row_by_row() -> None:
    rows = read_disclosure(GOOD.encode(), "disclosure.csv")

    assert [(r.factory_name, r.country, r.kind, r.model, r.product_group) for r in rows] == [
        ("Notebook Plant 2", "CN", "final_assembly", "Latitude 5420", "notebooks"),
        ("Notebook Plant 2", "CN", "final_assembly", "ThinkPad T14 Gen 2", ""),
        ("Handset Works", "VN", "final_assembly", "Galaxy A52", "smartphones"),
        ("Book Factory", "CN", "final_assembly", "Book 14", "notebooks"),
    ]
    assert rows[0].workers == 1200


def test_an_xlsx_disclosure_with_its_own_headers_is_read() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Factory", "Factory address", "Country", "Type", "Brand", "Product model", "Number of workers"]
    )
    sheet.append(["Plant A", "Road 1", "tw", "Component", "HP", "EliteBook 840 G8", 300])
    buffer = io.BytesIO()
    book.save(buffer)

    (row,) = read_disclosure(buffer.getvalue(), "disclosure.xlsx")

    assert (row.country, row.kind, row.manufacturer, row.workers) == ("TW", "component", "HP", 300)


def test_a_bad_disclosure_names_every_problem_by_row_and_column() -> None:
    with pytest.raises(RowsRefused) as refused:
        read_disclosure(BAD.encode(), "disclosure.csv")

    found = {(p.row, p.field, p.code) for p in refused.value.problems}
    assert found == {
        (3, "address", "required"),
        (3, "model", "required"),
        (3, "country", "not_country"),
        (3, "factory_type", "unknown_value"),
        (3, "product_group", "unknown_value"),
        (3, "workers", "out_of_range"),
        (4, "-", "duplicate_row"),
    }


def test_a_file_without_a_required_column_or_with_a_formula_is_refused() -> None:
    with pytest.raises(RowsRefused) as refused:
        read_disclosure(b"factory_name,country\nA,CN\n", "d.csv")
    assert {p.field for p in refused.value.problems} == {"address", "factory_type", "manufacturer", "model"}
    book = Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(["A", "Road", "CN", "component", "HP", "=1+1", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(RowsRefused) as refused:
        read_disclosure(buffer.getvalue(), "d.xlsx")
    assert [(p.row, p.field, p.code) for p in refused.value.problems] == [(2, "model", "formula")]


def test_a_file_that_cannot_be_read_is_refused_with_its_code() -> None:
    from cfit.contracts.problems import describe

    with pytest.raises(RowsRefused) as refused:
        read_disclosure(b"%PDF-1.4", "disclosure.pdf")

    (problem,) = refused.value.problems
    assert (problem.row, problem.code) == (0, "file_type")
    assert describe(problem) == "file: unknown file type: send a CSV or an XLSX file"


def test_models_link_as_the_impact_matching_reads_them() -> None:
    disclosed = [
        Disclosed(1, "Dell Inc.", "Latitude 5420", "notebooks"),
        Disclosed(2, "HP", "EliteBook 840 G8", ""),
    ]
    items = [
        Item("fleet", 10, "", "DELL", "Latitude 5420 Notebook", "notebooks", 4),
        Item("fleet", 11, "", "Hewlett-Packard", "Elitebook 840G8", "notebooks", 2),
        Item("fleet", 12, "", "Dell", "Latitude 7420", "notebooks", 2),
    ]

    assert [(found.factory, found.item.organisation) for found in link(disclosed, items)] == [
        (1, 10),
        (2, 11),
    ]
    assert factory_key("Compal Electronics (Kunshan) Co., Ltd.") == factory_key("COMPAL ELECTRONICS KUNSHAN")


def test_totals_follow_the_rules_unless_everyone_behind_them_agreed() -> None:
    items = [
        Item("fleet", org, "", "Dell", "Latitude 5420", "notebooks", units) for org, units in ((1, 5), (2, 5))
    ]
    found = link([Disclosed(7, "Dell", "Latitude 5420", "notebooks")], items)
    rules = Rules()

    assert totals(found, {}, set(), rules)[7].reason == Reason.THRESHOLD
    assert totals(found, {}, {1}, rules)[7].reason == Reason.THRESHOLD
    agreed = totals(found, {"g": frozenset({1, 3})}, {1, 2}, rules)[7]
    assert (agreed.shown, agreed.by_consent, agreed.organisations, agreed.groups, agreed.units) == (
        True,
        True,
        2,
        1,
        10,
    )


# -- the platform -----------------------------------------------------------------------------------


@dataclass
class World:
    buyers: list[Persona]  #: four participants
    supplier: Persona
    other_supplier: Persona
    contract_id: int


def _assets(organisation: Organisation, rows: list[tuple[str, str, str, int]]) -> None:
    for n, (group, maker, model, quantity) in enumerate(rows):
        Asset.unscoped.create(
            organisation=organisation, asset_key=f"{organisation.slug}-{n}", product_group=group,
            manufacturer=maker, model=model, quantity=quantity, purchase_date=date(2024, 1, 1),
            country="NL", status="in_use",
        )  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once: four buyers with registers, a contract, two suppliers; the supplier's disclosure."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        participant = Organisation.Type.PROCURING_PARTICIPANT
        buyers = [
            make_persona("pia", "rijkswaterstaat", participant, Membership.Role.ADMIN),
            make_persona("louise", "ville-de-lyon", participant, Membership.Role.ADMIN, "FR"),
            make_persona("gent", "city-of-ghent", participant, Membership.Role.PROCURER, "BE"),
            make_persona("frei", "uni-freiburg", participant, Membership.Role.PROCURER, "DE"),
        ]
        # Latitude: three buyers (shown); ThinkPad: two (hidden); Galaxy: one of three gives 98 % (hidden).
        _assets(buyers[0].organisation, [("notebooks", "Dell", "Latitude 5420", 10), ("notebooks", "Lenovo", "ThinkPad T14 Gen 2", 5), ("smartphones", "Samsung", "Galaxy A52", 100)])  # fmt: skip
        _assets(buyers[1].organisation, [("notebooks", "DELL INC.", "Latitude 5420 Notebook", 12), ("notebooks", "Lenovo", "Thinkpad T14 gen2", 5), ("smartphones", "Samsung", "Galaxy A52", 1)])  # fmt: skip
        _assets(buyers[2].organisation, [("notebooks", "Dell", "Latitude 5420", 8), ("smartphones", "Samsung", "Galaxy A52", 1)])  # fmt: skip
        supplier = make_persona("sid", "green-refurb", Organisation.Type.SUPPORTER, Membership.Role.ADMIN)
        other = make_persona("olga", "other-supply", Organisation.Type.SUPPORTER, Membership.Role.ADMIN)
        from cfit.criteria.models import FrameworkVersion

        assert FrameworkVersion.objects.exists()
        contract = contract_of(awarded_tender(buyers[0], "FACT-1"), supplier.organisation, buyers[0])
        # Started already: only a contract in force on the day counts as dependence on its factories.
        Contract.unscoped.filter(pk=contract.pk).update(start_date=last_january())
        actions.import_disclosure(
            supplier.organisation, GOOD.encode(), "disclosure.csv", acting_user=supplier.user
        )
        yield World(buyers, supplier, other, contract.pk)
        transaction.set_rollback(True)


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def _factory(name: str) -> Factory:
    return Factory.objects.get(name=name)


@pytest.mark.django_db
def test_an_upload_is_all_or_nothing_and_factories_are_shared(world: World) -> None:
    before = DisclosedProduct.objects.count()
    with pytest.raises(RowsRefused):
        actions.import_disclosure(
            world.other_supplier.organisation, BAD.encode(), "bad.csv", acting_user=world.other_supplier.user
        )
    assert DisclosedProduct.objects.count() == before

    variant = HEADER + "NOTEBOOK PLANT 2 LTD,elsewhere,CN,final_assembly,HP,EliteBook 840 G8,,,OS-123\n"
    stored, withdrawn = actions.import_disclosure(
        world.other_supplier.organisation, variant.encode(), "mine.csv", acting_user=world.other_supplier.user
    )

    assert (stored, withdrawn) == (1, 0)
    assert Factory.objects.filter(name_key=factory_key("Notebook Plant 2")).count() == 1
    assert _factory("Notebook Plant 2").os_id == "OS-123"
    assert AuditRecord.objects.filter(
        action=AuditRecord.Action.FACTORIES_DISCLOSED, organisation=world.other_supplier.organisation
    ).exists()
    only = HEADER + "Handset Works,Bac Ninh,VN,component,HP,EliteBook 840 G8,,,\n"
    assert actions.import_disclosure(
        world.other_supplier.organisation,
        only.encode(),
        "mine.csv",
        acting_user=world.other_supplier.user,
        replace=True,
    ) == (1, 1)


@pytest.mark.django_db
def test_a_participant_cannot_disclose_factories(world: World) -> None:
    with pytest.raises(actions.FactoryError):
        actions.import_disclosure(
            world.buyers[0].organisation, GOOD.encode(), "d.csv", acting_user=world.buyers[0].user
        )


@pytest.mark.django_db
def test_links_reach_the_fleet_the_contract_and_the_offers(world: World) -> None:
    seen = picture({world.buyers[0].organisation.pk})
    mine = seen.links_of({world.buyers[0].organisation.pk})
    by_source = {(found.item.source, found.item.model, found.factory) for found in mine}

    book = _factory("Book Factory").pk
    assert ("fleet", "Latitude 5420", _factory("Notebook Plant 2").pk) in by_source
    assert ("contract", "Book 14", book) in by_source
    assert ("offer", "Book 14", book) in by_source  # the losing offer of the same model
    assert not [f for f in picture({world.buyers[1].organisation.pk}).links if f.item.source == "offer"]
    contract = next(f.item for f in mine if f.item.source == "contract")
    assert (contract.reference, contract.units, contract.spend) == ("FACT-1-L1", 10, 8000)
    assert {found.item.organisation for found in seen.links if found.item.model.startswith("Latitude")} == {
        b.organisation.pk for b in world.buyers[:3]
    }


@pytest.mark.django_db
def test_factory_totals_are_hidden_below_three_organisations_and_shown_with_consent(world: World) -> None:
    seen = picture({world.buyers[0].organisation.pk})
    latitude = seen.totals[_factory("Notebook Plant 2").pk]
    assert (latitude.shown, latitude.organisations, latitude.units) == (
        True,
        3,
        40,
    )  # 10 + 12 + 8 + ThinkPads 10
    assert seen.totals[_factory("Handset Works").pk].reason == Reason.DOMINANCE
    assert seen.totals[_factory("Book Factory").pk].reason == Reason.THRESHOLD

    outsider = signed_in(world.buyers[3])
    page = outsider.get("/factories/").content.decode()
    assert "Notebook Plant 2" in page and "Book Factory" not in page and "Handset Works" not in page
    assert outsider.get(f"/factories/{_factory('Book Factory').pk}/").status_code == 404

    pia = signed_in(world.buyers[0])
    assert pia.post("/factories/sharing/rijkswaterstaat/", {"agreed": "on"}).status_code == 302
    consent = SharingConsent.objects.get(organisation=world.buyers[0].organisation)
    assert (consent.agreed, consent.changed_by) == (True, world.buyers[0].user)
    assert AuditRecord.objects.filter(action=AuditRecord.Action.FACTORY_SHARING_CHANGED).exists()
    book = picture().totals[_factory("Book Factory").pk]
    assert (book.shown, book.by_consent) == (True, True)  # only Rijkswaterstaat depends on it, and agreed
    assert outsider.get(f"/factories/{_factory('Book Factory').pk}/").status_code == 200


@pytest.mark.django_db
def test_a_buyer_sees_its_own_links_never_another_buyers(world: World) -> None:
    factory = _factory("Book Factory").pk
    pia = signed_in(world.buyers[0]).get(f"/factories/{factory}/").content.decode()
    assert "FACT-1-L1" in pia and 'id="hidden"' in pia

    lyon = signed_in(world.buyers[1])
    assert lyon.get(f"/factories/{factory}/").status_code == 404
    page = lyon.get(f"/factories/{_factory('Notebook Plant 2').pk}/").content.decode()
    assert "FACT-1-L1" not in page and "Latitude 5420 Notebook" in page
    assert (
        "Galaxy A52"
        not in lyon.get(f"/factories/{_factory('Notebook Plant 2').pk}/")
        .content.decode()
        .split('id="products"')[0]
    )


@pytest.mark.django_db
def test_the_disclosure_pages_are_the_suppliers_own(world: World) -> None:
    sid = signed_in(world.supplier)
    page = sid.get("/factories/disclose/green-refurb/")
    assert page.status_code == 200 and "Latitude 5420" in page.content.decode()
    assert sid.get("/factories/disclose/other-supply/").status_code == 404
    assert signed_in(world.buyers[0]).get("/factories/disclose/rijkswaterstaat/").status_code == 404
    assert Client().get("/factories/").status_code == 302
    assert (
        signed_in(world.buyers[2]).post("/factories/sharing/city-of-ghent/", {"agreed": "on"}).status_code
        == 403
    )
    assert (
        signed_in(world.buyers[0]).post("/factories/sharing/city-of-ghent/", {"agreed": "on"}).status_code
        == 404
    )
    product = DisclosedProduct.objects.filter(supplier=world.supplier.organisation).first()
    assert product is not None
    olga = signed_in(world.other_supplier)
    assert olga.post(f"/factories/disclose/other-supply/{product.pk}/withdraw/").status_code == 404
    assert DisclosedProduct.objects.filter(pk=product.pk).exists()


@pytest.mark.django_db
def test_a_supplier_discloses_by_form_and_by_file(world: World) -> None:
    olga = signed_in(world.other_supplier)
    form = {
        "form": "one", "one-factory_name": "Tablet Town", "one-address": "1 Main St", "one-country": "cn",
        "one-kind": "final_assembly", "one-manufacturer": "Apple", "one-model": "iPad (9th generation)",
        "one-product_group": "tablets", "one-workers": "", "one-os_id": "",
    }  # fmt: skip
    assert olga.post("/factories/disclose/other-supply/", form).status_code == 302
    assert DisclosedProduct.objects.filter(
        supplier=world.other_supplier.organisation, factory__name="Tablet Town"
    ).exists()

    upload = io.BytesIO(BAD.encode())
    upload.name = "bad.csv"
    page = olga.post(
        "/factories/disclose/other-supply/", {"form": "file", "file-file": upload}
    ).content.decode()
    assert "row 3, country: not a two-letter ISO 3166 country code" in page
    assert DisclosedProduct.objects.filter(supplier=world.other_supplier.organisation).count() == 1


@pytest.mark.django_db
def test_the_yearly_report_is_prefilled_with_contracts_whose_factories_are_disclosed(world: World) -> None:
    from decimal import Decimal

    from cfit.contracts.actions import create_contract
    from cfit.criteria.models import FrameworkVersion
    from cfit.factories.indicators import factories_prefill
    from cfit.monitoring.indicators import BY_CODE
    from cfit.monitoring.models import ReportValue

    buyer = world.buyers[0]
    version = FrameworkVersion.objects.latest_published()
    assert version is not None
    started = last_january()
    create_contract(
        buyer.organisation, reference="OLD-9", title="Old", supplier_name="Other", value=Decimal(10),
        start_date=started, end_date=date(started.year + 1, 6, 30), framework_version=version, criteria=[],
        supplier_organisation=world.other_supplier.organisation, acting_user=None,
    )  # fmt: skip

    prefilled = ReportValue.Origin.PREFILLED
    # This year (the factories were disclosed today): FACT-1's model is linked to a disclosed
    # final-assembly factory; OLD-9's supplier disclosed none.
    assert factories_prefill(buyer.organisation, started.year + 1) == {
        ("contracts_factories_disclosed", ""): (1.0, prefilled),
        ("factories_disclosed_share", ""): (50.0, prefilled),
    }
    assert factories_prefill(buyer.organisation, started.year - 1) == {}
    assert BY_CODE["factories_disclosed_share"].weight == "ict_spend_total"


@pytest.mark.django_db
def test_only_a_contract_in_force_on_the_day_counts_as_dependence(world: World) -> None:
    """A contract not yet started counted as dependence on its factories: docs/factories.md says "in
    force", and only the end date was checked."""
    buyer = {world.buyers[0].organisation.pk}
    contract = Contract.unscoped.get(pk=world.contract_id)
    first, last = contract.start_date, contract.end_date

    def contracted(day: date) -> set[str]:
        return {
            f.item.reference for f in picture(buyer, today=day).links_of(buyer) if f.item.source == "contract"
        }

    assert contracted(first - timedelta(days=1)) == set()  # not yet started
    assert contracted(first) == {"FACT-1-L1"}  # its first day
    assert contracted(last) == {"FACT-1-L1"}  # its last day
    assert contracted(last + timedelta(days=1)) == set()  # ended
