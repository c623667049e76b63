"""Review before publication: draft -> in review -> approved -> published, by two people.

Sam, of the secretariat, edits and submits; Rita, a second secretariat member, approves or sends
back. The version page shows the state, who did what, and each field before and after.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cfit.accounts.models import Membership, Organisation
from cfit.criteria import actions
from cfit.criteria.models import (
    FrameworkVersion,
    PublishedVersionError,
    VersionEvent,
    VersionUnderReviewError,
)
from tests.conftest import Persona, make_persona
from tests.test_translation_state import edit_data


@pytest.fixture
def rita(db: Any) -> Persona:
    return make_persona("rita", "pact-secretariat", Organisation.Type.SECRETARIAT, Membership.Role.ADMIN)


@pytest.fixture
def draft(framework: FrameworkVersion) -> FrameworkVersion:
    return actions.create_draft(framework)


def edit_english_only(draft: FrameworkVersion, who: Any, code: str = "nb-battery-cycles-b") -> None:
    criterion = draft.criteria.get(code=code)
    actions.update_criterion_texts(
        criterion, edit_data(criterion, title_en=criterion.title["en"] + " (revised)"), acting_user=who
    )


def submit(draft: FrameworkVersion, who: Any, code: str = "2099.1") -> FrameworkVersion:
    return actions.submit_for_review(
        draft, acting_user=who, code=code, release_notes="Battery title revised."
    )


def test_publishing_with_a_language_not_reviewed_is_refused(draft, secretary, rita) -> None:
    edit_english_only(draft, secretary.user)
    submit(draft, secretary.user)

    with pytest.raises(actions.ReviewError, match="not reviewed"):
        actions.approve_version(draft, acting_user=rita.user)
    with pytest.raises(actions.ReviewError, match="approved"):
        actions.publish_version(draft, acting_user=rita.user)

    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.IN_REVIEW and not draft.is_published


def test_an_explicit_acceptance_with_a_reason_goes_through_and_the_change_log_says_so(
    draft, secretary, rita
) -> None:
    edit_english_only(draft, secretary.user)
    submit(draft, secretary.user)

    actions.approve_version(
        draft, acting_user=rita.user, accept_unreviewed="Typo fix in English; translators follow in 2099.2."
    )
    published = actions.publish_version(draft, acting_user=rita.user)

    assert published.is_published
    assert "Unreviewed translations accepted by rita: Typo fix in English" in published.changelog
    assert "nb-battery-cycles-b.title (de)" in published.changelog
    assert VersionEvent.objects.filter(version=draft, kind=VersionEvent.Kind.ACCEPTED_UNREVIEWED).exists()


def test_once_every_language_is_reviewed_no_acceptance_is_needed(draft, secretary, rita) -> None:
    edit_english_only(draft, secretary.user)
    for lang in ("nl", "fr", "de", "nb"):
        actions.mark_reviewed(draft, "nb-battery-cycles-b", "title", lang, acting_user=rita.user)
    submit(draft, secretary.user)

    actions.approve_version(draft, acting_user=rita.user)
    published = actions.publish_version(draft, acting_user=secretary.user)

    assert "Unreviewed" not in published.changelog
    # the change log shows the field before and after
    assert "nb-battery-cycles-b title (en), sam" in published.changelog and "(revised)" in published.changelog


def test_the_approver_is_someone_other_than_the_last_editor(draft, secretary, rita) -> None:
    edit_english_only(draft, secretary.user)
    submit(draft, secretary.user)

    with pytest.raises(actions.ReviewError, match="other than the last editor"):
        actions.approve_version(draft, acting_user=secretary.user, accept_unreviewed="fine")

    # Rita sends it back and edits it herself: now she is the last editor and Sam approves.
    actions.send_back(draft, acting_user=rita.user, comment="The Dutch title too, please.")
    edit_english_only(draft, rita.user)
    submit(draft, rita.user, code="2099.1")
    with pytest.raises(actions.ReviewError, match="other than the last editor"):
        actions.approve_version(draft, acting_user=rita.user, accept_unreviewed="fine")
    actions.approve_version(draft, acting_user=secretary.user, accept_unreviewed="fine")

    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (FrameworkVersion.Status.APPROVED, secretary.user)


def test_a_version_in_review_cannot_be_edited_and_a_published_one_never_changes(
    draft, secretary, rita
) -> None:
    edit_english_only(draft, secretary.user)
    submit(draft, secretary.user)

    with pytest.raises(VersionUnderReviewError):
        edit_english_only(draft, secretary.user)

    actions.approve_version(draft, acting_user=rita.user, accept_unreviewed="fine")
    actions.publish_version(draft, acting_user=rita.user)
    with pytest.raises(PublishedVersionError):
        edit_english_only(draft, secretary.user)
    with pytest.raises(PublishedVersionError):
        actions.send_back(draft, acting_user=rita.user, comment="too late")
    with pytest.raises(PublishedVersionError):
        actions.publish_version(draft, acting_user=rita.user)


@pytest.mark.parametrize(
    ("code", "notes", "problem"),
    [("2099.1-draft1", "Notes.", "year.number"), ("2099.1", "  ", "release notes")],
)
def test_a_version_is_named_by_the_secretariat_with_release_notes(
    draft, secretary, code, notes, problem
) -> None:
    with pytest.raises(actions.ReviewError, match=problem):
        actions.submit_for_review(draft, acting_user=secretary.user, code=code, release_notes=notes)


def test_a_version_name_is_not_taken_twice(framework, draft, secretary) -> None:
    other = actions.create_draft(framework)
    submit(other, secretary.user, code="2099.3")
    actions.send_back(other, acting_user=secretary.user, comment="again")

    with pytest.raises(actions.ReviewError, match="already exists"):
        submit(draft, secretary.user, code="2099.3")


def test_the_version_page_walks_through_the_review(client: Client, draft, secretary, rita) -> None:
    edit_english_only(draft, secretary.user)
    client.force_login(secretary.user)
    client.post(
        f"/criteria/versions/{draft.code}/submit/", {"code": "2099.1", "release_notes": "Battery title."}
    )
    draft.refresh_from_db()
    assert draft.code == "2099.1" and draft.status == FrameworkVersion.Status.IN_REVIEW
    page = client.get("/criteria/versions/2099.1/").content.decode()
    assert "You edited this version last" in page and "/approve/" not in page

    client.force_login(rita.user)
    refused = client.post(
        "/criteria/versions/2099.1/approve/", {"comment": "ok"}, follow=True
    ).content.decode()
    assert "not reviewed" in refused
    client.post("/criteria/versions/2099.1/approve/", {"accept_unreviewed": "Translators follow."})
    client.post("/criteria/versions/2099.1/publish/")

    page = client.get("/criteria/versions/2099.1/").content.decode()
    assert 'id="version-status">Published' in page
    assert "Battery title." in page  # release notes
    assert "Unreviewed translations accepted by rita: Translators follow." in page
    assert "(revised)" in page  # the change, before and after
    for step in ("Submitted for review", "Approved", "Published", "Criterion edited"):
        assert step in page


def test_a_procurer_cannot_approve(client: Client, draft, secretary, procurer) -> None:
    edit_english_only(draft, secretary.user)
    submit(draft, secretary.user)
    client.force_login(procurer.user)

    response = client.post(f"/criteria/versions/{draft.code}/approve/", {"accept_unreviewed": "x"})

    assert response.status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.IN_REVIEW


# --- tenders built on an older version -------------------------------------------------------------


def publish_new_version(framework, secretary, rita, code: str = "nb-battery-cycles-b") -> FrameworkVersion:
    """Sam raises a threshold and retitles a criterion in every language; Rita approves; it is published."""
    draft = actions.create_draft(framework)
    criterion = draft.criteria.get(code=code)
    requirement = criterion.requirements.get(min_value=300)
    changes = {f"title_{lang}": text.replace("300", "400") for lang, text in criterion.title.items()} | {
        f"text_{lang}": text.replace("300", "400") for lang, text in criterion.text.items()
    }
    changes[f"{requirement.pk}_min_value"] = 400.0
    actions.update_criterion_texts(criterion, edit_data(criterion, **changes), acting_user=secretary.user)
    # Every language was edited by hand; a text quoting the old number elsewhere is reviewed by Rita.
    for pending in draft.unreviewed_translations():
        actions.mark_reviewed(draft, code, pending.field, pending.language, acting_user=rita.user)
    submit(draft, secretary.user, code="2099.1")
    actions.approve_version(draft, acting_user=rita.user)
    return actions.publish_version(draft, acting_user=rita.user)


@pytest.fixture
def two_lot_tender(framework, procurer):
    from cfit.tenders import actions as tender_actions

    tender = tender_actions.create_tender(
        procurer.organisation,
        title="Notebooks",
        reference="NB-2099",
        version=framework,
        acting_user=procurer.user,
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=100, acting_user=None)
    tender_actions.add_lot(tender, product_group="notebooks", quantity=50, acting_user=None)
    return tender


def test_a_tender_on_an_older_version_shows_what_changed_before_and_after(
    client: Client, framework, two_lot_tender, secretary, rita, procurer
) -> None:
    from cfit.tenders import actions as tender_actions

    lot = two_lot_tender.lots.get(number=1)
    assert lot.lot_criteria.filter(criterion__code="nb-battery-cycles-b").exists()
    newer = publish_new_version(framework, secretary, rita)

    (first, second) = tender_actions.version_changes(two_lot_tender)

    assert first.newer == newer and [c.code for c in first.changed] == ["nb-battery-cycles-b"]
    differences = {(d.field, d.language): (d.before, d.after) for d in first.changed[0].differences}
    requirement_code = next(f for f, _lang in differences if f.endswith(".min_value"))
    assert differences[(requirement_code, "")] == (300, 400)
    assert "300" in differences[("text", "de")][0] and "400" in differences[("text", "de")][1]
    client.force_login(procurer.user)
    page = client.get(f"/tenders/{two_lot_tender.pk}/review/").content.decode()
    assert 'id="version-changes"' in page and "Move lot 1 to version 2099.1" in page


def test_a_draft_tender_moves_to_the_new_version_lot_by_lot(
    client: Client, framework, two_lot_tender, secretary, rita, procurer
) -> None:
    newer = publish_new_version(framework, secretary, rita)
    first, second = two_lot_tender.lots.order_by("number")
    weights_before = sorted((row.criterion.code, row.type, row.weight) for row in first.lot_criteria.all())
    client.force_login(procurer.user)

    client.post(
        f"/tenders/{two_lot_tender.pk}/edit/", {"lot": "1", "op": "move_version", "version": newer.code}
    )

    first.refresh_from_db()
    two_lot_tender.refresh_from_db()
    assert first.version == newer and two_lot_tender.framework_version == framework
    assert set(first.lot_criteria.values_list("criterion__version", flat=True)) == {newer.pk}
    assert sorted((r.criterion.code, r.type, r.weight) for r in first.lot_criteria.all()) == weights_before
    assert set(second.lot_criteria.values_list("criterion__version", flat=True)) == {framework.pk}
    # the documents take the moved lot's texts from the new version
    from cfit.tenders import actions as tender_actions

    spec = tender_actions.tender_spec(two_lot_tender)
    moved = next(c for c in spec.lots[0].criteria if c.criterion.id == "nb-battery-cycles-b")
    kept = next(c for c in spec.lots[1].criteria if c.criterion.id == "nb-battery-cycles-b")
    assert "400" in moved.criterion.text["en"] and "300" in kept.criterion.text["en"]

    client.post(
        f"/tenders/{two_lot_tender.pk}/edit/", {"lot": "2", "op": "move_version", "version": newer.code}
    )

    two_lot_tender.refresh_from_db()
    assert two_lot_tender.framework_version == newer
    assert list(two_lot_tender.lots.values_list("framework_version", flat=True)) == [None, None]
    assert tender_actions.version_changes(two_lot_tender) == []


def test_a_published_tender_keeps_its_version(framework, two_lot_tender, secretary, rita, procurer) -> None:
    from cfit.tenders import actions as tender_actions
    from cfit.tenders.models import Tender, TenderFrozen

    newer = publish_new_version(framework, secretary, rita)
    Tender.unscoped.filter(pk=two_lot_tender.pk).update(status=Tender.Status.PUBLISHED)
    lot = two_lot_tender.lots.get(number=1)

    with pytest.raises(TenderFrozen):
        tender_actions.move_lot_to_version(lot, newer, acting_user=procurer.user)

    assert set(lot.lot_criteria.values_list("criterion__version", flat=True)) == {framework.pk}


def test_moving_to_a_version_that_is_not_newer_is_refused(framework, two_lot_tender, procurer) -> None:
    from cfit.tenders import actions as tender_actions

    draft = actions.create_draft(framework)

    with pytest.raises(tender_actions.TenderError):
        tender_actions.move_lot_to_version(two_lot_tender.lots.first(), draft, acting_user=procurer.user)
    with pytest.raises(tender_actions.TenderError):
        tender_actions.move_lot_to_version(two_lot_tender.lots.first(), framework, acting_user=procurer.user)


def test_only_the_secretariat_approves_whoever_calls_the_action(draft, secretary, procurer) -> None:
    edit_english_only(draft, secretary.user)
    submit(draft, secretary.user)

    with pytest.raises(actions.ReviewError, match="Only the secretariat"):
        actions.approve_version(draft, acting_user=procurer.user, accept_unreviewed="looks fine")
