from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from cfit.accounts import actions, languages
from cfit.accounts.access import get_membership, get_organisation_for
from cfit.accounts.forms import ApiTokenForm, LanguageForm, NoticeDetailsForm
from cfit.accounts.models import ApiToken, Membership, Organisation
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


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens: made here (the secret shown once, on the answer to the form), listed
    with when each was made, last used and expires, and revoked here."""
    user = request.user
    assert user.is_authenticated  # login_required; tells the type checker too
    form = ApiTokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = actions.create_api_token(**form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            form = ApiTokenForm()
            messages.success(
                request,
                _("Token “%(name)s” made. Copy it now: it is not shown again.") % {"name": token.name},
            )
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": ApiToken.objects.filter(user=user),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert user.is_authenticated  # login_required; tells the type checker too
    token = get_object_or_404(ApiToken, pk=pk, user=user)  # another user's token: 404
    actions.revoke_api_token(token, acting_user=request.user)
    messages.success(request, _("Token “%(name)s” revoked: it signs in no more.") % {"name": token.name})
    return redirect("api-tokens")


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher (the device keeps the choice in its cookie); a signed-in user's choice
    becomes their own language too: their mails', and their pages' on a new device."""
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    if request.method == "POST" and request.user.is_authenticated and languages.is_language(language):
        actions.save_language(language, acting_user=request.user)
        languages.remember(request, language)
    return response


@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    """The user's own settings: their language, with links to their password and API tokens."""
    user = request.user
    assert user.is_authenticated  # login_required; tells the type checker too
    form = LanguageForm(request.POST or None, initial={"language": languages.own_language(user)})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        actions.save_language(language, acting_user=user)
        languages.remember(request, language)
        response = redirect("my-account")
        if language:
            # This device follows the choice at once, as after the language switcher.
            translation.activate(language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        messages.success(request, _("Your language is saved."))
        return response
    return render(request, "accounts/account.html", {"form": form})
