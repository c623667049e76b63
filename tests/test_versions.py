"""Framework versions: idempotent loading, frozen published versions, drafts and change logs."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cfit.accounts.models import Membership, Organisation
from cfit.criteria import actions, content
from cfit.criteria.models import Criterion, FrameworkVersion, PublishedVersionError, Requirement
from tests.conftest import make_persona


def test_loading_the_same_files_twice_changes_nothing(framework: FrameworkVersion) -> None:
    before = (FrameworkVersion.objects.count(), Criterion.objects.count(), Requirement.objects.count())

    call_command("loadframework")

    assert (
        FrameworkVersion.objects.count(),
        Criterion.objects.count(),
        Requirement.objects.count(),
    ) == before


def test_changed_files_under_a_published_version_are_refused(
    framework: FrameworkVersion, framework_content
) -> None:
    changed = framework_content.model_copy(update={"criteria": framework_content.criteria[:-1]})

    with pytest.raises(actions.FrameworkError, match="published and the files differ"):
        actions.load_framework(changed)


def test_a_published_version_never_changes(framework: FrameworkVersion) -> None:
    criterion = Criterion.objects.filter(version=framework).first()
    criterion.title = {**criterion.title, "en": "Changed"}

    with pytest.raises(PublishedVersionError):
        criterion.save()
    with pytest.raises(PublishedVersionError):
        criterion.delete()
    requirement = criterion.requirements.first()
    with pytest.raises(PublishedVersionError):
        requirement.save()


def test_a_draft_copies_the_version_and_publishing_writes_a_change_log(
    framework: FrameworkVersion, secretary
) -> None:
    reviewer = make_persona("rita", "pact-secretariat", Organisation.Type.SECRETARIAT, Membership.Role.ADMIN)
    draft = actions.create_draft(framework)
    assert draft.criteria.count() == framework.criteria.count()
    assert not draft.is_published

    edited = draft.criteria.get(code=framework.criteria.first().code)
    edited.title = {**edited.title, "en": edited.title["en"] + " (revised)"}
    edited.save()
    draft.criteria.exclude(pk=edited.pk).last().delete()
    actions.submit_for_review(
        draft, acting_user=secretary.user, code="2099.1", release_notes="Revised title."
    )
    actions.approve_version(draft, acting_user=reviewer.user)
    published = actions.publish_version(draft, acting_user=reviewer.user)

    assert published.is_published and published.published_at
    assert f"Changed {edited.code}: title" in published.changelog
    assert "Removed (1)" in published.changelog
    assert FrameworkVersion.objects.latest_published() == published
    # the old version still holds its own text
    assert "(revised)" not in framework.criteria.get(code=edited.code).title["en"]


def test_publishing_twice_is_refused(framework: FrameworkVersion, secretary) -> None:
    with pytest.raises(PublishedVersionError):
        actions.publish_version(framework, acting_user=secretary.user)


def test_version_to_content_round_trips(
    framework: FrameworkVersion, framework_content: content.Framework
) -> None:
    assert actions.version_to_content(framework).criteria == framework_content.criteria
