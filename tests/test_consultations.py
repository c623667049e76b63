"""Market consultations: a buyer group asks suppliers, suppliers answer before the deadline, the group
sees each answer and publishes an anonymised summary in which no answer given by fewer than three
suppliers shows (tested on random answers too)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.consultations import summary
from cfit.consultations.models import Consultation, Response
from cfit.pact.actions import create_buyer_group

from .conftest import Persona, make_persona


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


CHOICES = ("refurbished", "new", "leased")


@settings(max_examples=50, deadline=None)
@given(
    kind=st.sampled_from([summary.YES_NO, summary.CHOICE, summary.NUMBER]),
    answers=st.lists(st.integers(min_value=0, max_value=2), max_size=12),
)
def test_a_summary_never_shows_an_answer_fewer_than_three_suppliers_gave(
    kind: str, answers: list[int]
) -> None:
    shape = summary.QuestionShape(
        kind, CHOICES if kind == summary.CHOICE else ("5", "10") if kind == summary.NUMBER else ()
    )
    values = {
        summary.YES_NO: ["yes", "no", "no"],
        summary.CHOICE: list(CHOICES),
        summary.NUMBER: ["1", "7", "20"],
    }[kind]
    given_answers = {f"supplier-{i}": values[a] for i, a in enumerate(answers)}
    result = summary.summarise(shape, given_answers)
    true_counts = {c: 0 for c in summary.categories(shape)}
    for value in given_answers.values():
        true_counts[str(summary.category_of(shape, value))] += 1
    for count in result.counts:
        if count.count is not None:
            assert count.count == true_counts[count.category] and count.count >= 3
    if result.answered is not None:
        assert result.answered == len(given_answers) and result.answered >= 3
        # What one learns by subtracting the shown counts from the total is never fewer than three.
        hidden = sum(true_counts[c.category] for c in result.counts if c.count is None)
        assert hidden == 0 or hidden >= 3


def test_text_answers_are_never_summarised_and_few_answers_hide_the_total() -> None:
    assert summary.summarise(summary.QuestionShape(summary.TEXT), {"a": "x", "b": "y"}).answered is None
    assert summary.summarise(summary.QuestionShape(summary.TEXT), {"a": "x", "b": "y", "c": "z"}).counts == ()


@pytest.fixture
def suppliers(db: Any) -> list[Persona]:
    return [
        make_persona(f"sup{i}", f"supplier-{i}", Organisation.Type.SUPPORTER, Membership.Role.ADMIN)
        for i in range(4)
    ]


@pytest.mark.django_db
def test_a_buyer_group_consults_suppliers_and_publishes_an_anonymised_summary(
    coordinator: Persona, procurer: Persona, outsider: Persona, suppliers: list[Persona]
) -> None:
    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    coco = signed_in(coordinator.user)
    deadline = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    coco.post(reverse("consultations:new", args=["buyer-group", group.slug]), {
        "title": "Refurbished laptops in 2027", "description": "What can the market offer?", "deadline": deadline,
        "q1_text": "Can you offer refurbished laptops with a 3-year warranty?", "q1_kind": "yes_no",
        "q2_text": "How many years of spare parts?", "q2_kind": "number", "q2_options": "5; 7",
        "q3_text": "What limits you?", "q3_kind": "text",
    })  # fmt: skip
    consultation = Consultation.objects.get()
    detail = reverse("consultations:detail", args=[consultation.pk])
    # A draft is the group's only.
    assert signed_in(outsider.user).get(detail).status_code == 404 and Client().get(detail).status_code == 404
    coco.post(reverse("consultations:publish", args=[consultation.pk]))
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.PUBLISHED

    q1, q2, q3 = consultation.questions.all()
    answers = [
        ("yes", "7", "Battery stock"),
        ("yes", "8", "Nothing"),
        ("yes", "10", "Volumes"),
        ("no", "2", "Secret plan"),
    ]
    for persona, (yes_no, years, text) in zip(suppliers, answers, strict=True):
        page = signed_in(persona.user).get(detail).text
        assert "answer-form" in page and "Each answer" not in page
        signed_in(persona.user).post(reverse("consultations:answer", args=[consultation.pk]), {
            "organisation": persona.organisation.slug,
            f"answer-{q1.pk}": yes_no, f"answer-{q2.pk}": years, f"answer-{q3.pk}": text,
        })  # fmt: skip
    assert Response.objects.filter(consultation=consultation).count() == 4
    # A wrong answer is refused and changes nothing; a procurer does not answer for the market.
    signed_in(suppliers[0].user).post(reverse("consultations:answer", args=[consultation.pk]),
                                      {"organisation": "supplier-0", f"answer-{q2.pk}": "many"})  # fmt: skip
    assert Response.objects.get(organisation=suppliers[0].organisation).answers.get(question=q2).value == "7"
    assert signed_in(procurer.user).post(reverse("consultations:answer", args=[consultation.pk]),
                                         {"organisation": procurer.organisation.slug}).status_code == 403  # fmt: skip

    # The group sees each answer, named; others see none, even once the summary is public.
    group_page = coco.get(detail).text
    assert "Secret plan" in group_page and "Supplier 3" in group_page
    for client in (signed_in(outsider.user), signed_in(suppliers[1].user), Client()):
        page = client.get(detail).text
        assert "Secret plan" not in page and "Supplier 3" not in page and "Anonymised summary" not in page
    coco.post(reverse("consultations:close", args=[consultation.pk]))
    coco.post(reverse("consultations:publish-summary", args=[consultation.pk]))
    public = Client().get(detail).text
    assert "Anonymised summary" in public and "Secret plan" not in public and "Supplier 3" not in public
    # 3 said yes and 1 no: "no" is hidden, and so is "yes" (4 answered minus 3 would give "no" away).
    first = public.split('id="summary"')[1].split("<h3>")[1]
    assert '<th scope="row">No</th><td class="num">—' in first
    assert '<th scope="row">Yes</th><td class="num">—' in first or "Answered by: —" in first

    # Once closed no answer is taken.
    signed_in(suppliers[3].user).post(reverse("consultations:answer", args=[consultation.pk]),
                                      {"organisation": "supplier-3", f"answer-{q1.pk}": "yes"})  # fmt: skip
    assert Response.objects.get(organisation=suppliers[3].organisation).answers.get(question=q1).value == "no"


@pytest.mark.django_db
def test_only_the_groups_runner_starts_publishes_and_publishes_the_summary(
    coordinator: Persona, outsider: Persona
) -> None:
    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    louise = signed_in(outsider.user)
    assert louise.get(reverse("consultations:new", args=["buyer-group", group.slug])).status_code == 403
    assert louise.get(reverse("consultations:new", args=["elsewhere", group.slug])).status_code == 404
    from cfit.consultations import actions

    consultation = actions.create_consultation(
        group, title="T", description="", deadline=timezone.now() + timedelta(days=1),
        questions=[actions.QuestionDraft("Q?", "yes_no")], acting_user=coordinator.user,
    )  # fmt: skip
    assert louise.post(reverse("consultations:publish", args=[consultation.pk])).status_code == 404
    actions.publish_consultation(consultation, acting_user=coordinator.user)
    assert louise.post(reverse("consultations:publish-summary", args=[consultation.pk])).status_code == 404
    consultation.refresh_from_db()
    assert consultation.summary_published is None


def _open_consultation(coordinator: Persona) -> Consultation:
    """The buyer group's consultation, published and open: yes/no, number, choice and text questions."""
    from cfit.consultations import actions

    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    consultation = actions.create_consultation(
        group, title="Laptops", description="", deadline=timezone.now() + timedelta(days=7),
        questions=[
            actions.QuestionDraft("Refurbished?", "yes_no"),
            actions.QuestionDraft("Years of spare parts?", "number", ("5", "7")),
            actions.QuestionDraft("Which kind?", "choice", ("new", "refurbished")),
            actions.QuestionDraft("What limits you?", "text"),
        ],
        acting_user=coordinator.user,
    )  # fmt: skip
    return actions.publish_consultation(consultation, acting_user=coordinator.user)


@pytest.mark.django_db
def test_a_wrong_answer_brings_the_form_back_as_typed_and_stores_nothing(
    coordinator: Persona, supplier: Persona
) -> None:
    consultation = _open_consultation(coordinator)
    q1, q2, q3, q4 = consultation.questions.all()
    sid = signed_in(supplier.user)
    url = reverse("consultations:answer", args=[consultation.pk])
    sid.post(url, {"organisation": "green-refurb", f"answer-{q1.pk}": "no", f"answer-{q2.pk}": "3",
                   f"answer-{q3.pk}": "new", f"answer-{q4.pk}": "Earlier text"}, follow=True)  # fmt: skip
    page = sid.post(url, {
        "organisation": "green-refurb", f"answer-{q1.pk}": "yes", f"answer-{q2.pk}": "vijf",
        f"answer-{q3.pk}": "refurbished", f"answer-{q4.pk}": "Battery stock",
    })  # fmt: skip
    assert page.status_code == 200
    text = page.text
    # Everything typed comes back, not the answers stored earlier; the wrong one is named with its problem.
    assert 'value="yes" checked' in text and 'value="no" checked' not in text
    assert 'value="vijf"' in text and ">Battery stock</textarea>" in text and "Earlier text" not in text
    assert '<option value="refurbished" selected>' in text
    assert f'aria-invalid="true" aria-describedby="errors-answer-{q2.pk}"' in text
    problems = text.split(f'id="errors-answer-{q2.pk}"')[1].split("</div>")[0]
    assert "“Years of spare parts?”: give a number." in problems
    assert "Nothing was sent" in text and "have been sent" not in text
    # Nothing is stored: the earlier answers stand.
    stored = dict(Response.objects.get().answers.values_list("question__text", "value"))
    assert stored == {"Refurbished?": "no", "Years of spare parts?": "3", "Which kind?": "new",
                      "What limits you?": "Earlier text"}  # fmt: skip


@pytest.mark.django_db
def test_an_answer_to_no_question_is_refused_and_says_so(coordinator: Persona, supplier: Persona) -> None:
    consultation = _open_consultation(coordinator)
    q1, q2, _q3, q4 = consultation.questions.all()
    sid = signed_in(supplier.user)
    url = reverse("consultations:answer", args=[consultation.pk])
    empty = {"organisation": "green-refurb", f"answer-{q2.pk}": " ", f"answer-{q4.pk}": ""}
    page = sid.post(url, empty, follow=True).text
    assert "Answer at least one question: nothing was sent." in page and "have been sent" not in page
    assert not Response.objects.exists()
    # In Dutch too, never "Uw antwoorden zijn naar de groep verzonden".
    sid.cookies["django_language"] = "nl"
    assert "antwoorden zijn naar de groep verzonden" not in sid.post(url, empty, follow=True).text
    # An earlier answer is not wiped by an empty form.
    sid.post(url, {"organisation": "green-refurb", f"answer-{q1.pk}": "yes"})
    sid.post(url, empty)
    assert Response.objects.get().answers.get().value == "yes"


@pytest.mark.django_db
def test_the_group_reads_a_yes_no_answer_by_its_label_in_its_language(
    coordinator: Persona, supplier: Persona
) -> None:
    consultation = _open_consultation(coordinator)
    q1, q2, _q3, _q4 = consultation.questions.all()
    signed_in(supplier.user).post(reverse("consultations:answer", args=[consultation.pk]), {
        "organisation": "green-refurb", f"answer-{q1.pk}": "yes", f"answer-{q2.pk}": "6",
    })  # fmt: skip
    coco = signed_in(coordinator.user)
    detail = reverse("consultations:detail", args=[consultation.pk])
    row = coco.get(detail).text.split('id="responses"')[1].split("</tbody>")[0]
    assert "<td>Yes</td>" in row and "<td>yes</td>" not in row and "<td>6</td>" in row
    coco.cookies["django_language"] = "nl"
    row = coco.get(detail).text.split('id="responses"')[1].split("</tbody>")[0]
    assert "<td>Ja</td>" in row and "<td>yes</td>" not in row


def _consultation_form(deadline: str, **questions: str) -> dict[str, str]:
    return {"title": "Laptops", "description": "", "deadline": deadline, **questions}


def _in(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db
def test_a_consultation_is_created_with_a_deadline_in_the_future_only(coordinator: Persona) -> None:
    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    coco = signed_in(coordinator.user)
    url = reverse("consultations:new", args=["buyer-group", group.slug])
    page = coco.post(url, _consultation_form("2020-03-01T12:00", q1_text="Refurbished?", q1_kind="yes_no"))
    assert page.status_code == 200 and not Consultation.objects.exists()
    problems = page.text.split('id="errors-deadline"')[1].split("</div>")[0]
    assert "The deadline must lie in the future." in problems
    assert 'value="Refurbished?"' in page.text  # what was typed stays
    coco.post(url, _consultation_form(_in(7), q1_text="Refurbished?", q1_kind="yes_no"))
    assert Consultation.objects.get().questions.get().text == "Refurbished?"


@pytest.mark.django_db
def test_a_question_that_does_not_fit_its_kind_is_named_by_its_number_and_text(
    coordinator: Persona,
) -> None:
    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    page = signed_in(coordinator.user).post(
        reverse("consultations:new", args=["buyer-group", group.slug]),
        _consultation_form(
            _in(7), q1_text="Refurbished?", q1_kind="yes_no",
            # row 2 left empty: the question keeps the number it has on the form
            q3_text="Which kind?", q3_kind="choice", q3_options="new",
            q4_text="How many years?", q4_kind="number", q4_options="five; 7",
        ),
    )  # fmt: skip
    assert page.status_code == 200 and not Consultation.objects.exists()
    problems = page.text.split('id="errors-form"')[1].split("</div>")[0]
    assert "Question 3 (“Which kind?”): a choice question needs at least two choices." in problems
    assert "Question 4 (“How many years?”): give the range limits as numbers." in problems


@pytest.mark.django_db
def test_the_groups_runners_edit_and_delete_a_draft_and_nobody_else_reaches_it(
    coordinator: Persona, outsider: Persona, supplier: Persona
) -> None:
    from cfit.audit.models import AuditRecord

    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    coco = signed_in(coordinator.user)
    coco.post(reverse("consultations:new", args=["buyer-group", group.slug]), _consultation_form(
        _in(7), q1_text="Refurbsihed?", q1_kind="yes_no", q2_text="Which kind?", q2_kind="choice",
        q2_options="new; refurbished",
    ))  # fmt: skip
    consultation = Consultation.objects.get()
    edit = reverse("consultations:edit", args=[consultation.pk])
    delete = reverse("consultations:delete", args=[consultation.pk])
    detail_page = coco.get(reverse("consultations:detail", args=[consultation.pk])).text
    assert f'href="{edit}"' in detail_page and f'href="{delete}"' in detail_page

    # Nobody else reaches the pages: another coordinator, a viewer of the coordinator, a supplier, a
    # procurer elsewhere (404: the draft is not revealed); an anonymous visitor signs in first.
    other_coordinator = make_persona(
        "otto", "other-ministry", Organisation.Type.COORDINATING_PARTICIPANT, Membership.Role.ADMIN
    )
    viewer = make_persona(
        "vera", "nl-ministry", Organisation.Type.COORDINATING_PARTICIPANT, Membership.Role.VIEWER
    )
    for persona in (other_coordinator, viewer, supplier, outsider):
        client = signed_in(persona.user)
        for url in (edit, delete):
            assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert Client().post(delete).status_code == 302 and Consultation.objects.exists()
    # ... nor the actions.
    from cfit.consultations import actions

    with pytest.raises(PermissionDenied):
        actions.delete_consultation(consultation, acting_user=other_coordinator.user)

    # The form comes filled in; a typo is fixed, the deadline moved, a question changed and one added.
    form = coco.get(edit).text
    assert 'value="Refurbsihed?"' in form and 'value="new; refurbished"' in form
    assert f'value="{timezone.localtime(consultation.deadline).strftime("%Y-%m-%dT%H:%M")}"' in form
    page = coco.post(edit, _consultation_form(
        "2020-01-01T09:00", q1_text="Refurbished?", q1_kind="yes_no",
        q2_text="Which kind?", q2_kind="choice", q2_options="new",
    ))  # fmt: skip
    assert "The deadline must lie in the future." in page.text.split('id="errors-deadline"')[1]
    assert "Question 2 (“Which kind?”): a choice question needs at least two choices." in page.text
    consultation.refresh_from_db()
    assert consultation.questions.first().text == "Refurbsihed?"  # nothing changed
    coco.post(edit, {
        **_consultation_form(_in(14), q1_text="Refurbished?", q1_kind="yes_no", q2_text="Which kind?",
                             q2_kind="choice", q2_options="new; refurbished; leased"),
        "title": "Laptops 2027", "description": "Before we tender", "q3_text": "Years?", "q3_kind": "number",
    })  # fmt: skip
    consultation.refresh_from_db()
    assert (consultation.title, consultation.description) == ("Laptops 2027", "Before we tender")
    assert consultation.deadline > timezone.now() + timedelta(days=13)
    assert [(q.text, q.kind, q.options) for q in consultation.questions.all()] == [
        ("Refurbished?", "yes_no", []), ("Which kind?", "choice", ["new", "refurbished", "leased"]),
        ("Years?", "number", []),
    ]  # fmt: skip
    saved = AuditRecord.objects.filter(action=AuditRecord.Action.CONSULTATION_SAVED).latest("pk")
    assert saved.actor == coordinator.user and saved.before["questions"][0]["text"] == "Refurbsihed?"

    # Another administrator of the coordinator may, as they may create one; deleting asks first.
    colleague = signed_in(
        make_persona(
            "cora", "nl-ministry", Organisation.Type.COORDINATING_PARTICIPANT, Membership.Role.ADMIN
        ).user
    )
    assert "This cannot be undone." in colleague.get(delete).text and Consultation.objects.exists()
    assert colleague.post(delete, follow=True).redirect_chain[-1][0] == reverse("consultations:list")
    assert not Consultation.objects.exists()
    deleted = AuditRecord.objects.get(action=AuditRecord.Action.CONSULTATION_DELETED)
    assert deleted.object_id == str(consultation.pk) and deleted.before["title"] == "Laptops 2027"


@pytest.mark.django_db
def test_a_published_consultation_stays_as_it_was_published(coordinator: Persona) -> None:
    consultation = _open_consultation(coordinator)
    coco = signed_in(coordinator.user)
    detail = reverse("consultations:detail", args=[consultation.pk])
    assert 'id="draft-actions"' not in coco.get(detail).text
    page = coco.post(reverse("consultations:edit", args=[consultation.pk]),
                     _consultation_form(_in(9), q1_text="Changed?", q1_kind="yes_no"), follow=True)  # fmt: skip
    assert "A published consultation cannot change." in page.text
    page = coco.post(reverse("consultations:delete", args=[consultation.pk]), follow=True)
    assert "A published consultation cannot be deleted." in page.text
    from cfit.consultations import actions

    with pytest.raises(actions.ConsultationRefused):
        actions.update_consultation(
            consultation, title="X", description="", deadline=timezone.now() + timedelta(days=9),
            questions=[actions.QuestionDraft("Changed?", "yes_no")], acting_user=coordinator.user,
        )  # fmt: skip
    with pytest.raises(actions.ConsultationRefused):
        actions.delete_consultation(consultation, acting_user=coordinator.user)
    consultation.refresh_from_db()
    assert consultation.title == "Laptops" and consultation.questions.first().text == "Refurbished?"


@pytest.mark.django_db
def test_a_supplier_of_two_organisations_answers_for_each_and_never_sends_the_others_answers(
    coordinator: Persona, supplier: Persona
) -> None:
    # Sid is also an editor of a second supporter. The form used to load Green Refurb's answers and let
    # him pick "Repair Coop" in a drop-down: sending it gave Repair Coop Green Refurb's answers.
    other = Organisation.objects.create(
        name="Repair Coop", slug="repair-coop", type=Organisation.Type.SUPPORTER
    )
    Membership.objects.create(user=supplier.user, organisation=other, role=Membership.Role.ADMIN)
    consultation = _open_consultation(coordinator)
    q1, q2, _q3, _q4 = consultation.questions.all()
    sid = signed_in(supplier.user)
    answer = reverse("consultations:answer", args=[consultation.pk])
    detail = reverse("consultations:detail", args=[consultation.pk])
    sid.post(answer, {"organisation": "green-refurb", f"answer-{q1.pk}": "yes", f"answer-{q2.pk}": "7"})

    page = sid.get(detail).text
    form = page.split('id="answer-form"')[1].split("</form>")[0]
    assert 'name="organisation" value="green-refurb"' in form and 'value="7"' in form
    # Choosing the other organisation shows its own (empty) answers, and the form answers for it alone.
    page = sid.get(detail, {"for": "repair-coop"}).text
    chooser = page.split('id="answer-chooser"')[1].split("</form>")[0]
    assert '<option value="repair-coop" selected>' in chooser
    form = page.split('id="answer-form"')[1].split("</form>")[0]
    assert 'name="organisation" value="repair-coop"' in form and "Repair Coop" in form
    assert 'value="7"' not in form and 'value="yes" checked' not in form
    sid.post(answer, {"organisation": "repair-coop", f"answer-{q2.pk}": "5"})
    stored = {
        r.organisation.slug: dict(r.answers.values_list("question__text", "value"))
        for r in Response.objects.select_related("organisation")
    }
    assert stored == {
        "green-refurb": {"Refurbished?": "yes", "Years of spare parts?": "7"},
        "repair-coop": {"Years of spare parts?": "5"},
    }
    # An organisation he does not answer for is not offered: the first of his own is shown instead.
    page = sid.get(detail, {"for": "ville-de-lyon"}).text
    assert 'name="organisation" value="green-refurb"' in page.split('id="answer-form"')[1]


def _answer(persona: Persona, consultation: Consultation, yes_no: str, text: str = "") -> Any:
    q1, _q2, _q3, q4 = consultation.questions.all()
    return signed_in(persona.user).post(reverse("consultations:answer", args=[consultation.pk]), {
        "organisation": persona.organisation.slug, f"answer-{q1.pk}": yes_no, f"answer-{q4.pk}": text,
    }, follow=True)  # fmt: skip


def _first_summary(page: str) -> str:
    return page.split('id="summary"')[1].split("<h3>")[1]


@pytest.mark.django_db
def test_a_supplier_observing_a_working_group_never_reads_the_other_suppliers_answers(
    coordinator: Persona, suppliers: list[Persona]
) -> None:
    """Bug: a supplier sitting as an observer in the working group that ran a consultation read every
    other supplier's answers, named, in the group-only table (and the summary before it was public)."""
    from cfit.consultations import actions
    from cfit.pact.actions import add_working_group_member
    from cfit.pact.models import WorkingGroup, WorkingGroupMember

    group = WorkingGroup.objects.create(name="Notebooks", slug="notebooks-wg", topic="notebooks")
    add_working_group_member(group, coordinator.organisation, WorkingGroupMember.Role.CHAIR, acting_user=None)
    observer = suppliers[0]
    add_working_group_member(group, observer.organisation, WorkingGroupMember.Role.OBSERVER, acting_user=None)
    consultation = actions.create_consultation(
        group, title="Laptops", description="", deadline=timezone.now() + timedelta(days=7),
        questions=[actions.QuestionDraft("Refurbished?", "yes_no"), actions.QuestionDraft("Why?", "text")],
        acting_user=coordinator.user,
    )  # fmt: skip
    actions.publish_consultation(consultation, acting_user=coordinator.user)
    q1, q2 = consultation.questions.all()
    for persona, text in zip(suppliers, ["Mine", "Secret of supplier 1", "Plan 2", "Plan 3"], strict=True):
        signed_in(persona.user).post(reverse("consultations:answer", args=[consultation.pk]), {
            "organisation": persona.organisation.slug, f"answer-{q1.pk}": "yes", f"answer-{q2.pk}": text,
        })  # fmt: skip
    detail = reverse("consultations:detail", args=[consultation.pk])
    page = signed_in(observer.user).get(detail).text
    assert 'id="responses"' not in page and "Secret of supplier 1" not in page and "Supplier 1" not in page
    assert 'id="summary"' not in page  # the summary is not public yet
    assert 'id="answer-form"' in page and "Mine" in page  # its own answers, to change them
    # The chair's organisation reads them all.
    assert "Secret of supplier 1" in signed_in(coordinator.user).get(detail).text


@pytest.mark.django_db
def test_the_summary_is_published_only_once_closed_so_no_later_answer_shows_in_it(
    coordinator: Persona, outsider: Persona, suppliers: list[Persona]
) -> None:
    """Bug: the summary could be made public while suppliers still answered, and it moved with each new
    answer: three said yes (shown: 3), a fourth answered, and comparing the page before and after told
    what the fourth said. Now the summary is published only once the consultation is closed."""
    consultation = _open_consultation(coordinator)
    for persona in suppliers[:3]:
        _answer(persona, consultation, "yes")
    coco = signed_in(coordinator.user)
    detail = reverse("consultations:detail", args=[consultation.pk])
    refused = coco.post(reverse("consultations:publish-summary", args=[consultation.pk]), follow=True).text
    assert "The summary is published once the consultation is closed" in refused
    assert 'id="publish-summary-form"' not in refused and 'id="close-form"' in refused
    consultation.refresh_from_db()
    assert consultation.summary_published is None and 'id="summary"' not in Client().get(detail).text
    # Nobody but the group's runners closes it.
    for persona in (outsider, suppliers[0]):
        assert (
            signed_in(persona.user).post(reverse("consultations:close", args=[consultation.pk])).status_code
            == 404
        )
    assert Consultation.objects.get(pk=consultation.pk).is_open

    closed = coco.post(reverse("consultations:close", args=[consultation.pk]), follow=True).text
    assert 'data-state="closed"' in closed and 'id="close-form"' not in closed
    assert AuditRecord.objects.filter(action=AuditRecord.Action.CONSULTATION_CLOSED).count() == 1
    coco.post(reverse("consultations:publish-summary", args=[consultation.pk]))
    before = _first_summary(Client().get(detail).text)
    assert '<th scope="row">Yes</th><td class="num">3</td>' in before
    # The fourth supplier comes too late, and a supplier cannot change its answer: the summary stands.
    late = _answer(suppliers[3], consultation, "no").text
    assert "does not take answers" in late and 'id="answer-form"' not in late
    _answer(suppliers[0], consultation, "no")
    assert _first_summary(Client().get(detail).text) == before
    assert not Response.objects.filter(organisation=suppliers[3].organisation).exists()
    # Closing twice is refused and says so.
    again = coco.post(reverse("consultations:close", args=[consultation.pk]), follow=True).text
    assert "does not take answers" in again


@pytest.mark.django_db
def test_the_deadline_says_in_which_time_zone_it_is_read(coordinator: Persona) -> None:
    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    page = (
        signed_in(coordinator.user).get(reverse("consultations:new", args=["buyer-group", group.slug])).text
    )
    assert "Time in Europe/Brussels." in page


@pytest.mark.django_db
def test_choices_under_a_yes_no_question_or_given_twice_are_refused_naming_the_question(
    coordinator: Persona,
) -> None:
    """Bug: a chair typed the choices of a question but left its kind at "Yes or no"; the draft was saved
    as a yes/no question with choices nobody could pick, and without a word."""
    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    page = signed_in(coordinator.user).post(
        reverse("consultations:new", args=["buyer-group", group.slug]),
        _consultation_form(
            _in(7), q1_text="Which repair?", q1_kind="yes_no", q1_options="on site; by post",
            q2_text="What limits you?", q2_kind="text", q2_options="3; 5",
            q3_text="Which kind?", q3_kind="choice", q3_options="new; refurbished; new",
        ),
    )  # fmt: skip
    assert page.status_code == 200 and not Consultation.objects.exists()
    problems = page.text.split('id="errors-form"')[1].split("</div>")[0]
    assert "Question 1 (“Which repair?”): a yes-or-no or free-text question takes no choices" in problems
    assert "Question 2 (“What limits you?”): a yes-or-no or free-text question" in problems
    assert "Question 3 (“Which kind?”): give each choice or range limit once." in problems


@pytest.mark.django_db
def test_the_summary_follows_the_disclosure_rules_in_force(
    coordinator: Persona, suppliers: list[Persona]
) -> None:
    """Bug: the secretariat asked for five contributors before any collective figure shows; a consultation
    summary still showed "3 said yes"."""
    from cfit.consultations import actions
    from cfit.monitoring.models import DisclosureRules

    DisclosureRules.objects.create(pk=DisclosureRules.SINGLETON, min_reporters=5)
    consultation = _open_consultation(coordinator)
    for persona in suppliers[:3]:
        _answer(persona, consultation, "yes")
    actions.close_consultation(consultation, acting_user=coordinator.user)
    actions.publish_summary(consultation, acting_user=coordinator.user)
    first = _first_summary(Client().get(reverse("consultations:detail", args=[consultation.pk])).text)
    assert "Answered by: —" in first and '<th scope="row">Yes</th><td class="num">—</td>' in first
    # Under the default rules the same answers show.
    DisclosureRules.objects.all().delete()
    first = _first_summary(Client().get(reverse("consultations:detail", args=[consultation.pk])).text)
    assert '<th scope="row">Yes</th><td class="num">3</td>' in first
