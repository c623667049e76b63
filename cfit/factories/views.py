"""Factory pages: the factories a buyer depends on and where monitoring matters most; a supplier's
disclosure (form and file); a participant's agreement to share its figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.accounts.models import Membership
from cfit.accounts.permissions import Action, may
from cfit.contracts.problems import describe
from cfit.contracts.rows import RowsRefused
from cfit.factories import actions
from cfit.factories.access import (
    get_factory,
    get_own_product,
    get_participant_for_admin,
    get_supplier_for_editor,
    member_organisations,
)
from cfit.factories.core import DEPENDENCE, Item, Link, Totals, units_by_organisation
from cfit.factories.forms import DisclosureForm, DisclosureUploadForm, SharingForm
from cfit.factories.links import picture
from cfit.factories.models import DisclosedProduct, Factory, SharingConsent
from cfit.fleet.models import PRODUCT_GROUPS

#: a product group's code -> its name in the reader's language (lazy)
PRODUCT_GROUP_LABELS = dict(PRODUCT_GROUPS)


@dataclass
class Own:
    """An organisation's own dependence on one factory."""

    units: float = 0.0
    spend: float = 0.0
    offered_units: float = 0.0
    links: list[Link] = field(default_factory=list)


def _own(links: list[Link]) -> dict[int, Own]:
    found: dict[int, Own] = defaultdict(Own)
    dependence: dict[int, list[Item]] = defaultdict(list)
    for link in links:
        own = found[link.factory]
        own.links.append(link)
        if link.item.source in DEPENDENCE:
            dependence[link.factory].append(link.item)
            own.spend += link.item.spend
        else:
            own.offered_units += link.item.units
    for factory, items in dependence.items():
        # counted as the totals count them: a model in use and under contract once
        found[factory].units = sum(units_by_organisation(items).values())
    return found


@login_required
def factory_list(request: HttpRequest) -> HttpResponse:
    """The factories the user's organisations depend on, and those whose totals may be shown, the
    largest dependence first: where monitoring matters most."""
    mine = member_organisations(request.user)
    seen = picture(mine)
    own = _own(seen.links_of(mine))
    shown = {f for f, t in seen.totals.items() if t.shown}
    ids = set(own) | shown
    factories = Factory.objects.in_bulk(ids)
    rows = sorted(
        ((factories[f], own.get(f), seen.totals.get(f)) for f in ids if f in factories),
        key=lambda row: (
            -(row[2].organisations if row[2] and row[2].shown else 0),
            -(row[1].units if row[1] else 0),
        ),
    )
    hidden = sum(1 for f, t in seen.totals.items() if not t.shown and f not in own)
    user: Any = request.user
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    suppliers = [m.organisation for m in memberships if may(m, Action.FACTORY_DISCLOSE)]
    admin_of = [m.organisation for m in memberships if may(m, Action.FIGURES_SHARE)]
    consents = {c.organisation_id: c for c in SharingConsent.objects.filter(organisation__in=admin_of)}
    return render(
        request,
        "factories/list.html",
        {
            "rows": rows,
            "hidden": hidden,
            "suppliers": suppliers,
            "sharing": [(o, consents.get(o.pk)) for o in admin_of],
        },
    )


@login_required
def factory_detail(request: HttpRequest, factory_id: int) -> HttpResponse:
    mine = member_organisations(request.user)
    seen = picture(mine)
    factory = get_factory(request.user, factory_id, seen)
    own = _own([link for link in seen.links_of(mine) if link.factory == factory.pk]).get(factory.pk)
    totals: Totals | None = seen.totals.get(factory.pk)
    products = (
        DisclosedProduct.objects.filter(factory=factory)
        .values("manufacturer", "model", "product_group", "kind")
        .distinct()
        .order_by("manufacturer", "model", "kind")
    )
    return render(
        request,
        "factories/detail.html",
        {
            "factory": factory,
            "own": own,
            "totals": totals,
            "products": [
                {
                    **p,
                    "kind_label": DisclosedProduct.Kind(p["kind"]).label,
                    "group_label": PRODUCT_GROUP_LABELS.get(p["product_group"], p["product_group"]),
                }
                for p in products
            ],
        },
    )


@login_required
def disclose(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """A supplier's disclosure: its disclosed models, a form for one more, a file for many."""
    supplier = get_supplier_for_editor(request.user, organisation_slug)
    form = DisclosureForm(request.POST if request.POST.get("form") == "one" else None, prefix="one")
    upload = DisclosureUploadForm(
        request.POST if request.POST.get("form") == "file" else None, request.FILES or None, prefix="file"
    )
    problems: list[str] = []
    if request.method == "POST":
        if form.is_bound and form.is_valid():
            try:
                actions.disclose_factory(supplier, form.row(), acting_user=request.user)
            except actions.FactoryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The factory is disclosed."))
                return redirect("factories:disclose", organisation_slug=supplier.slug)
        elif upload.is_bound and upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                stored, withdrawn = actions.import_disclosure(
                    supplier, file.read(), file.name, acting_user=request.user,
                    replace=upload.cleaned_data["replace"],
                )  # fmt: skip
            except RowsRefused as error:
                problems = [describe(p) for p in error.problems]
                if error.count > len(error.problems):
                    problems.append(
                        _("%(count)s more problem(s) not listed")
                        % {"count": error.count - len(error.problems)}
                    )
            else:
                messages.success(
                    request,
                    _("%(stored)s model(s) disclosed, %(withdrawn)s withdrawn.")
                    % {"stored": stored, "withdrawn": withdrawn},
                )
                return redirect("factories:disclose", organisation_slug=supplier.slug)
    products = DisclosedProduct.objects.filter(supplier=supplier).select_related("factory", "disclosed_by")
    return render(
        request,
        "factories/disclose.html",
        {"supplier": supplier, "form": form, "upload": upload, "problems": problems, "products": products},
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, organisation_slug: str, product_id: int) -> HttpResponse:
    supplier = get_supplier_for_editor(request.user, organisation_slug)
    actions.withdraw_product(get_own_product(supplier, product_id), acting_user=request.user)
    messages.success(request, _("The disclosed model is withdrawn."))
    return redirect("factories:disclose", organisation_slug=supplier.slug)


@login_required
@require_POST
def sharing(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = get_participant_for_admin(request.user, organisation_slug)
    form = SharingForm(request.POST)
    agreed = bool(form.is_valid() and form.cleaned_data["agreed"])
    actions.set_sharing(organisation, agreed=agreed, acting_user=request.user)
    messages.success(request, _("Your choice on sharing factory figures is recorded."))
    return redirect("factories:list")
