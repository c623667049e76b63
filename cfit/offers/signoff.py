"""The four-eyes sign-off of an evaluation: one member prepares it, another approves it.

A sign-off holds the digest of the evaluation it was prepared on. The digest covers every result of
every line (after overrides), the ranking, the award method and every override with its
justification, author and time: an override recorded after preparation changes the digest, the
prepared sign-off can no longer be approved and a new one is needed; one recorded after approval
makes ``is_signed_off`` false again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.accounts.permissions import Action, may
from cfit.audit.models import AuditRecord
from cfit.audit.recording import record
from cfit.offers.access import offers_opened
from cfit.offers.evaluate import to_json
from cfit.offers.evaluation import TenderEvaluation, evaluate_tender
from cfit.offers.models import EvaluationSignOff, ResultOverride
from cfit.tenders.models import Tender

#: The tender states in which its evaluation can be signed off.
SIGNING_STATES = (Tender.Status.PUBLISHED, Tender.Status.AWARDED)


class SignOffError(Exception):
    """Raised if a sign-off cannot be prepared or approved; the message says why, in the user's language."""


def person(user: Any) -> str:
    """A person as the audit trail names them: full name, else username; "—" once deleted."""
    if user is None:
        return "—"
    return str(user.get_full_name() or user.get_username())


def canonical_evaluation(evaluation: TenderEvaluation) -> dict[str, Any]:
    """The evaluation as data that depends only on the offers, the method and the overrides.

    ``to_json`` without its date, plus every override in the order it was recorded.
    """
    document = to_json(
        evaluation.spec, evaluation.results, evaluated_on=timezone.localdate(), with_lines=True
    )
    document.pop("evaluated_on", None)
    overrides = (
        ResultOverride.objects.filter(line__offer__in=evaluation.offers)
        .order_by("decided_at", "id")
        .values_list(
            "id",
            "line__offer__supplier",
            "line__lot",
            "line__line_id",
            "requirement",
            "decision",
            "justification",
            "decided_by_id",
            "decided_at",
        )
    )
    document["overrides"] = [
        {
            "id": pk,
            "supplier": supplier,
            "lot": lot,
            "line_id": line_id,
            "requirement": requirement,
            "decision": decision,
            "justification": justification,
            "decided_by": decided_by,
            "decided_at": decided_at.isoformat(),
        }
        for pk, supplier, lot, line_id, requirement, decision, justification, decided_by, decided_at in overrides
    ]
    return document


def digest(evaluation: TenderEvaluation) -> str:
    """SHA-256 (hex) of the canonical evaluation: the same evaluation always gives the same digest."""
    text = json.dumps(
        canonical_evaluation(evaluation),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def may_sign(user: Any, tender: Tender) -> bool:
    """Whether the user may prepare or approve the tender's sign-off: an editing member of the buyer."""
    if user is None or not user.is_authenticated:
        return False
    return may(user, Action.OFFER_EVALUATE, tender.organisation_id)


def _check_signable(tender: Tender) -> None:
    if tender.status not in SIGNING_STATES:
        raise SignOffError(
            _("An evaluation is signed off while the tender is published or awarded (it is %(status)s).")
            % {"status": tender.get_status_display()}
        )
    if not offers_opened(tender):
        raise SignOffError(
            _("The offers are sealed until the deadline for offers; sign off the evaluation after it.")
        )


def latest_sign_off(tender: Tender) -> EvaluationSignOff | None:
    return (
        EvaluationSignOff.unscoped.filter(tender=tender)
        .select_related("prepared_by", "approved_by")
        .order_by("-prepared_at", "-id")
        .first()
    )


@transaction.atomic
def prepare_sign_off(tender: Tender, *, acting_user: Any, note: str = "") -> EvaluationSignOff:
    """Record the current evaluation's digest for a second member to approve.

    Refused unless ``acting_user`` may edit the tender, the tender is published or awarded with its
    offers opened, and there is something to sign off; refused too while the same evaluation already
    waits for approval or is signed off.
    """
    tender = Tender.unscoped.select_for_update().get(pk=tender.pk)  # one preparation at a time
    if not may_sign(acting_user, tender):
        raise SignOffError(
            _("Only an administrator or procurer of the buying organisation can prepare the sign-off.")
        )
    _check_signable(tender)
    evaluation = evaluate_tender(tender)
    if not evaluation.results:
        raise SignOffError(_("There is no evaluation to sign off: no offer holds a product line yet."))
    current = digest(evaluation)
    same = EvaluationSignOff.unscoped.filter(tender=tender, digest=current).select_related("prepared_by")
    if same.filter(approved_at__isnull=False).exists():
        raise SignOffError(_("This evaluation is already signed off."))
    waiting = same.filter(approved_at__isnull=True).first()
    if waiting is not None:
        raise SignOffError(
            _("This evaluation was already prepared by %(person)s and waits for a second member's approval.")
            % {"person": person(waiting.prepared_by)}
        )
    sign_off = EvaluationSignOff.unscoped.create(
        organisation=tender.organisation,
        tender=tender,
        digest=current,
        prepared_by=acting_user,
        note=note.strip(),
    )
    record(
        AuditRecord.Action.SIGN_OFF_PREPARED, sign_off, acting_user=acting_user, organisation=tender.organisation,
        after={"tender": tender.reference, "digest": current}, reason=sign_off.note,
    )  # fmt: skip
    return sign_off


@transaction.atomic
def approve_sign_off(sign_off: EvaluationSignOff, *, acting_user: Any) -> EvaluationSignOff:
    """The second pair of eyes: approve a prepared sign-off.

    Refused to the member who prepared it, to anyone who may not edit the tender, and when the
    evaluation changed since preparation (an override was recorded: prepare a new sign-off).
    """
    sign_off = EvaluationSignOff.unscoped.select_for_update().select_related("tender").get(pk=sign_off.pk)
    tender = sign_off.tender
    if sign_off.is_approved:
        raise SignOffError(_("This sign-off is already approved."))
    if not may_sign(acting_user, tender):
        raise SignOffError(
            _("Only an administrator or procurer of the buying organisation can approve the sign-off.")
        )
    if sign_off.prepared_by_id is not None and sign_off.prepared_by_id == acting_user.pk:
        raise SignOffError(
            _("Four eyes: the member who prepared the sign-off cannot approve it; another member must.")
        )
    _check_signable(tender)
    if digest(evaluate_tender(tender)) != sign_off.digest:
        raise SignOffError(
            _(
                "The evaluation changed after the sign-off was prepared (an override was recorded); "
                "prepare a new sign-off."
            )
        )
    sign_off.approved_by = acting_user
    sign_off.approved_at = timezone.now()
    sign_off.save(update_fields=["approved_by", "approved_at"])
    record(
        AuditRecord.Action.SIGN_OFF_APPROVED, sign_off, acting_user=acting_user, organisation=tender.organisation,
        after={"tender": tender.reference, "digest": sign_off.digest},
    )  # fmt: skip
    return sign_off


def is_signed_off(tender: Tender, evaluation: TenderEvaluation | None = None) -> bool:
    """Whether an approved sign-off holds the digest of the tender's current evaluation."""
    approved = EvaluationSignOff.unscoped.filter(tender=tender, approved_at__isnull=False)
    if not approved.exists():
        return False  # spares evaluating the tender
    return approved.filter(digest=digest(evaluation or evaluate_tender(tender))).exists()


@dataclass(frozen=True)
class SignOffState:
    """What the comparison page shows of the sign-off, and which button it offers to whom."""

    latest: EvaluationSignOff | None
    matches: bool  #: the latest sign-off holds the digest of the current evaluation
    may_prepare: bool
    may_approve: bool

    @property
    def signed_off(self) -> bool:
        return self.latest is not None and self.latest.is_approved and self.matches

    @property
    def waiting(self) -> bool:
        return self.latest is not None and not self.latest.is_approved and self.matches

    @property
    def prepared_by(self) -> str:
        return person(self.latest.prepared_by) if self.latest is not None else "—"

    @property
    def approved_by(self) -> str:
        return person(self.latest.approved_by) if self.latest is not None else "—"


def sign_off_state(tender: Tender, evaluation: TenderEvaluation, user: Any) -> SignOffState:
    """The sign-off as ``user`` sees it on the comparison page (three queries, four with a sign-off)."""
    latest = latest_sign_off(tender)
    matches = latest is not None and latest.digest == digest(evaluation)
    allowed = (
        bool(evaluation.results)
        and tender.status in SIGNING_STATES
        and offers_opened(tender)
        and may_sign(user, tender)
    )
    return SignOffState(
        latest,
        matches,
        may_prepare=allowed and not matches,
        may_approve=allowed
        and latest is not None
        and matches
        and not latest.is_approved
        and latest.prepared_by_id != user.pk,
    )
