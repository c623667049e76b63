"""Who reaches what of the factories: a supplier its own disclosures, a buyer its own links, everybody
signed in the totals that passed the disclosure rules (or were agreed to). Everything else is 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cfit.accounts.access import (
    get_membership,
    get_membership_for,
    get_organisation_for,
    is_secretariat_staff,
)
from cfit.accounts.models import Membership, Organisation
from cfit.accounts.permissions import Action
from cfit.factories.links import Picture
from cfit.factories.models import DisclosedProduct, Factory


def member_organisations(user: Any) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    return frozenset(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


def get_supplier_for_editor(user: Any, organisation_slug: str) -> Organisation:
    """A supplier organisation the user may disclose for; a participant's slug is 404 here."""
    if get_membership(user, organisation_slug).organisation.type != Organisation.Type.SUPPORTER:
        raise Http404
    return get_organisation_for(user, organisation_slug, Action.FACTORY_DISCLOSE)


def get_participant_for_admin(user: Any, organisation_slug: str) -> Organisation:
    """A participant whose administrator decides on sharing its figures (403 for other roles)."""
    if not get_membership(user, organisation_slug).organisation.is_participant:
        raise Http404
    return get_membership_for(user, organisation_slug, Action.FIGURES_SHARE).organisation


def may_see_factory(user: Any, factory_id: int, picture: Picture) -> bool:
    mine = member_organisations(user)
    if not mine:
        return False
    found = picture.totals.get(factory_id)
    return (
        (found is not None and found.shown)
        or any(link.factory == factory_id for link in picture.links_of(mine))
        or DisclosedProduct.objects.filter(factory_id=factory_id, supplier_id__in=mine).exists()
        or is_secretariat_staff(user)
    )


def get_factory(user: Any, factory_id: int | str, picture: Picture) -> Factory:
    if not str(factory_id).isdigit():
        raise Http404
    factory = Factory.objects.filter(pk=int(factory_id)).first()
    if factory is None or not may_see_factory(user, factory.pk, picture):
        raise Http404
    return factory


def get_own_product(supplier: Organisation, product_id: int | str) -> DisclosedProduct:
    if not str(product_id).isdigit():
        raise Http404
    product = DisclosedProduct.objects.filter(pk=int(product_id), supplier=supplier).first()
    if product is None:
        raise Http404
    return product
