"""Existing contracts imported from a file (all or nothing), the contracts API with its boundaries, and
the figures' labels in the user's language."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation
from openpyxl import Workbook

from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.contracts import actions
from cfit.contracts.importing import read_contracts
from cfit.contracts.labels import FIGURE_LABELS, figure_label
from cfit.contracts.models import Contract
from cfit.contracts.rows import RowsRefused
from cfit.contracts.schedule import TOPIC_FIGURES, Kind
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion

from .conftest import PASSWORD, Persona, make_persona


@dataclass
class World:
    buyer: Persona
    other_buyer: Persona
    viewer: Persona
    supplier: Persona
    other_supplier: Persona
    take_back: Criterion
    version: FrameworkVersion
    contract: int  #: the buyer's, supplied by ``supplier``
    others: int  #: the other buyer's, supplied by ``other_supplier``


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        participant = Organisation.Type.PROCURING_PARTICIPANT
        buyer = make_persona("pia", "rijkswaterstaat", participant, Membership.Role.PROCURER)
        other_buyer = make_persona("louise", "ville-de-lyon", participant, Membership.Role.PROCURER, "FR")
        viewer = make_persona("vera", "rijkswaterstaat", participant, Membership.Role.VIEWER)
        supplier = make_persona("sid", "green-refurb", Organisation.Type.SUPPORTER, Membership.Role.ADMIN)
        other_supplier = make_persona(
            "olga", "other-supply", Organisation.Type.SUPPORTER, Membership.Role.ADMIN
        )
        version = FrameworkVersion.objects.latest_published()
        assert version is not None
        take_back = Criterion.objects.filter(version=version, topic__contains="take-back").first()
        assert take_back is not None
        made = [
            actions.create_contract(
                who.organisation, reference=ref, title="Laptops", supplier_name=sup.organisation.name,
                supplier_organisation=sup.organisation, value=Decimal(1000), start_date=date(2025, 1, 1),
                end_date=date(2027, 12, 31), framework_version=version,
                criteria=[(take_back, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)], acting_user=who.user,
            )
            for who, sup, ref in ((buyer, supplier, "RWS-1"), (other_buyer, other_supplier, "LYON-1"))
        ]  # fmt: skip
        yield World(
            buyer, other_buyer, viewer, supplier, other_supplier, take_back, version, made[0].pk, made[1].pk
        )
        transaction.set_rollback(True)


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


HEADER = "reference,title,lot,supplier,value,currency,start_date,end_date,framework_version,criteria\n"


def _file(world: World, *rows: str) -> bytes:
    return (
        HEADER + "".join(r.format(code=world.take_back.code, version=world.version.code) for r in rows)
    ).encode()


# -- contract import ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_contracts_are_imported_with_their_obligations_and_supplier(world: World) -> None:
    data = _file(
        world,
        'OLD-1,Laptops,Lot 1,GreenRefurb BV,"1.234,50",eur,2025-01-01,31/12/2026,{version},{code}\n',
        "OLD-2,Monitors,,Unknown Ltd,500,,2025-06-01,2026-05-31,,\n",
    )
    Organisation.objects.filter(slug="green-refurb").update(name="GreenRefurb BV")

    contracts = actions.import_contracts(
        world.buyer.organisation, data, "contracts.csv", acting_user=world.buyer.user
    ).contracts

    first, second = contracts
    assert (first.title, first.value, first.currency, first.end_date) == (
        "Laptops: Lot 1", Decimal("1234.50"), "EUR", date(2026, 12, 31),
    )  # fmt: skip
    assert first.supplier_organisation == world.supplier.organisation
    assert first.obligations.filter(kind=Kind.FIGURE).count() == 2  # 2025 and 2026
    assert second.supplier_organisation is None and second.framework_version == world.version
    assert AuditRecord.objects.filter(
        action=AuditRecord.Action.CONTRACTS_IMPORTED, actor=world.buyer.user
    ).exists()


@pytest.mark.django_db
def test_a_contract_file_with_one_bad_row_imports_nothing(world: World) -> None:
    data = _file(
        world,
        "NEW-1,Laptops,,Acme,100,EUR,2025-01-01,2026-01-01,,{code}\n",
        "RWS-1,Phones,,Acme,abc,EURO,2025-01-01,2024-01-01,,\n",
        "NEW-3,Tablets,,Acme,100,EUR,2025-01-01,2026-01-01,1999.9,\n",
        "NEW-4,Tablets,,Acme,100,EUR,2025-01-01,2026-01-01,,no-such-criterion\n",
        "NEW-1,Again,,Acme,100,EUR,2025-01-01,2026-01-01,,\n",
    )
    before = Contract.unscoped.count()

    with pytest.raises(RowsRefused) as refused:
        actions.import_contracts(
            world.buyer.organisation, data, "contracts.csv", acting_user=world.buyer.user
        )

    assert {(p.row, p.field, p.code) for p in refused.value.problems} == {
        (3, "value", "not_number"),
        (3, "currency", "not_currency"),
        (3, "end_date", "ends_before_start"),
        (4, "framework_version", "unknown_version"),
        (5, "criteria", "unknown_criterion"),
        (6, "reference", "duplicate_row"),
    }
    assert Contract.unscoped.count() == before


@pytest.mark.django_db
def test_an_existing_reference_is_refused_and_an_xlsx_reads(world: World) -> None:
    book = Workbook()
    book.active.append(["Reference", "Title", "Supplier", "Value", "Start date", "End date"])
    book.active.append(["RWS-1", "Again", "Acme", 10, date(2025, 1, 1), date(2026, 1, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    rows, problems = read_contracts(buffer.getvalue(), "c.xlsx")
    assert (rows[0].start_date, rows[0].value, problems.count) == (date(2025, 1, 1), Decimal("10.00"), 0)

    with pytest.raises(RowsRefused) as refused:
        actions.import_contracts(world.buyer.organisation, buffer.getvalue(), "c.xlsx", acting_user=None)
    assert [(p.row, p.code) for p in refused.value.problems] == [(2, "exists")]


@pytest.mark.django_db
def test_the_command_and_the_page_import_contracts(world: World, tmp_path: Any) -> None:
    path = tmp_path / "contracts.csv"
    path.write_bytes(_file(world, "CMD-1,Laptops,,Acme,100,EUR,2025-01-01,2026-01-01,,\n"))
    out = io.StringIO()
    call_command("contracts", "import", "rijkswaterstaat", str(path), "--user", "pia", stdout=out)
    assert "1 contract(s) imported" in out.getvalue()
    with pytest.raises(CommandError, match="row 2, value"):
        path.write_bytes(_file(world, "CMD-2,Laptops,,Acme,x,EUR,2025-01-01,2026-01-01,,\n"))
        call_command("contracts", "import", "rijkswaterstaat", str(path))

    page = signed_in(world.buyer)
    upload = io.BytesIO(_file(world, "WEB-1,Laptops,,Acme,x,EUR,2025-01-01,2026-01-01,,\n"))
    upload.name = "contracts.csv"
    body = page.post("/contracts/import/rijkswaterstaat/", {"file": upload}).content.decode()
    assert "row 2, value: not a number" in body
    upload = io.BytesIO(_file(world, "WEB-1,Laptops,,Acme,100,EUR,2025-01-01,2026-01-01,,\n"))
    upload.name = "contracts.csv"
    assert page.post("/contracts/import/rijkswaterstaat/", {"file": upload}).status_code == 302
    assert Contract.unscoped.filter(reference="WEB-1", organisation=world.buyer.organisation).exists()
    assert signed_in(world.viewer).get("/contracts/import/rijkswaterstaat/").status_code == 403
    assert signed_in(world.other_buyer).get("/contracts/import/rijkswaterstaat/").status_code == 404
    # A supplier never enters contracts as their buyer: refused in its own organisation, with its reason.
    assert signed_in(world.supplier).get("/contracts/import/green-refurb/").status_code == 403


# -- the API ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_shows_a_buyer_its_contracts_and_a_supplier_what_it_supplies(world: World) -> None:
    pia = signed_in(world.buyer)
    assert [c["reference"] for c in pia.get("/api/v1/contracts/").json()["contracts"]] == ["RWS-1"]
    detail = pia.get(f"/api/v1/contracts/{world.contract}/").json()
    assert {o["kind"] for o in detail["obligations"]} == {"figure"}
    assert detail["obligations"][0]["figures"][0]["unit"] == "units"

    sid = signed_in(world.supplier)
    assert [c["reference"] for c in sid.get("/api/v1/contracts/supplied/").json()["contracts"]] == ["RWS-1"]
    assert sid.get("/api/v1/contracts/").json() == {"count": 0, "page": 1, "contracts": []}
    obligation = detail["obligations"][0]["id"]
    url = f"/api/v1/contracts/supplied/{world.contract}/obligations/{obligation}/figures/"
    refused = sid.post(url, {"values": {"taken_back_units": "12"}}, content_type="application/json")
    assert refused.status_code == 400  # the mass is missing
    done = sid.post(
        url,
        {"values": {"taken_back_units": "12", "taken_back_kg": "1.234,5"}},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "delivered" and done.json()["delivered"]["taken_back_kg"] == "1234.5"


@pytest.mark.django_db
def test_the_api_never_shows_another_organisations_contract(world: World) -> None:
    pia, sid, olga = signed_in(world.buyer), signed_in(world.supplier), signed_in(world.other_supplier)
    assert pia.get(f"/api/v1/contracts/{world.others}/").status_code == 404
    assert pia.get(f"/api/v1/contracts/supplied/{world.contract}/").status_code == 404
    assert sid.get(f"/api/v1/contracts/{world.contract}/").status_code == 404  # the buyer's view
    assert sid.get(f"/api/v1/contracts/supplied/{world.others}/").status_code == 404
    assert olga.get("/api/v1/contracts/supplied/").json()["contracts"][0]["reference"] == "LYON-1"
    assert olga.get(f"/api/v1/contracts/supplied/{world.contract}/").status_code == 404
    assert Client().get("/api/v1/contracts/").status_code == 401
    obligation = Contract.unscoped.get(pk=world.contract).obligations.first()
    assert obligation is not None
    url = f"/api/v1/contracts/supplied/{world.contract}/obligations/{obligation.pk}/figures/"
    assert olga.post(url, {"values": {}}, content_type="application/json").status_code == 404
    viewer = make_persona("sven", "green-refurb", Organisation.Type.SUPPORTER, Membership.Role.VIEWER)
    assert signed_in(viewer).post(url, {"values": {}}, content_type="application/json").status_code == 403


# -- labels -------------------------------------------------------------------------------------------


def test_every_topic_figure_has_a_translatable_label() -> None:
    keys = {f.key for figures in TOPIC_FIGURES.values() for f in figures}
    assert keys <= set(FIGURE_LABELS)
    english = {f.key: f.label for figures in TOPIC_FIGURES.values() for f in figures}
    assert {k: str(FIGURE_LABELS[k]) for k in keys} == english
    with translation.override("en"):
        assert figure_label({"key": "taken_back_kg", "label": "x"}) == "Mass taken back"
        assert figure_label({"key": "nb-req-1", "label": "nb-req-1"}) == "nb-req-1"
