"""Operations on offers that change several rows at once, one transaction each.

The submission window: offers, upload links and questions are received only while the tender is
published and before its deadline for offers. Every file received gets a receipt (the SHA-256 of its
exact bytes), stored in the same transaction as the offer; a refused file gets none.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.audit.models import AuditRecord
from cfit.audit.recording import record
from cfit.offers.access import offers_opened
from cfit.offers.models import Clarification, Offer, OfferLine, OfferReceipt, ResultOverride, UploadLink
from cfit.offers.reader import OfferFile, read_offer
from cfit.tenders.actions import format_moment, tender_spec
from cfit.tenders.models import Tender

MIN_JUSTIFICATION = 10
MAX_QUESTION = 4000  #: characters of a supplier's question
MAX_ANSWER = 20000  #: characters of the buyer's answer


class OfferError(Exception):
    """Raised if an offer operation is not allowed; the message says why, in the user's language."""


def _receiving(tender: Tender, at: datetime | None = None) -> datetime:
    """The tender's deadline for offers; refused unless the tender is published and ``at`` (now by
    default) lies before that deadline."""
    if tender.status != Tender.Status.PUBLISHED:
        raise OfferError(
            _("Offers are received only while the tender is published (it is %(status)s).")
            % {"status": tender.get_status_display()}
        )
    if tender.offers_deadline is None:
        raise OfferError(_("The tender has no deadline for offers yet."))
    if (at or timezone.now()) >= tender.offers_deadline:
        raise OfferError(
            _("The deadline for offers passed on %(deadline)s: no more offers are received.")
            % {"deadline": format_moment(tender.offers_deadline)}
        )
    return tender.offers_deadline


def _user(acting_user: Any) -> Any:
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


def read_for_tender(tender: Tender, data: bytes, filename: str) -> OfferFile:
    """Read and check a file against the tender; raises ImportRefused naming every problem."""
    return read_offer(data, filename, tender_spec(tender))


@transaction.atomic
def store_offer(
    tender: Tender,
    offer_file: OfferFile,
    data: bytes,
    *,
    supplier: str,
    via: str = Offer.Via.IMPORT,
    acting_user: Any = None,
    replace: bool = False,
    link: UploadLink | None = None,
) -> OfferReceipt:
    """Store a checked offer with all its lines and the receipt of ``data``, the file it came from; or nothing.

    The tender row is locked, so the deadline read here is the one in force; the receipt's own time is
    checked against it last, and a receipt at or after the deadline undoes the whole store.
    """
    tender = Tender.unscoped.select_for_update().get(pk=tender.pk)
    _receiving(tender)
    supplier = supplier.strip() or offer_file.supplier.strip()
    if not supplier:
        raise OfferError(_("Name the supplier of this offer."))
    existing = Offer.unscoped.filter(tender=tender, supplier=supplier).first()
    if existing is not None:
        if not replace:
            raise OfferError(
                _("There is already an offer from %(supplier)s; replace it explicitly.")
                % {"supplier": supplier}
            )
        existing.delete()  # its receipts stay, with no offer
    user = _user(acting_user)
    offer = Offer.unscoped.create(
        organisation=tender.organisation,
        tender=tender,
        supplier=supplier,
        via=via,
        filename=offer_file.filename[:255],
        company=offer_file.company,
        line_count=len(offer_file.lines),
        submitted_by=user,
    )
    OfferLine.objects.bulk_create(
        [
            OfferLine(
                offer=offer,
                lot=line.lot,
                line_id=line.line_id,
                manufacturer=line.manufacturer,
                model=line.model,
                quantity=line.quantity,
                unit_price=line.unit_price,
                yearly_kwh=line.yearly_kwh,
                labels=line.labels,
                answers=line.answers,
                source_row=line.source_row,
            )
            for line in offer_file.lines
        ],
        batch_size=2000,
    )
    receipt = OfferReceipt.unscoped.create(
        organisation=tender.organisation,
        tender=tender,
        supplier=supplier,
        via=via,
        link=link,
        offer=offer,
        filename=(offer_file.filename or "offer")[:255],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        received_by=user,
    )
    _receiving(tender, at=receipt.received_at)
    if link is not None:
        link.offer = offer
        link.save(update_fields=["offer"])
    record(
        AuditRecord.Action.OFFER_STORED, receipt, acting_user=acting_user, organisation=tender.organisation,
        after={"tender": tender.reference, "supplier": supplier, "via": via, "lines": len(offer_file.lines),
               "sha256": receipt.sha256, "replaced": existing is not None},
    )  # fmt: skip
    return receipt


def import_offer(
    tender: Tender,
    data: bytes,
    filename: str,
    *,
    supplier: str,
    acting_user: Any = None,
    replace: bool = False,
    via: str = Offer.Via.IMPORT,
) -> OfferReceipt:
    """Check the whole file first, then store it with its receipt in one transaction; a bad file stores nothing."""
    _receiving(tender)
    return store_offer(
        tender,
        read_for_tender(tender, data, filename),
        data,
        supplier=supplier,
        via=via,
        acting_user=acting_user,
        replace=replace,
    )


@transaction.atomic
def issue_upload_link(tender: Tender, supplier: str, *, acting_user: Any = None) -> UploadLink:
    """A supplier's own upload link; it expires at the deadline for offers (and moves with it)."""
    deadline = _receiving(tender)
    supplier = supplier.strip()
    if not supplier:
        raise OfferError(_("Name the supplier the link is for."))
    if UploadLink.unscoped.filter(tender=tender, supplier=supplier).exists():
        raise OfferError(
            _("%(supplier)s already has an upload link for this tender.") % {"supplier": supplier}
        )
    link = UploadLink.unscoped.create(
        organisation=tender.organisation,
        tender=tender,
        supplier=supplier,
        created_by=_user(acting_user),
        expires_at=deadline,
    )
    record(
        AuditRecord.Action.UPLOAD_LINK_ISSUED, link, acting_user=acting_user, organisation=tender.organisation,
        after={"tender": tender.reference, "supplier": supplier},
    )  # fmt: skip
    return link


def _link_open(link: UploadLink) -> None:
    _receiving(link.tender)
    if not link.is_valid:
        raise OfferError(_("This upload link has expired; ask the buyer for a new one."))


def submit_through_link(link: UploadLink, data: bytes, filename: str) -> OfferReceipt:
    """The supplier's own upload: checked like an import; a new upload replaces its earlier one."""
    _link_open(link)
    offer_file = read_for_tender(link.tender, data, filename)
    return store_offer(
        link.tender,
        offer_file,
        data,
        supplier=link.supplier,
        via=Offer.Via.UPLOAD_LINK,
        replace=True,
        link=link,
    )


@transaction.atomic
def ask_clarification(link: UploadLink, question: str) -> Clarification:
    """A supplier's question through its upload link; questions close at the deadline for offers."""
    tender = Tender.unscoped.select_for_update().get(pk=link.tender_id)
    link.tender = tender
    try:
        _link_open(link)
    except OfferError:
        raise OfferError(
            _("Questions are taken while the tender is published, until the deadline for offers.")
        ) from None
    text = question.strip()
    if not text:
        raise OfferError(_("Write your question."))
    if len(text) > MAX_QUESTION:
        raise OfferError(_("Keep your question under %(n)s characters.") % {"n": MAX_QUESTION})
    return Clarification.unscoped.create(
        organisation=tender.organisation, tender=tender, asked_through=link, question=text
    )


@transaction.atomic
def answer_clarification(clarification: Clarification, answer: str, *, acting_user: Any) -> Clarification:
    """The buyer's answer, shown from now on to every supplier with an upload link, without saying who asked."""
    clarification = (
        Clarification.unscoped.select_for_update().select_related("tender").get(pk=clarification.pk)
    )
    if clarification.tender.status != Tender.Status.PUBLISHED:
        raise OfferError(_("Questions are answered while the tender is published."))
    if clarification.is_answered:
        raise OfferError(_("This question is already answered."))
    text = answer.strip()
    if not text:
        raise OfferError(_("Write the answer."))
    if len(text) > MAX_ANSWER:
        raise OfferError(_("Keep the answer under %(n)s characters.") % {"n": MAX_ANSWER})
    clarification.answer = text
    clarification.answered_by = _user(acting_user)
    clarification.answered_at = timezone.now()
    clarification.save(update_fields=["answer", "answered_by", "answered_at"])
    record(
        AuditRecord.Action.CLARIFICATION_ANSWERED, clarification, acting_user=acting_user,
        organisation=clarification.tender.organisation, after={"answer": text},
    )  # fmt: skip
    return clarification


@transaction.atomic
def override_result(
    line: OfferLine, requirement: str, decision: str, justification: str, *, acting_user: Any
) -> ResultOverride:
    """Record the procurer's decision on one result; the justification is kept in the audit trail."""
    tender = line.offer.tender
    if tender.status not in {Tender.Status.PUBLISHED, Tender.Status.AWARDED}:
        raise OfferError(_("Results can be overridden only while the tender is being evaluated."))
    if not offers_opened(tender):
        raise OfferError(_("Results can be overridden only after the deadline for offers."))
    lot = tender.lots.filter(number=line.lot).first()
    known = {
        code
        for row in (lot.lot_criteria.all() if lot else [])
        for code in row.criterion.requirements.values_list("code", flat=True)
    }
    if requirement not in known:
        raise OfferError(_("Lot %(n)s has no requirement %(code)s.") % {"n": line.lot, "code": requirement})
    if decision not in ResultOverride.Decision.values:
        raise OfferError(_("Decide pass or fail."))
    if len(justification.strip()) < MIN_JUSTIFICATION:
        raise OfferError(_("Write a justification of at least %(n)s characters.") % {"n": MIN_JUSTIFICATION})
    override = ResultOverride.objects.create(
        line=line,
        requirement=requirement,
        decision=decision,
        justification=justification.strip(),
        decided_by=_user(acting_user),
    )
    record(
        AuditRecord.Action.RESULT_OVERRIDDEN, override, acting_user=acting_user, organisation=tender.organisation,
        after={"tender": tender.reference, "supplier": line.offer.supplier, "line": line.line_id,
               "requirement": requirement, "decision": decision},
        reason=override.justification,
    )  # fmt: skip
    return override
