from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cfit.accounts import actions
from cfit.accounts.access import get_membership, get_organisation_for
from cfit.accounts.forms import NoticeDetailsForm
from cfit.accounts.models import Membership, Organisation
from cfit.accounts.permissions import Action, may
from cfit.audit.access import may_read_audit
from cfit.criteria.models import Shortlist
from cfit.joining.directory import by_country, joined_on, listed


def organisation_list(request: HttpRequest) -> HttpResponse:
    """Who takes part in the pact is public: name, country and type. Users served is not: the published
    coverage protects the users served by those reporting, and a public list of each organisation's
    figure would let anyone add the hidden one back up."""
    everyone = list(listed())
    type_filter = request.GET.get("type", "")
    organisations = (
        [o for o in everyone if o.type == type_filter]
        if type_filter in Organisation.Type.values
        else everyone
    )
    types = dict(Organisation.Type.choices)
    return render(
        request,
        "accounts/organisations.html",
        {
            # the type's label looked up once per type, not per row (get_type_display hashes the choices)
            "organisations": [(o, types[o.type], joined_on(o)) for o in organisations],
            "countries": by_country(everyone),
            "types": Organisation.Type.choices,
            "type_filter": type_filter,
        },
    )


@login_required
def my_organisations(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert user.is_authenticated  # login_required; tells the type checker too
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    return render(request, "accounts/mine.html", {"memberships": memberships})


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's internal page: only its members reach it; everyone else gets 404."""
    membership = get_membership(request.user, slug)
    organisation = membership.organisation
    members = organisation.memberships.select_related("user").order_by("user__username")
    shortlists = Shortlist.objects.of_organisation(organisation).prefetch_related("criteria")
    return render(
        request,
        "accounts/organisation.html",
        {
            "organisation": organisation,
            "membership": membership,
            "members": members,
            "shortlists": shortlists,
            "may_read_audit": may_read_audit(membership),
            "may_edit_profile": may(membership, Action.ORGANISATION_PROFILE_EDIT),
        },
    )


@login_required
def notice_details(request: HttpRequest, slug: str) -> HttpResponse:
    """The details every eForms notice of the organisation carries, kept by its administrators."""
    organisation = get_organisation_for(request.user, slug, Action.ORGANISATION_PROFILE_EDIT)
    form = NoticeDetailsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_notice_details(
                organisation,
                {name: form.cleaned_data[name] for name in Organisation.NOTICE_DETAILS},
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The notice details of %(name)s are saved.") % {"name": organisation.name}
            )
            return redirect("accounts:notice-details", slug=organisation.slug)
    return render(request, "accounts/notice_details.html", {"organisation": organisation, "form": form})
