"""Changes to an organisation: each in one transaction, with its audit record; and a user's own
settings (API tokens, language)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.accounts import tokens
from cfit.accounts.languages import is_language
from cfit.accounts.models import ApiToken, Organisation, Profile
from cfit.audit.models import AuditRecord
from cfit.audit.recording import record


def _notice_details(organisation: Organisation) -> dict[str, str]:
    return {name: getattr(organisation, name) for name in Organisation.NOTICE_DETAILS}


def _normalised(name: str, value: Any) -> str:
    if name == "review_deadlines":  # a text of paragraphs: its lines kept, each without stray spaces
        lines = (" ".join(line.split()) for line in str(value or "").splitlines())
        return "\n".join(lines).strip()
    text = " ".join(str(value or "").split())  # no stray or doubled spaces in a notice
    return text.upper() if name.endswith("nuts_code") else text


def apply_notice_details(organisation: Organisation, details: Mapping[str, Any]) -> Organisation:
    """Set the notice details on ``organisation`` (saved or not; nothing is written) as they are
    stored, without stray spaces and NUTS codes in capitals, and check them by the model's rules: a
    ``ValidationError`` by field if one is broken, a ``TypeError`` for a name that is no detail. The
    one check of the page, the API and ``cfit tender build``."""
    unknown = set(details) - set(Organisation.NOTICE_DETAILS)
    if unknown:
        raise TypeError(f"not notice details: {', '.join(sorted(unknown))}")
    for name, value in details.items():
        setattr(organisation, name, _normalised(name, value))
    # The details' own rules (and the model's, which read the country): the organisation's other
    # fields are not in question (an unsaved buyer of the command line has no slug).
    others = [f.name for f in Organisation._meta.fields if f.name not in Organisation.NOTICE_DETAILS]
    organisation.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    return organisation


@transaction.atomic
def save_notice_details(
    organisation: Organisation, details: Mapping[str, Any], *, acting_user: Any
) -> Organisation:
    """Save the details the organisation's eForms notices carry (``Organisation.NOTICE_DETAILS``; a
    detail not given keeps its value). Checked by the model's rules: a ``ValidationError`` by field
    if one is broken, and nothing is saved. The audit record keeps the details before and after."""
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = _notice_details(current)
    apply_notice_details(current, details)
    after = _notice_details(current)
    if after == before:
        return current
    changed = [name for name in Organisation.NOTICE_DETAILS if after[name] != before[name]]
    current.save(update_fields=changed)
    record(
        AuditRecord.Action.NOTICE_DETAILS_SAVED, current, acting_user=acting_user, organisation=current,
        before={name: before[name] for name in changed}, after={name: after[name] for name in changed},
    )  # fmt: skip
    return current


@transaction.atomic
def create_api_token(*, name: str, days: int, read_only: bool, acting_user: Any) -> tuple[ApiToken, str]:
    """A new API token of ``acting_user`` (for themselves only) and its secret, which is shown once
    and never stored. Refused (``ValidationError`` by field) with no name, a lifetime the page does not
    offer, or ``ApiToken.MAX_ACTIVE`` tokens that still sign in."""
    now = timezone.now()
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the token: what it is for.")})
    if days not in ApiToken.LIFETIMES:
        raise ValidationError({"days": _("Choose how long the token lasts.")})
    if ApiToken.objects.active(now).filter(user=acting_user).count() >= ApiToken.MAX_ACTIVE:
        raise ValidationError(
            {
                "name": _("You hold %(count)s tokens already: revoke one first.")
                % {"count": ApiToken.MAX_ACTIVE}
            }
        )
    secret = tokens.new_secret()
    token = ApiToken(
        user=acting_user, name=name, prefix=secret[:12], digest=tokens.digest(secret), read_only=read_only,
        expires=now + timedelta(days=days),
    )  # fmt: skip
    token.full_clean()
    token.save()
    record(
        AuditRecord.Action.API_TOKEN_CREATED, token, acting_user=acting_user,
        after={"name": token.name, "prefix": token.prefix, "read_only": read_only, "expires": token.expires.isoformat()},
    )  # fmt: skip
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, acting_user: Any) -> ApiToken:
    """The token signs in no more; it stays listed as revoked. Its own user revokes it."""
    current = ApiToken.objects.select_for_update().get(pk=token.pk, user=acting_user)
    if current.revoked is None:
        current.revoked = timezone.now()
        current.save(update_fields=["revoked"])
        record(
            AuditRecord.Action.API_TOKEN_REVOKED, current, acting_user=acting_user,
            before={"name": current.name, "prefix": current.prefix},
        )  # fmt: skip
    return current


def save_language(language: str, *, acting_user: Any) -> None:
    """Make ``language`` the user's own (for themselves only): their pages' language on a device that
    chose none, and the language of the mails cfit sends them; "" leaves them without one (and makes
    no profile for a user who has none). A code that is not one of the site's languages is refused
    (``ValidationError``). No audit record: a reading preference of one's own, changed with every turn
    of the language switcher, is not the organisation's data."""
    if not language:
        Profile.objects.filter(user=acting_user).update(language="")
        return
    if not is_language(language):
        raise ValidationError({"language": _("Choose one of the site's languages.")})
    Profile.objects.update_or_create(user=acting_user, defaults={"language": language})
