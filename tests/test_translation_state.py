"""Translation state per field: a change in one language (or of a threshold) puts the others in doubt.

Sam, of the secretariat, edits a draft; Rita, a second secretariat member, reviews the languages
that need it; Pia, a procurer, may not.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.accounts.models import Membership, Organisation
from cfit.criteria import actions, content, translation
from cfit.criteria.models import Criterion, FieldChange, FieldTranslation, FrameworkVersion
from tests.conftest import Persona, make_persona

LANGUAGES = content.LANGUAGES


def edit_data(criterion: Criterion, **changes: Any) -> dict[str, Any]:
    """The edit form's cleaned data for ``criterion`` as it is, with ``changes`` (e.g. text_en=...)."""
    data: dict[str, Any] = {
        f"{prefix}_{lang}": getattr(criterion, field).get(lang, "")
        for field, prefix in (
            ("title", "title"),
            ("text", "text"),
            ("rationale", "rationale"),
            ("verification_documents", "verification"),
        )
        for lang in LANGUAGES
    }
    for requirement in criterion.requirements.all():
        if requirement.data_type in (content.DataType.NUMBER, content.DataType.INTEGER):
            for bound in ("min_value", "max_value"):
                data[f"{requirement.pk}_{bound}"] = getattr(requirement, bound)
    data.update(changes)
    return data


@pytest.fixture
def rita(db: Any) -> Persona:
    return make_persona("rita", "pact-secretariat", Organisation.Type.SECRETARIAT, Membership.Role.ADMIN)


@pytest.fixture
def draft(framework: FrameworkVersion) -> FrameworkVersion:
    return actions.create_draft(framework)


def states(version: FrameworkVersion, code: str, field: str) -> dict[str, str]:
    return dict(
        FieldTranslation.objects.filter(version=version, criterion_code=code, field=field).values_list(
            "language", "state"
        )
    )


# --- storing the state ---------------------------------------------------------------------------


def test_changing_the_english_text_puts_the_other_languages_in_review(draft, secretary) -> None:
    criterion = draft.criteria.get(code="nb-battery-cycles-b")
    old_text = criterion.text["en"]

    actions.update_criterion_texts(
        criterion, edit_data(criterion, text_en=old_text + " Revised."), acting_user=secretary.user
    )

    assert states(draft, criterion.code, "text") == {
        "en": "updated",
        "nl": "needs_review",
        "fr": "needs_review",
        "de": "needs_review",
        "nb": "needs_review",
    }
    german = FieldTranslation.objects.get(
        version=draft, criterion_code=criterion.code, field="text", language="de"
    )
    assert (german.source_language, german.source_before, german.source_after) == (
        "en",
        old_text,
        old_text + " Revised.",
    )
    change = FieldChange.objects.get(version=draft, criterion_code=criterion.code)
    assert (change.field, change.language, change.before, change.after, change.changed_by) == (
        "text",
        "en",
        old_text,
        old_text + " Revised.",
        secretary.user,
    )
    draft.refresh_from_db()
    assert draft.last_edited_by == secretary.user
    assert states(draft, criterion.code, "title") == {}  # untouched fields stay out of review


def test_changing_a_threshold_puts_every_language_quoting_it_in_review(draft, secretary) -> None:
    """The issue's story: 300 cycles raised to 400. The texts refer to the requirement, so every
    language now says 400 without being typed again, and every language is put in review."""
    criterion = draft.criteria.get(code="nb-battery-cycles-b")
    requirement = criterion.requirements.get(min_value=300)
    data = edit_data(criterion, **{f"{requirement.pk}_min_value": 400.0})

    actions.update_criterion_texts(criterion, data, acting_user=secretary.user)

    assert set(states(draft, criterion.code, "text").values()) == {"needs_review"}
    german = FieldTranslation.objects.get(
        version=draft, criterion_code=criterion.code, field="text", language="de"
    )
    assert "≥ 300" in german.source_before and "≥ 400" in german.source_after
    # The title refers to the requirement in every language, so all of it needs review too.
    assert set(states(draft, criterion.code, "title").values()) == {"needs_review"}
    threshold = FieldChange.objects.get(version=draft, field=f"{requirement.code}.min_value")
    assert (threshold.language, threshold.before, threshold.after) == ("", 300.0, 400.0)
    criterion.refresh_from_db()
    for lang in LANGUAGES:
        shown = criterion.rendered("text", lang)
        assert "400" in shown and "300" not in shown, lang


def test_a_second_change_keeps_the_source_the_translation_last_followed(draft, secretary) -> None:
    criterion = draft.criteria.get(code="nb-battery-cycles-b")
    first = criterion.text["en"]
    actions.update_criterion_texts(
        criterion, edit_data(criterion, text_en="Step one."), acting_user=secretary.user
    )
    criterion.refresh_from_db()
    actions.update_criterion_texts(
        criterion, edit_data(criterion, text_en="Step two."), acting_user=secretary.user
    )

    dutch = FieldTranslation.objects.get(
        version=draft, criterion_code=criterion.code, field="text", language="nl"
    )
    assert (dutch.state, dutch.source_before, dutch.source_after) == ("needs_review", first, "Step two.")
    assert FieldChange.objects.filter(version=draft, criterion_code=criterion.code).count() == 2


def test_a_review_is_undone_by_the_next_change_of_the_source(draft, secretary, rita) -> None:
    criterion = draft.criteria.get(code="nb-battery-cycles-b")
    actions.update_criterion_texts(
        criterion, edit_data(criterion, text_en="One."), acting_user=secretary.user
    )
    actions.mark_reviewed(draft, criterion.code, "text", "de", acting_user=rita.user)
    reviewed = FieldTranslation.objects.get(
        version=draft, criterion_code=criterion.code, field="text", language="de"
    )
    assert (reviewed.state, reviewed.reviewed_by) == ("reviewed", rita.user)

    criterion.refresh_from_db()
    actions.update_criterion_texts(
        criterion, edit_data(criterion, text_en="Two."), acting_user=secretary.user
    )

    reviewed.refresh_from_db()
    assert (reviewed.state, reviewed.reviewed_by, reviewed.source_before) == ("needs_review", None, "One.")


def test_reviewing_a_language_that_is_not_waiting_is_refused(draft, secretary) -> None:
    criterion = draft.criteria.get(code="nb-battery-cycles-b")
    actions.update_criterion_texts(
        criterion, edit_data(criterion, text_en="One."), acting_user=secretary.user
    )

    with pytest.raises(actions.ReviewError):
        actions.mark_reviewed(draft, criterion.code, "text", "en", acting_user=secretary.user)
    with pytest.raises(actions.ReviewError):
        actions.mark_reviewed(draft, criterion.code, "title", "de", acting_user=secretary.user)


# --- the edit page -------------------------------------------------------------------------------


def test_the_edit_page_shows_previous_and_new_source_and_marks_reviewed(
    client: Client, draft, secretary, rita
) -> None:
    criterion = draft.criteria.get(code="nb-battery-cycles-b")
    old_text = criterion.text["en"]
    actions.update_criterion_texts(
        criterion, edit_data(criterion, text_en="A wholly new English text."), acting_user=secretary.user
    )
    client.force_login(rita.user)
    url = f"/criteria/versions/{draft.code}/edit/{criterion.code}/"

    page = client.get(url).content.decode()

    assert 'id="needs-review"' in page
    assert "A wholly new English text." in page and old_text.split(",")[0] in page
    assert page.count("as reviewed</button>") == 4
    assert page.count('<a href="#needs-review">Needs review</a>: text') == 4  # beside each language

    response = client.post(url + "reviewed/", {"field": "text", "language": "nb"})

    assert response.status_code == 302
    assert states(draft, criterion.code, "text")["nb"] == "reviewed"
    assert client.get(url).content.decode().count("as reviewed</button>") == 3


def test_a_procurer_cannot_mark_a_translation_reviewed(client: Client, draft, secretary, procurer) -> None:
    criterion = draft.criteria.get(code="nb-battery-cycles-b")
    actions.update_criterion_texts(
        criterion, edit_data(criterion, text_en="One."), acting_user=secretary.user
    )
    client.force_login(procurer.user)

    response = client.post(
        f"/criteria/versions/{draft.code}/edit/{criterion.code}/reviewed/",
        {"field": "text", "language": "nb"},
    )

    assert response.status_code in (403, 404)
    assert states(draft, criterion.code, "text")["nb"] == "needs_review"


# --- the rule that must always hold --------------------------------------------------------------

edits = st.one_of(
    st.tuples(st.just("edit"), st.sets(st.sampled_from(LANGUAGES), min_size=1)),
    st.tuples(st.just("threshold"), st.sets(st.sampled_from(LANGUAGES))),
    st.tuples(st.just("review"), st.sampled_from(LANGUAGES)),
)


@settings(max_examples=300, deadline=None, database=None)
@given(steps=st.lists(edits, max_size=25))
def test_no_language_is_reviewed_unless_it_was_reviewed_since_its_source_changed(steps) -> None:
    """Whatever the edits and reviews, a language reads "reviewed" only if someone reviewed it after
    the last change it did not take part in, and "needs review" exactly when nobody has since."""
    state: dict[str, translation.LanguageState | None] = {}
    last: dict[str, str] = {}  # per language: what last happened to it ("edited", "doubted", "reviewed")
    for number, (kind, argument) in enumerate(steps):
        if kind == "review":
            if state.get(argument) is None or state[argument].state != translation.NEEDS_REVIEW:
                with pytest.raises(translation.NotNeedingReview):
                    translation.after_review(state, argument)
                continue
            state = translation.after_review(state, argument)
            last[argument] = "reviewed"
            continue
        edited = set(argument)  # a threshold change may come with some languages rewritten, or none
        state = translation.after_edit(
            state,
            edited=edited,
            source_language=translation.source_language(edited),
            source_before=f"v{number}",
            source_after=f"v{number + 1}",
        )
        for lang in LANGUAGES:
            last[lang] = "edited" if lang in edited else "doubted"

    expected = {
        "edited": translation.UPDATED,
        "doubted": translation.NEEDS_REVIEW,
        "reviewed": translation.REVIEWED,
    }
    assert {lang: s.state for lang, s in state.items() if s is not None} == {
        lang: expected[what] for lang, what in last.items()
    }


# --- thresholds typed into texts -----------------------------------------------------------------

#: Counted on 2026-12-06, after the texts came to refer to requirements (232 before). Left typed on
#: purpose: 11 are a law's or a label's own figure that equals ours today (Regulation (EU) 2023/1670's
#: 5 years and 5 working days, the CRA's 5 years, REACH's 0.1 %, the EU legal guarantee's 2 years,
#: TCO Certified's 5 years); 2 are another criterion's value; 3 are "All (100 %)", where the word
#: carries the meaning; 6 state once a value that two requirements share ("5 working days, also
#: after market end", "bromine and chlorine below 1000 ppm"). They must not grow.
TYPED_THRESHOLDS_TODAY = 22


def test_thresholds_typed_into_texts_agree_across_languages_and_do_not_grow(framework_content) -> None:
    found = translation.typed_thresholds(framework_content.criteria)

    # A number one language has and another has not is a translation left behind by an edit.
    assert [f for f in found if f.disagrees] == []
    assert len(found) <= TYPED_THRESHOLDS_TODAY, (
        f"{len(found)} thresholds typed into texts (was {TYPED_THRESHOLDS_TODAY}): refer to the requirement instead"
    )


def test_the_typed_number_check_flags_a_stale_language() -> None:
    criterion = content.Criterion.model_validate(
        {
            **_battery_criterion(),
            "text": {lang: "At least 400 cycles." for lang in LANGUAGES} | {"de": "Mindestens 300 Zyklen."},
        }
    )

    (finding,) = [f for f in translation.typed_thresholds([criterion]) if f.field == "text"]

    assert finding.disagrees and finding.languages == ("en", "nl", "fr", "nb")
    assert translation.numbers_in("1,000 cycles, 1 000 cycles, 1.95 or 1,95; IEC 61960-3") == {
        1000.0,
        1.95,
        61960.0,  # the "3" of IEC 61960-3 is part of the standard's number, not a quantity
    }


def _battery_criterion() -> dict[str, Any]:
    base = content.load_framework_dir()
    item = next(c for c in base.criteria if c.id == "nb-battery-cycles-b").model_dump(mode="json")
    item["requirements"][0]["min_value"] = 400
    return item
