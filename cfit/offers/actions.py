"""Operations on offers that change several rows at once, one transaction each."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cfit.offers.models import Offer, OfferLine, ResultOverride, UploadLink
from cfit.offers.reader import OfferFile, read_offer
from cfit.tenders.actions import tender_spec
from cfit.tenders.models import Tender

MIN_JUSTIFICATION = 10


class OfferError(Exception):
    """Raised if an offer operation is not allowed; the message says why, in the user's language."""


def _receiving(tender: Tender) -> None:
    if tender.status != Tender.Status.PUBLISHED:
        raise OfferError(
            _("Offers are received only while the tender is published (it is %(status)s).")
            % {"status": tender.get_status_display()}
        )


def read_for_tender(tender: Tender, data: bytes, filename: str) -> OfferFile:
    """Read and check a file against the tender; raises ImportRefused naming every problem."""
    return read_offer(data, filename, tender_spec(tender))


@transaction.atomic
def store_offer(
    tender: Tender,
    offer_file: OfferFile,
    *,
    supplier: str,
    via: str = Offer.Via.IMPORT,
    user: Any = None,
    replace: bool = False,
) -> Offer:
    """Store a checked offer with all its lines, or nothing."""
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
        existing.delete()
    offer = Offer.unscoped.create(
        organisation=tender.organisation,
        tender=tender,
        supplier=supplier,
        via=via,
        filename=offer_file.filename[:255],
        company=offer_file.company,
        line_count=len(offer_file.lines),
        submitted_by=user if user is not None and user.is_authenticated else None,
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
    return offer


def import_offer(
    tender: Tender, data: bytes, filename: str, *, supplier: str, user: Any = None, replace: bool = False
) -> Offer:
    """Check the whole file first, then store it in one transaction; a bad file stores nothing."""
    _receiving(tender)
    return store_offer(
        tender, read_for_tender(tender, data, filename), supplier=supplier, user=user, replace=replace
    )


@transaction.atomic
def issue_upload_link(tender: Tender, supplier: str, *, user: Any = None, days: int = 30) -> UploadLink:
    _receiving(tender)
    supplier = supplier.strip()
    if not supplier:
        raise OfferError(_("Name the supplier the link is for."))
    if UploadLink.unscoped.filter(tender=tender, supplier=supplier).exists():
        raise OfferError(
            _("%(supplier)s already has an upload link for this tender.") % {"supplier": supplier}
        )
    return UploadLink.unscoped.create(
        organisation=tender.organisation,
        tender=tender,
        supplier=supplier,
        created_by=user if user is not None and user.is_authenticated else None,
        expires_at=UploadLink.default_expiry(days),
    )


@transaction.atomic
def submit_through_link(link: UploadLink, data: bytes, filename: str) -> Offer:
    """The supplier's own upload: checked like an import; a new upload replaces its earlier one."""
    if not link.is_valid:
        raise OfferError(_("This upload link has expired; ask the buyer for a new one."))
    tender = link.tender
    offer_file = read_for_tender(tender, data, filename)
    offer = store_offer(tender, offer_file, supplier=link.supplier, via=Offer.Via.UPLOAD_LINK, replace=True)
    link.offer = offer
    link.save(update_fields=["offer"])
    return offer


@transaction.atomic
def override_result(
    line: OfferLine, requirement: str, decision: str, justification: str, *, user: Any
) -> ResultOverride:
    """Record the procurer's decision on one result; the justification is kept in the audit trail."""
    tender = line.offer.tender
    if tender.status not in {Tender.Status.PUBLISHED, Tender.Status.AWARDED}:
        raise OfferError(_("Results can be overridden only while the tender is being evaluated."))
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
    return ResultOverride.objects.create(
        line=line,
        requirement=requirement,
        decision=decision,
        justification=justification.strip(),
        decided_by=user,
    )
