"""An import updates a draft's criteria in place, by their stable code: what points at them keeps them.

Sam (secretariat) keeps a shortlist of draft criteria for the pact's own tender, a guide explains one of
them, and Sam's edits are in the audit trail. A translator's workbook changes one threshold: after the
import, the shortlist still holds the same criteria (the same rows, now with the new threshold), the
guide still finds its criterion, the audit trail still points at it, and the edit form of a requirement
opened before the import still saves after it. A file that changes nothing changes nothing.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfit.audit.models import AuditRecord
from cfit.criteria import actions, content, exchange
from cfit.criteria.models import (
    Criterion,
    FieldChange,
    FrameworkVersion,
    ProductGroup,
    Requirement,
    Shortlist,
    VersionEvent,
)
from cfit.learning.actions import create_guide
from cfit.learning.models import GuideCriterion

#: Smartphones' spare parts: 7 years, the floor of Commission Regulation (EU) 2023/1670.
CRITERION = "mob-spare-parts-b"
REQUIREMENT = "mob-spare-parts-b.years"
#: Shortlisted too, and left alone by the file.
UNTOUCHED = "mon-warranty-a"


@pytest.fixture
def draft(framework: FrameworkVersion, secretary: Any) -> FrameworkVersion:
    return actions.create_draft(framework, acting_user=secretary.user)


def _workbook(version: FrameworkVersion, edit: Any = None) -> bytes:
    framework = actions.version_to_content(version)
    data = exchange.rows_to_xlsx(exchange.framework_to_rows(framework), version=version.code, about=[])
    if edit is None:
        return data
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Criteria"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        edit(row, header)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _eight_years(row: Any, header: list[str]) -> None:
    if row[header.index("requirement_id")].value == REQUIREMENT:
        row[header.index("min_value")].value = 8


def _import(client: Client, draft: FrameworkVersion, data: bytes) -> Any:
    upload = io.BytesIO(data)
    upload.name = "criteria.xlsx"
    checked = client.post(f"/criteria/versions/{draft.code}/import/", {"file": upload})
    assert checked.context["problems"] == [], checked.context["problems"]
    return client.post(f"/criteria/versions/{draft.code}/import/", {"confirm": checked.context["token"]})


def _shortlist(client: Client, draft: FrameworkVersion, secretary: Any) -> Shortlist:
    for code in (CRITERION, UNTOUCHED):
        client.post(
            f"/criteria/{code}/shortlist/",
            {
                "version": draft.code,
                "shortlist": str(Shortlist.unscoped.get().pk) if Shortlist.unscoped.exists() else "new",
                "organisation": secretary.organisation.slug,
                "name": "Pact tender 2027",
            },
        )
    return Shortlist.unscoped.get()


def test_an_import_changing_one_threshold_keeps_the_shortlist_the_guide_and_the_audit_trail(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    shortlist = _shortlist(client, draft, secretary)
    shortlisted = set(shortlist.criteria.values_list("pk", flat=True))
    assert len(shortlisted) == 2
    create_guide(
        slug="spare-parts",
        title={"en": "Spare parts"},
        body={"en": "Ask for seven years."},
        criteria=[CRITERION],
        acting_user=secretary.user,
    )
    criterion = Criterion.objects.get(version=draft, code=CRITERION)
    requirement = criterion.requirements.get(code=REQUIREMENT)
    edit_page = client.get(f"/criteria/versions/{draft.code}/edit/{CRITERION}/")
    assert f'name="{requirement.pk}_min_value"' in edit_page.content.decode()

    response = _import(client, draft, _workbook(draft, _eight_years))

    assert response.status_code == 302
    assert set(shortlist.criteria.values_list("pk", flat=True)) == shortlisted
    assert shortlist.criteria.get(code=CRITERION).requirements.get(code=REQUIREMENT).min_value == 8
    assert Criterion.objects.get(version=draft, code=CRITERION).pk == criterion.pk
    assert Requirement.objects.get(criterion__version=draft, code=REQUIREMENT).pk == requirement.pk
    # The guide finds its criterion in the draft, and the criterion page lists the guide.
    link = GuideCriterion.objects.get(guide__slug="spare-parts")
    assert Criterion.objects.filter(version=draft, code=link.criterion_code).exists()
    # The import's own record of the change points at the criterion as it is.
    changed = AuditRecord.objects.get(action=AuditRecord.Action.CRITERION_TEXTS_CHANGED)
    assert changed.object_id == str(criterion.pk)
    assert FieldChange.objects.get(version=draft, field=f"{REQUIREMENT}.min_value").after == 8


def test_an_import_that_changes_nothing_changes_nothing(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    shortlist = _shortlist(client, draft, secretary)
    rows_before = _rows(draft)
    groups_before = list(ProductGroup.objects.values_list("code", "updated"))
    events, records = VersionEvent.objects.count(), AuditRecord.objects.count()

    response = _import(client, draft, _workbook(draft))

    assert response.status_code == 302
    assert _rows(draft) == rows_before
    assert shortlist.criteria.count() == 2
    assert list(ProductGroup.objects.values_list("code", "updated")) == groups_before
    assert not FieldChange.objects.filter(version=draft).exists()
    assert (VersionEvent.objects.count(), AuditRecord.objects.count()) == (events, records)


def _rows(version: FrameworkVersion) -> dict[str, Any]:
    """Every criterion and requirement row of ``version`` by code: its primary key and its stored values."""
    return {
        **{c["code"]: c for c in Criterion.objects.filter(version=version).values()},
        **{
            f"{r['criterion_id']}/{r['code']}": r
            for r in Requirement.objects.filter(criterion__version=version).values()
        },
    }


# ---------------------------------------------------------------------------
# Whatever a file edits, the rows it keeps are the same rows, and the draft reads as the file
# ---------------------------------------------------------------------------


def _edited(framework: content.Framework, edits: list[tuple[str, int, int]]) -> content.Framework:
    """``framework`` with each edit applied: (kind, criterion index, amount)."""
    criteria = [c.model_dump(mode="json") for c in framework.criteria]
    for kind, index, amount in edits:
        if not criteria:
            break
        item = criteria[index % len(criteria)]
        if kind == "remove":
            criteria.remove(item)
        elif kind == "text":
            item["rationale"]["fr"] = f"{item['rationale']['fr']} (révision {amount})"
        elif kind == "raise":
            for requirement in item["requirements"]:
                for bound in ("min_value", "max_value"):
                    if requirement[bound] is not None and not requirement["legal_floors"]:
                        # raising a minimum asks more; lowering a maximum too: never below a floor
                        change = amount if bound == "min_value" else -min(amount, requirement[bound])
                        requirement[bound] = requirement[bound] + change
        elif kind == "drop_requirement" and len(item["requirements"]) > 1:
            item["requirements"].pop()  # refused by the schema if a text still refers to it
        elif kind == "move":
            criteria.insert(amount % len(criteria), criteria.pop(index % len(criteria)))
    return content.Framework.model_validate({**framework.model_dump(mode="json"), "criteria": criteria})


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["remove", "text", "raise", "drop_requirement", "move"]),
        st.integers(min_value=0, max_value=500),
        st.integers(min_value=1, max_value=3),
    ),
    max_size=6,
)


@pytest.mark.django_db
@settings(
    max_examples=5,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=EDITS)
def test_whatever_a_file_edits_kept_rows_stay_and_the_draft_reads_as_the_file(
    framework: FrameworkVersion, secretary: Any, edits: list[tuple[str, int, int]]
) -> None:
    with transaction.atomic():
        draft = actions.create_draft(framework, acting_user=secretary.user)
        before = actions.version_to_content(draft)
        try:
            edited = _edited(before, edits)
        except ValueError:
            transaction.set_rollback(True)
            return  # an edit the schema refuses (a text referring to a dropped requirement): not a file
        pks = dict(Criterion.objects.filter(version=draft).values_list("code", "pk"))
        requirement_pks = dict(Requirement.objects.filter(criterion__version=draft).values_list("code", "pk"))
        shortlist = Shortlist.unscoped.create(organisation=secretary.organisation, name="All")
        shortlist.criteria.set(Criterion.objects.filter(version=draft))

        actions.import_into_draft(draft, edited, acting_user=secretary.user, filename="edited.json")

        after = actions.version_to_content(draft)
        assert [c.model_dump(mode="json") for c in after.criteria] == [
            c.model_dump(mode="json") for c in edited.criteria
        ]
        kept = {c.id for c in edited.criteria}
        assert dict(Criterion.objects.filter(version=draft).values_list("code", "pk")) == {
            code: pk for code, pk in pks.items() if code in kept
        }
        assert set(shortlist.criteria.values_list("code", flat=True)) == kept
        for code, pk in Requirement.objects.filter(criterion__version=draft).values_list("code", "pk"):
            assert pk == requirement_pks[code]
        transaction.set_rollback(True)
