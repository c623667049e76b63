"""Sign-in throttling: after too many failed sign-ins, an account (or a network address) waits.

Five failures for one account, or twenty from one address, within fifteen minutes lock further
sign-ins for that account or address until the oldest of those failures is fifteen minutes old.
While locked, the password is not even checked (a right guess does not get in, and the attacker
learns nothing); these refusals are not recorded, so hammering a locked account neither grows the
table nor extends the wait. A successful sign-in forgets the account's failures.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from cfit.accounts.models import FailedSignIn

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
#: Higher than per account: colleagues behind one office address share it.
MAX_FAILURES_PER_ADDRESS = 20


@dataclass(frozen=True)
class Lockout:
    """Why sign-in is refused, and until when."""

    by_address: bool  #: True if the address is locked, False if the account is
    until: datetime

    def message(self, now: datetime | None = None) -> str:
        seconds = max(0.0, (self.until - (now or timezone.now())).total_seconds())
        minutes = max(1, math.ceil(seconds / 60))
        if self.by_address:
            return ngettext(
                "Too many failed sign-ins from your network address. Try again in %(minutes)d minute.",
                "Too many failed sign-ins from your network address. Try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes}
        return ngettext(
            "Too many failed sign-ins for this account. Try again in %(minutes)d minute, "
            "or reset your password.",
            "Too many failed sign-ins for this account. Try again in %(minutes)d minutes, "
            "or reset your password.",
            minutes,
        ) % {"minutes": minutes}


def normalise_username(username: Any) -> str:
    return str(username or "").strip().lower()[:150]


def client_address(request: Any) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXIES proxies the address they saw.

    Each trusted proxy appends the address it received from to X-Forwarded-For, so the client is
    the entry that many places from the right; entries further left are the client's own claim.
    """
    address = str(request.META.get("REMOTE_ADDR") or "")
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def _recent(now: datetime) -> QuerySet[FailedSignIn]:
    return FailedSignIn.objects.filter(attempted__gt=now - WINDOW)


def _locked_until(failures: QuerySet[FailedSignIn], limit: int) -> datetime | None:
    """When the count in the window drops below ``limit`` again, or None if it is below already."""
    times = list(failures.order_by("-attempted").values_list("attempted", flat=True)[:limit])
    if len(times) < limit:
        return None
    # The limit-th most recent failure leaves the window first among the ones that keep it full.
    return times[limit - 1] + WINDOW


def lockout(username: str, address: str, now: datetime | None = None) -> Lockout | None:
    """The lockout in force for this name or address, or None if a sign-in may be tried."""
    now = now or timezone.now()
    recent = _recent(now)
    account_until = _locked_until(
        recent.filter(username=normalise_username(username)), MAX_FAILURES_PER_ACCOUNT
    )
    address_until = (
        _locked_until(recent.filter(address=address), MAX_FAILURES_PER_ADDRESS) if address else None
    )
    if address_until and (account_until is None or address_until > account_until):
        return Lockout(by_address=True, until=address_until)
    if account_until:
        return Lockout(by_address=False, until=account_until)
    return None


def record_failure(username: str, address: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    # Failures older than the window no longer count: drop them here, so the table stays small
    # without a periodic job.
    FailedSignIn.objects.filter(attempted__lte=now - WINDOW).delete()
    FailedSignIn.objects.create(username=normalise_username(username), address=address, attempted=now)


def forget_failures(username: str) -> None:
    """After a successful sign-in: the account's earlier failures no longer count against it."""
    FailedSignIn.objects.filter(username=normalise_username(username)).delete()
