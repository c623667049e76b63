"""Who sees a case study: everyone once published; before and after, only its organisation's members."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cfit.accounts.models import Membership
from cfit.accounts.permissions import Action, may, memberships_that_may
from cfit.casestudies.models import CaseStudy
from cfit.tenders.access import get_tender_for_user
from cfit.tenders.models import Tender

#: A case study tells a tender that is over.
FINISHED = (Tender.Status.AWARDED, Tender.Status.CLOSED)


def may_edit(user: Any, case_study: CaseStudy) -> bool:
    """Those who may edit the owner's tenders (administrators and procurers) write and publish it."""
    return user.is_authenticated and may(user, Action.TENDER_EDIT, case_study.organisation_id)


def get_case_study(user: Any, pk: int) -> CaseStudy:
    """A published case study for anyone; a draft or withdrawn one only for its organisation's members
    (404 for everyone else: its existence is not revealed)."""
    case_study = CaseStudy.objects.select_related("organisation", "tender").filter(pk=pk).first()
    if case_study is None:
        raise Http404
    if case_study.status != CaseStudy.Status.PUBLISHED and not (
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation_id=case_study.organisation_id).exists()
    ):
        raise Http404
    return case_study


def get_case_study_to_edit(user: Any, pk: int) -> CaseStudy:
    case_study = get_case_study(user, pk)
    if not may_edit(user, case_study):
        raise Http404
    return case_study


def get_finished_tender(user: Any, tender_id: int) -> Tender:
    """A finished tender the user may tender for (admin or procurer of its owner); 404 otherwise."""
    tender = get_tender_for_user(user, tender_id, edit=True)
    if tender.status not in FINISHED:
        raise Http404
    return tender


def finished_tenders_without_case_study(user: Any) -> list[Tender]:
    """What the user could write a case study about (shown on the case studies page)."""
    organisations = list(
        memberships_that_may(Action.TENDER_EDIT, user).values_list("organisation_id", flat=True)
    )
    if not organisations:
        return []
    return list(
        Tender.unscoped.filter(
            organisation_id__in=organisations, status__in=FINISHED, case_study__isnull=True
        )
        .select_related("organisation")
        .order_by("-created")
    )
