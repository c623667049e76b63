"""Permission-scoped getters for tenders: only the owner organisation's members reach them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cfit.accounts.models import Organisation
from cfit.accounts.permissions import Action, may, memberships_that_may
from cfit.tenders.models import Tender


def get_tender_for_user(
    user: Any, tender_id: int | str, *, edit: bool = False, action: Action = Action.TENDER_EDIT
) -> Tender:
    """The tender if the user is a member of its organisation (else 404); ``edit`` also needs a role that
    may do ``action`` there (403): building it by default, or publishing it, or evaluating its offers."""
    if not user.is_authenticated or not str(tender_id).isdigit():
        raise Http404
    # The scoped manager already limits the search to the user's organisations.
    tender = (
        Tender.objects.select_related("organisation", "framework_version").filter(pk=int(tender_id)).first()
    )
    if tender is None:
        raise Http404
    if edit and not may(user, action, tender.organisation_id):
        raise PermissionDenied
    return tender


def get_organisation_to_tender(user: Any, organisation_slug: str) -> Organisation:
    """The organisation if the user may create its tenders (admin or procurer); 404 for anyone else, so
    that the page and the API reveal nothing about organisations the user does not tender for."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        memberships_that_may(Action.TENDER_EDIT, user).filter(organisation__slug=organisation_slug).first()
    )
    if membership is None:
        raise Http404
    return membership.organisation
