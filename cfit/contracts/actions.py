"""Operations on contracts and obligations, one transaction each, naming who acted.

An awarded lot becomes a contract with its winner; each contract performance clause and technical
specification it carries becomes obligations on the schedule of ``cfit.contracts.schedule``. The
supplier delivers, the buyer accepts or returns with a comment, the supplier may dispute a return:
each step is an ``ObligationEvent`` with who, when and why.

Each operation that changes data also writes its ``AuditRecord`` in the same transaction, in the buyer's
log (the contract is the buyer's); the supplier's own acts (delivering, disputing, closing a corrective
action) are written in the log of the supplier's organisation too, when it is on the platform: one record
per log, so that each organisation's administrators read what their people did.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cfit.accounts.languages import users_by_language
from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.audit.recording import actor, record
from cfit.contracts.importing import read_contracts
from cfit.contracts.labels import figure_label, unit_label
from cfit.contracts.models import (
    Contract,
    ContractCriterion,
    Delivery,
    Finding,
    Notice,
    Obligation,
    ObligationEvent,
    Submission,
)
from cfit.contracts.schedule import (
    PERCENT_UNITS,
    WHOLE_UNITS,
    CriterionKind,
    FigureField,
    Frequency,
    Kind,
    RequirementView,
    due_dates,
    what_is_due,
)
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion
from cfit.numberfields import example, typed_number
from cfit.sitelinks import page_address
from cfit.tabular import NotANumber, parse_number
from cfit.tenders.models import Lot, Tender
from cfit.uploads import ImportRefused, check_evidence, without_macros

log = logging.getLogger(__name__)

#: The criterion types that produce obligations.
OBLIGATION_TYPES = (CriterionType.CONTRACT_PERFORMANCE_CLAUSE, CriterionType.TECHNICAL_SPECIFICATION)
#: Days before the due date at which the supplier is reminded.
REMIND_BEFORE_DAYS = 14
#: Days after the due date at which an obligation still open escalates to the buyer's administrators.
ESCALATE_AFTER_DAYS = 30
MIN_COMMENT = 5  #: characters of a return's or a dispute's reason
#: The largest figure taken: a national fleet's devices or kilograms, with room to spare.
MAX_FIGURE = Decimal(10) ** 15


class ContractError(Exception):
    """Raised if a contract operation is not allowed; the message says why, in the user's language."""


def _audit(
    action: str,
    obj: Any,
    contract: Contract,
    *,
    acting_user: Any,
    by_supplier: bool = False,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> None:
    """The audit record of ``action`` in the buyer's log and, for an act of the supplier
    (``by_supplier``), in the log of the supplier's organisation if it is on the platform.

    Every change of a contract, its obligations, deliveries, evidence or findings writes its record
    here, in its transaction: the contract's ``updated`` moves with it (the API's ``modified_since``)."""
    contract.updated = timezone.now()
    Contract.unscoped.filter(pk=contract.pk).update(updated=contract.updated)
    logs = [contract.organisation]
    supplier = contract.supplier_organisation if by_supplier else None
    if supplier is not None and supplier.pk != contract.organisation_id:
        logs.append(supplier)
    for organisation in logs:
        record(
            action, obj, acting_user=acting_user, organisation=organisation,
            before=before, after=after, reason=reason,
        )  # fmt: skip


# -- contracts ------------------------------------------------------------------------------------


def _due_of(criterion: Criterion, type_: str) -> tuple[Kind, Frequency, tuple[FigureField, ...]]:
    requirements = [RequirementView(r.code, r.data_type, r.unit) for r in criterion.requirements.all()]
    due = what_is_due(
        CriterionKind(type_),
        criterion.topic,
        requirements,
        has_labels=bool(criterion.verification_labels.all()),
    )
    return due.kind, due.frequency, due.figures


def _schedule(
    contract_criterion: ContractCriterion,
    *,
    first_period: int = 1,
    after: date | None = None,
    dates: Sequence[date] | None = None,
) -> int:
    """Create the obligations of one criterion from its frequency (or on ``dates``, e.g. the one a
    new delivery brings); returns how many were created."""
    contract = contract_criterion.contract
    kind, _frequency, figures = _due_of(contract_criterion.criterion, contract_criterion.type)
    if dates is None:
        deliveries = list(contract.deliveries.values_list("delivered_on", flat=True))
        dates = due_dates(
            Frequency(contract_criterion.frequency),
            contract.start_date,
            contract.end_date,
            deliveries=deliveries,
        )
    titles = {r.code: r.title for r in contract_criterion.criterion.requirements.all()}
    rows = [
        Obligation(
            contract=contract,
            contract_criterion=contract_criterion,
            kind=kind.value,
            figures=[_figure(f, titles) for f in figures],
            period=first_period + index,
            due_date=day,
            checker=contract.created_by,
        )
        for index, day in enumerate(d for d in dates if after is None or d > after)
    ]
    created = Obligation.objects.bulk_create(rows)
    ObligationEvent.objects.bulk_create(
        [
            ObligationEvent(obligation=o, action=ObligationEvent.Action.CREATED, by=contract.created_by)
            for o in created
        ]
    )
    return len(created)


def _figure(figure: FigureField, titles: Mapping[str, Any]) -> dict[str, Any]:
    """A figure as an obligation stores it; a measured requirement's keeps the requirement's title in
    every language it has (``{lang: text}``), which pages show as its label (``labels.figure_label``)."""
    stored: dict[str, Any] = {"key": figure.key, "label": figure.label, "unit": figure.unit}
    title = titles.get(figure.key)
    if isinstance(title, dict) and title:
        stored["titles"] = {str(lang): str(text) for lang, text in title.items()}
        stored["label"] = stored["titles"].get("en") or figure.label
    return stored


@transaction.atomic
def create_contract(
    organisation: Organisation,
    *,
    reference: str,
    title: str,
    supplier_name: str,
    value: Decimal,
    start_date: date,
    end_date: date,
    framework_version: FrameworkVersion,
    criteria: Sequence[tuple[Criterion, str]],
    acting_user: Any,
    currency: str = "EUR",
    supplier_organisation: Organisation | None = None,
    tender: Tender | None = None,
    lot: Lot | None = None,
    audit: bool = True,
) -> Contract:
    """A contract with the criteria it carries and every obligation they produce; all or nothing.

    ``criteria`` are (criterion, its type in the tender); those of another type than a contract
    performance clause or a technical specification are carried but produce no obligation.
    ``audit=False`` is for ``import_contracts`` only: its one record names the file and every contract
    it created, so the buyer's log gets one record per import, not one per row as well.
    """
    if end_date < start_date:
        raise ContractError(_("The contract ends before it starts."))
    if value < 0:
        raise ContractError(_("The contract value cannot be negative."))
    if not supplier_name.strip():
        raise ContractError(_("Name the supplier."))
    if supplier_organisation is not None and supplier_organisation.is_participant:
        raise ContractError(_("A supplier's organisation is a supporter, not a participant."))
    if Contract.unscoped.filter(organisation=organisation, reference=reference).exists():
        raise ContractError(_("There is already a contract %(ref)s.") % {"ref": reference})
    try:
        with transaction.atomic():
            contract = Contract.unscoped.create(
                organisation=organisation,
                tender=tender,
                lot=lot,
                reference=reference,
                title=title,
                supplier_name=supplier_name.strip(),
                supplier_organisation=supplier_organisation,
                value=value,
                currency=currency.upper(),
                start_date=start_date,
                end_date=end_date,
                framework_version=framework_version,
                created_by=actor(acting_user),
            )
    except IntegrityError:
        raise ContractError(
            _("There is already a contract for this lot with %(supplier)s.") % {"supplier": supplier_name}
        ) from None
    for criterion, type_ in criteria:
        if criterion.version_id != framework_version.pk:
            raise ContractError(
                _("Criterion %(code)s is not of the contract's framework version.") % {"code": criterion.code}
            )
        frequency = _due_of(criterion, type_)[1].value if type_ in OBLIGATION_TYPES else Frequency.ONCE.value
        row = ContractCriterion.objects.create(
            contract=contract, criterion=criterion, type=type_, frequency=frequency
        )
        if type_ in OBLIGATION_TYPES:
            _schedule(row)
    if audit:
        _audit(
            AuditRecord.Action.CONTRACT_CREATED, contract, contract, acting_user=acting_user,
            after=_contract_summary(contract, [criterion.code for criterion, _type in criteria]),
        )  # fmt: skip
    log.info("contract %s created by %s", contract.pk, getattr(acting_user, "pk", None))
    return contract


def _contract_summary(contract: Contract, codes: list[str]) -> dict[str, Any]:
    """What the contract-created record shows: the contract's terms and the criteria it carries."""
    supplier, tender, lot = contract.supplier_organisation, contract.tender, contract.lot
    return {
        "reference": contract.reference,
        "title": contract.title,
        "supplier": contract.supplier_name,
        "supplier_organisation": supplier.slug if supplier else None,
        "value": str(contract.value),
        "currency": contract.currency,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "framework_version": contract.framework_version.code,
        "tender": tender.reference if tender else None,
        "lot": lot.number if lot else None,
        "criteria": codes,
    }


@dataclass(frozen=True)
class LotWinner:
    lot: Lot
    supplier: str
    value: Decimal  #: the winner's offer for the lot: Σ quantity × unit price (EUR)


def lot_winners(tender: Tender) -> list[LotWinner]:
    """Per lot, the offer ranked first and eligible in the signed-off evaluation, with its value."""
    from cfit.offers.evaluation import evaluate_tender  # contracts build on offers
    from cfit.offers.models import OfferLine

    evaluation = evaluate_tender(tender)
    winners = []
    for lot in tender.lots.all():
        result = evaluation.result_for(lot.number)
        if result is None:
            continue
        first = next((o for o in result.offers if o.rank == 1 and o.eligible and o.bid), None)
        if first is None:
            continue
        lines = OfferLine.objects.filter(offer__tender=tender, offer__supplier=first.offer, lot=lot.number)
        value = sum((Decimal(str(line.unit_price)) * line.quantity for line in lines), Decimal(0))
        winners.append(LotWinner(lot, first.offer, value.quantize(Decimal("0.01"))))
    return winners


def award_lot(
    tender: Tender,
    lot_number: int,
    *,
    start_date: date,
    end_date: date,
    acting_user: Any,
    supplier_organisation: Organisation | None = None,
) -> Contract:
    """The contract of an awarded tender's lot with the supplier ranked first, carrying the lot's criteria."""
    if tender.status != Tender.Status.AWARDED:
        raise ContractError(_("Only an awarded tender's lots become contracts."))
    winner = next((w for w in lot_winners(tender) if w.lot.number == lot_number), None)
    if winner is None:
        raise ContractError(_("Lot %(n)s has no eligible offer ranked first.") % {"n": lot_number})
    lot = winner.lot
    rows = lot.lot_criteria.select_related("criterion")
    return create_contract(
        tender.organisation,
        reference=f"{tender.reference}-L{lot.number}",
        title=f"{tender.title}: {lot}",
        supplier_name=winner.supplier,
        supplier_organisation=supplier_organisation,
        value=winner.value,
        start_date=start_date,
        end_date=end_date,
        framework_version=lot.version,
        criteria=[(row.criterion, row.type) for row in rows],
        acting_user=acting_user,
        tender=tender,
        lot=lot,
    )


@transaction.atomic
def change_frequency(contract_criterion: ContractCriterion, frequency: Frequency, *, acting_user: Any) -> int:
    """Report a criterion at another frequency: its obligations still due are replaced, those
    delivered, accepted, returned or disputed stay with their trail. Returns the obligations created
    (none, and no audit record, when the frequency is the one it has)."""
    if contract_criterion.type not in OBLIGATION_TYPES:
        raise ContractError(_("This criterion produces no obligations."))
    contract_criterion = ContractCriterion.objects.select_for_update().get(pk=contract_criterion.pk)
    before = contract_criterion.frequency
    if before == frequency.value:
        return 0  # nothing changes: the obligations due stay as they are, with their trail
    kept = contract_criterion.obligations.exclude(status=Obligation.Status.DUE)
    last_kept = kept.order_by("-period").first()
    _count, removed = contract_criterion.obligations.filter(status=Obligation.Status.DUE).delete()
    contract_criterion.frequency = frequency.value
    contract_criterion.save(update_fields=["frequency"])
    created = _schedule(
        contract_criterion,
        first_period=(last_kept.period + 1) if last_kept else 1,
        after=last_kept.due_date if last_kept else None,
    )
    for obligation in contract_criterion.obligations.all():
        if obligation.status == Obligation.Status.DUE:
            obligation.events.filter(action=ObligationEvent.Action.CREATED).update(by=actor(acting_user))
    _audit(
        AuditRecord.Action.FREQUENCY_CHANGED, contract_criterion, contract_criterion.contract,
        acting_user=acting_user,
        before={"frequency": before, "obligations_due": removed.get(Obligation._meta.label, 0)},
        after={"frequency": frequency.value, "obligations_due": created},
    )  # fmt: skip
    return created


@dataclass(frozen=True)
class RecordedDelivery:
    delivery: Delivery
    obligations_created: int  #: one per criterion reported per delivery


@transaction.atomic
def record_delivery(
    contract: Contract, delivered_on: date, *, acting_user: Any, note: str = ""
) -> RecordedDelivery:
    """A delivery under the contract; each per-delivery criterion gets its obligation for it. A date
    outside the contract period or after today is refused (``ContractError``)."""
    if refusal := contract.delivery_date_refusal(delivered_on):
        raise ContractError(refusal)
    delivery = Delivery.objects.create(contract=contract, delivered_on=delivered_on, note=note)
    # Exactly one obligation per criterion for this delivery, whatever the order deliveries are
    # recorded in (a late-recorded earlier delivery, two on one day, several near the end that all
    # fall due on the contract's last day).
    due = due_dates(Frequency.PER_DELIVERY, contract.start_date, contract.end_date, deliveries=[delivered_on])
    created = 0
    for row in contract.criteria.filter(frequency=Frequency.PER_DELIVERY.value):
        last = row.obligations.order_by("-period").first()
        created += _schedule(row, first_period=(last.period + 1) if last else 1, dates=due)
    _audit(
        AuditRecord.Action.DELIVERY_RECORDED, delivery, contract, acting_user=acting_user,
        after={"delivered_on": delivered_on.isoformat(), "note": note, "obligations_created": created},
    )  # fmt: skip
    return RecordedDelivery(delivery, created)


# -- contracts imported --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedContracts:
    contracts: list[Contract]
    sheet: str  #: the workbook's sheet read ("" for a CSV file)


@transaction.atomic
def import_contracts(
    organisation: Organisation,
    source: bytes | Path,
    filename: str,
    *,
    acting_user: Any,
    sheet: str | None = None,
) -> ImportedContracts:
    """A buyer's existing contracts from a CSV or XLSX file, all or nothing: ``RowsRefused`` names every
    problem by sheet, row and column (``cfit.contracts.importing`` for the columns). A workbook is read
    from ``sheet`` if given, else from the one sheet that holds the contract columns (refused when none
    or several do); the result names the sheet read. Each contract carries the
    criteria listed, of its framework version, each with its type in the framework, and their
    obligations; its supplier's organisation is the supplier on the platform of the same name."""
    if not organisation.is_participant:
        raise ContractError(_("Only participants import their contracts."))
    rows, problems = read_contracts(source, filename, sheet=sheet)
    latest = FrameworkVersion.objects.latest_published()
    versions = {v.code: v for v in FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED)}
    taken = set(
        Contract.unscoped.filter(
            organisation=organisation, reference__in=[r.reference for r in rows]
        ).values_list("reference", flat=True)
    )
    suppliers = {_folded(o.name): o for o in Organisation.objects.filter(type=Organisation.Type.SUPPORTER)}
    ready = []
    for row in rows:
        version = versions.get(row.framework_version) if row.framework_version else latest
        if version is None:
            problems.add(
                row.row, "framework_version", "unknown_version", version=row.framework_version or "-"
            )
            continue
        if row.reference in taken:
            problems.add(row.row, "reference", "exists", what=row.reference)
        found = {c.code: c for c in Criterion.objects.filter(version=version, code__in=row.criteria)}
        unknown = [code for code in row.criteria if code not in found]
        if unknown:
            problems.add(
                row.row, "criteria", "unknown_criterion", codes=", ".join(unknown), version=version.code
            )
        ready.append((row, version, [found[c] for c in row.criteria if c in found]))
    problems.raise_if_any()
    contracts = [
        create_contract(
            organisation, reference=row.reference, title=row.title, supplier_name=row.supplier,
            supplier_organisation=suppliers.get(_folded(row.supplier)), value=row.value,
            currency=row.currency, start_date=row.start_date, end_date=row.end_date,
            framework_version=version, criteria=[(c, c.type) for c in criteria], acting_user=acting_user,
            audit=False,  # the one record below stands for the file's contracts
        )
        for row, version, criteria in ready
    ]  # fmt: skip
    record(
        AuditRecord.Action.CONTRACTS_IMPORTED, organisation, acting_user=acting_user, organisation=organisation,
        after={
            "file": filename, **({"sheet": problems.sheet} if problems.sheet else {}),
            "contracts": [c.reference for c in contracts],
        },
    )  # fmt: skip
    return ImportedContracts(contracts, problems.sheet)


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


# -- the supplier's side --------------------------------------------------------------------------


def _number(text: str, field: Mapping[str, Any], language: str | None) -> str:
    """A figure as stored: the exact number as text with a decimal point ("1234", "12.5").

    Typed on a page (``language`` given), it is read by the separators of the user's language, as the
    pages print numbers ("1.234" is 1234 in Dutch, 1.234 in English; ``numberfields.typed_number``); sent
    through the API (``language`` None), by the number rule of every import ('1.234,5' is 1234.5).
    Never below 0; a count (``WHOLE_UNITS``) is whole, a share (``PERCENT_UNITS``) at most 100."""
    unit = str(field.get("unit", ""))
    name = f"{figure_label(field)} ({unit_label(field)})"
    whole, percent = unit in WHOLE_UNITS, unit in PERCENT_UNITS
    try:
        # Typed on a page: the user's language; through the API: every import's number rule.
        value = typed_number(text, language) if language else Decimal(repr(parse_number(text)))
    except NotANumber:
        value = None
    if percent and (value is None or not 0 <= value <= 100):
        raise ContractError(_("%(field)s: give a percentage from 0 to 100.") % {"field": name})
    if whole and (value is None or value < 0 or value != value.to_integral_value()):
        raise ContractError(
            _("%(field)s: give a whole number of at least 0, e.g. %(example)s.")
            % {"field": name, "example": _example(1234, language)}
        )
    if value is None or value < 0:
        raise ContractError(
            _("%(field)s: give a number of at least 0, e.g. %(example)s.")
            % {"field": name, "example": _example(Decimal("1234.5"), language)}
        )
    if value > MAX_FIGURE:
        raise ContractError(_("%(field)s: the number is too large.") % {"field": name})
    if whole:
        return str(int(value))
    return format(value.normalize(), "f")


def _example(value: Any, language: str | None) -> str:
    """A number as the user types it in their language (English through the API)."""
    return example(value, language or "en")


def _checked_evidence(data: bytes, filename: str, *, macro_workbook: bool = False) -> str:
    """The media type of an evidence file (``uploads.check_evidence``: its size, its kind by name and
    by content); ``ContractError`` naming the file otherwise, in the user's language. ``macro_workbook``:
    a ``.xlsm`` is checked as the macro-free copy ``_without_macros`` stores."""
    try:
        if macro_workbook:
            return check_evidence(without_macros(data, filename), "workbook.xlsx")
        return check_evidence(data, filename)
    except ImportRefused as error:
        params = {"file": filename, **error.params}
        match error.code:
            case "not_evidence":
                message = _("%(file)s is not a kind of file taken as evidence: send %(kinds)s.")
            case "not_what_it_says":
                message = _("%(file)s is not a %(kind)s file, though its name says so: nothing was stored.")
            case "too_large":
                message = _("%(file)s is larger than %(size)s.")
            case _:
                message = _("%(file)s cannot be read as evidence: nothing was stored.")
        raise ContractError(message % params) from None


@dataclass(frozen=True)
class _Evidence:
    submission: Submission
    figures: list[str]  #: the keys of the figures given
    received: dict[str, str] | None  #: the name and checksum of a macro workbook as it was sent


def _submission(
    obligation: Obligation,
    *,
    acting_user: Any,
    data: bytes | None,
    filename: str,
    content_type: str,
    values: Mapping[str, str] | None,
    declared: bool,
    comment: str,
    language: str | None,
) -> _Evidence:
    """The supplier's evidence checked and stored: the file by ``uploads.check_evidence`` (a CMRT/EMRT
    read too), each figure by ``_number``, what the obligation's kind needs there. Refused
    (``ContractError``), nothing is stored."""
    received: dict[str, str] | None = None
    if data and _takes_macro_workbook(obligation, filename):
        # A CMRT/EMRT saved macro-enabled: read as any workbook (openpyxl runs nothing), stored without
        # its macros under the .xlsx name, so that the buyer's download runs nothing either.
        content_type = _checked_evidence(data, filename, macro_workbook=True)
        received = {"filename": filename, "sha256": hashlib.sha256(data).hexdigest()}
        data, filename = (
            without_macros(data, filename),
            re.sub(r"\.xlsm[\s.]*$", ".xlsx", filename, flags=re.I),
        )
    elif data:
        content_type = _checked_evidence(data, filename)
    # A CMRT or EMRT is read before anything is stored: refused, the delivery is not made.
    reading = _minerals_template(obligation, data, filename) if data else None
    asked = [field["key"] for field in obligation.figures]
    unknown = sorted(set(values or {}) - set(asked))
    if unknown:  # the API takes figures by key: a key mistyped is named, never dropped in silence
        raise ContractError(
            _("%(keys)s: not a figure of this obligation, which asks for %(asked)s.")
            % {"keys": ", ".join(unknown), "asked": ", ".join(asked) or "—"}
        )
    figures: dict[str, str] = {}
    for field in obligation.figures:
        raw = (values or {}).get(field["key"], "").strip()
        if raw:
            figures[field["key"]] = _number(raw, field, language)
    match obligation.kind:
        case Kind.DOCUMENT.value if not data:
            raise ContractError(_("Attach the document."))
        case Kind.FIGURE.value if len(figures) < len(obligation.figures):
            missing = [figure_label(f) for f in obligation.figures if f["key"] not in figures]
            raise ContractError(_("Fill in every figure: %(missing)s.") % {"missing": ", ".join(missing)})
        case Kind.DECLARATION.value if not declared:
            raise ContractError(_("Tick the declaration."))
    submission = Submission.objects.create(
        obligation=obligation,
        submitted_by=actor(acting_user),
        filename=filename[:255] if data else "",
        content_type=content_type[:100] if data else "",
        data=data or None,
        size=len(data or b""),
        sha256=hashlib.sha256(data).hexdigest() if data else "",
        values=figures,
        declared=declared,
        comment=comment.strip(),
    )
    if reading is not None:
        from cfit.duediligence.actions import store_report

        store_report(submission, reading)
    return _Evidence(submission, sorted(figures), received)


def _delivered(evidence: _Evidence) -> dict[str, Any]:
    """What an audit record says of a delivery: its file and checksum, the figures, the declaration."""
    submission = evidence.submission
    return {
        "filename": submission.filename or None, "sha256": submission.sha256 or None,
        "figures": evidence.figures, "declared": submission.declared,
        **({"received": evidence.received} if evidence.received else {}),
    }  # fmt: skip


@transaction.atomic
def deliver(
    obligation: Obligation,
    *,
    acting_user: Any,
    data: bytes | None = None,
    filename: str = "",
    content_type: str = "",
    values: Mapping[str, str] | None = None,
    declared: bool = False,
    comment: str = "",
    language: str | None = None,
) -> Submission:
    """The supplier's evidence: a file, the figures asked, a declaration; what the kind needs must be there.
    ``language``: the figures were typed on a page in this language (``_number``)."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    before = obligation.status
    if obligation.status not in Obligation.OPEN:
        raise ContractError(
            _("This obligation is %(state)s: nothing is due.") % {"state": obligation.get_status_display()}
        )
    evidence = _submission(
        obligation, acting_user=acting_user, data=data, filename=filename, content_type=content_type,
        values=values, declared=declared, comment=comment, language=language,
    )  # fmt: skip
    submission = evidence.submission
    _move(
        obligation,
        Obligation.Status.DELIVERED,
        ObligationEvent.Action.DELIVERED,
        acting_user,
        comment,
        submission,
    )
    _audit(
        AuditRecord.Action.EVIDENCE_DELIVERED, obligation, obligation.contract, acting_user=acting_user,
        by_supplier=True, before={"status": before},
        after={"status": obligation.status, **_delivered(evidence)},
        reason=submission.comment,
    )  # fmt: skip
    return submission


class EvidenceLocked(ContractError):
    """Raised if a delivery the buyer has decided on (accepted or returned) is to be replaced or withdrawn."""


def _undecided(obligation: Obligation) -> Submission:
    """The delivery the buyer has not decided on yet (the obligation locked for update), which the
    supplier may replace or withdraw; ``EvidenceLocked`` once the buyer has accepted or returned it."""
    if obligation.status == Obligation.Status.DUE:
        raise ContractError(_("Nothing delivered for this obligation waits for the buyer's decision."))
    if obligation.status != Obligation.Status.DELIVERED:
        raise EvidenceLocked(
            _(
                "The buyer has decided on this delivery (%(state)s): it can no longer be replaced or "
                "withdrawn."
            )
            % {"state": obligation.get_status_display()}
        )
    current = obligation.submissions.current().order_by("-submitted_at", "-id").first()
    if current is None:  # pragma: no cover - a delivered obligation always has its delivery
        raise ContractError(_("Nothing delivered for this obligation waits for the buyer's decision."))
    return current


def _set_aside(submission: Submission, how: str) -> None:
    submission.set_aside, submission.set_aside_at = how, timezone.now()
    submission.save(update_fields=["set_aside", "set_aside_at"])


@transaction.atomic
def replace_delivery(
    obligation: Obligation,
    *,
    acting_user: Any,
    data: bytes | None = None,
    filename: str = "",
    content_type: str = "",
    values: Mapping[str, str] | None = None,
    declared: bool = False,
    comment: str = "",
    language: str | None = None,
) -> Submission:
    """The supplier replaces a delivery the buyer has not decided on (a typo in its CMRT, the wrong PDF)
    with new evidence, checked as any delivery; the earlier one is kept, set aside as replaced, and the
    trail and both organisations' logs say so. Once the buyer has accepted or returned the delivery it
    stays as it is (``EvidenceLocked``)."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    earlier = _undecided(obligation)
    evidence = _submission(
        obligation, acting_user=acting_user, data=data, filename=filename, content_type=content_type,
        values=values, declared=declared, comment=comment, language=language,
    )  # fmt: skip
    _set_aside(earlier, Submission.SetAside.REPLACED)
    _move(
        obligation,
        Obligation.Status.DELIVERED,
        ObligationEvent.Action.REPLACED,
        acting_user,
        comment,
        evidence.submission,
    )
    _audit(
        AuditRecord.Action.EVIDENCE_REPLACED, obligation, obligation.contract, acting_user=acting_user,
        by_supplier=True,
        before={"status": obligation.status, "filename": earlier.filename or None,
                "sha256": earlier.sha256 or None, "figures": sorted(earlier.values),
                "declared": earlier.declared},
        after={"status": obligation.status, **_delivered(evidence)},
        reason=evidence.submission.comment,
    )  # fmt: skip
    return evidence.submission


@transaction.atomic
def withdraw_delivery(obligation: Obligation, *, acting_user: Any, comment: str) -> Obligation:
    """The supplier withdraws a delivery the buyer has not decided on, saying why: it is kept, set aside
    as withdrawn, and the obligation is owed again (returned again if the buyer had returned it before).
    Once the buyer has accepted or returned the delivery it stays as it is (``EvidenceLocked``)."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    withdrawn = _undecided(obligation)
    comment = _reason(comment)
    before = obligation.status
    returned = obligation.events.filter(action=ObligationEvent.Action.RETURNED).exists()
    _set_aside(withdrawn, Submission.SetAside.WITHDRAWN)
    _move(
        obligation,
        Obligation.Status.RETURNED if returned else Obligation.Status.DUE,
        ObligationEvent.Action.WITHDRAWN,
        acting_user,
        comment,
        withdrawn,
    )
    _audit(
        AuditRecord.Action.EVIDENCE_WITHDRAWN, obligation, obligation.contract, acting_user=acting_user,
        by_supplier=True,
        before={"status": before, "filename": withdrawn.filename or None, "sha256": withdrawn.sha256 or None},
        after={"status": obligation.status},
        reason=comment.strip(),
    )  # fmt: skip
    return obligation


def _takes_macro_workbook(obligation: Obligation, filename: str) -> bool:
    """Whether a macro-enabled workbook is taken for this obligation: where its evidence is a CMRT or an
    EMRT (RMI's templates, which some suppliers save as .xlsm), and nowhere else."""
    from cfit.duediligence.actions import expects_template

    return filename.strip().rstrip(".").lower().endswith(".xlsm") and expects_template(obligation)


def _minerals_template(obligation: Obligation, data: bytes, filename: str) -> Any:
    """The CMRT/EMRT the evidence is, read by ``cfit.duediligence`` (None for other evidence)."""
    from cfit.duediligence.actions import MineralsReportRefused, read_evidence

    try:
        return read_evidence(obligation, data, filename)
    except MineralsReportRefused as error:
        raise ContractError(str(error)) from None


def _move(
    obligation: Obligation,
    status: str,
    action: str,
    acting_user: Any,
    comment: str,
    submission: Submission | None = None,
) -> None:
    obligation.status = status
    obligation.changed = timezone.now()
    obligation.save(update_fields=["status", "changed"])
    ObligationEvent.objects.create(
        obligation=obligation,
        action=action,
        by=actor(acting_user),
        comment=comment.strip(),
        submission=submission or obligation.submissions.current().order_by("-submitted_at", "-id").first(),
    )


def _decided(
    obligation: Obligation,
    action: str,
    before: str,
    acting_user: Any,
    comment: str,
    *,
    by_supplier: bool = False,
) -> None:
    """The audit record of a step of the obligation's workflow: its state before and after, the comment."""
    _audit(
        action, obligation, obligation.contract, acting_user=acting_user, by_supplier=by_supplier,
        before={"status": before}, after={"status": obligation.status}, reason=comment.strip(),
    )  # fmt: skip


def _reason(comment: str) -> str:
    if len(comment.strip()) < MIN_COMMENT:
        raise ContractError(_("Say why (at least %(n)s characters).") % {"n": MIN_COMMENT})
    return comment


@transaction.atomic
def dispute(obligation: Obligation, *, acting_user: Any, comment: str) -> Obligation:
    """The supplier disagrees with a return; the buyer then accepts or returns again."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.status != Obligation.Status.RETURNED:
        raise ContractError(_("Only a returned obligation can be disputed."))
    before = obligation.status
    _move(
        obligation, Obligation.Status.DISPUTED, ObligationEvent.Action.DISPUTED, acting_user, _reason(comment)
    )
    _decided(obligation, AuditRecord.Action.EVIDENCE_DISPUTED, before, acting_user, comment, by_supplier=True)
    return obligation


# -- the buyer's decisions ------------------------------------------------------------------------


def _still_what_was_seen(obligation: Obligation, seen: int | None) -> None:
    """The buyer decides on the delivery the page showed (``seen``, a submission's id): one the supplier
    replaced or withdrew in the meantime is refused, so that nobody accepts a file unseen."""
    if seen is None:
        return
    current = obligation.submissions.current().order_by("-submitted_at", "-id").first()
    if current is None or current.pk != seen:
        raise ContractError(
            _("The supplier replaced this delivery after you opened the page: check what is delivered now.")
        )


@transaction.atomic
def accept(
    obligation: Obligation, *, acting_user: Any, comment: str = "", seen: int | None = None
) -> Obligation:
    """The buyer accepts what was delivered (or a disputed delivery); ``seen``: the delivery decided on."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.status not in Obligation.TO_CHECK:
        raise ContractError(_("Only delivered or disputed evidence can be accepted."))
    _still_what_was_seen(obligation, seen)
    before = obligation.status
    _move(obligation, Obligation.Status.ACCEPTED, ObligationEvent.Action.ACCEPTED, acting_user, comment)
    _decided(obligation, AuditRecord.Action.EVIDENCE_ACCEPTED, before, acting_user, comment)
    return obligation


@transaction.atomic
def return_obligation(
    obligation: Obligation, *, acting_user: Any, comment: str, seen: int | None = None
) -> Obligation:
    """The buyer returns the evidence with a comment; the obligation is due again (late if past its date).
    ``seen``: the delivery decided on."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.status not in Obligation.TO_CHECK:
        raise ContractError(_("Only delivered or disputed evidence can be returned."))
    _still_what_was_seen(obligation, seen)
    before = obligation.status
    _move(
        obligation, Obligation.Status.RETURNED, ObligationEvent.Action.RETURNED, acting_user, _reason(comment)
    )
    _decided(obligation, AuditRecord.Action.EVIDENCE_RETURNED, before, acting_user, comment)
    return obligation


# -- reminders and escalation ---------------------------------------------------------------------


def _emails(users: Iterable[Any]) -> list[Any]:
    """The users with an address, each once, by address."""
    return sorted({u.email: u for u in users if u.email}.values(), key=lambda u: u.email)


def _recipients(obligation: Obligation, stage: str) -> list[tuple[list[Any], bool]]:
    """Who a notice goes to (users), one list per organisation, each saying whether it is the supplier's:
    each organisation gets its own mail, so that the supplier's staff and the buyer's checker never read
    each other's addresses in one To line, and each its own link (``_where_to_act``)."""
    contract = obligation.contract
    members = Membership.objects.select_related("user__profile")
    supplier = (
        [m.user for m in members.filter(organisation_id=contract.supplier_organisation_id)]
        if contract.supplier_organisation_id
        else []
    )
    if stage == Notice.Stage.REMINDER:
        groups = [(_emails(supplier), True)]
    elif stage == Notice.Stage.OVERDUE:
        groups = [
            (_emails(supplier), True),
            (_emails([obligation.checker] if obligation.checker else []), False),
        ]
    else:
        admins = members.filter(organisation_id=contract.organisation_id, role=Membership.Role.ADMIN)
        groups = [(_emails(m.user for m in admins), False)]
    return [(group, to_supplier) for group, to_supplier in groups if group]


def _where_to_act(obligation: Obligation, *, to_supplier: bool) -> str:
    """A notice's last line, the full address of the page its reader acts on: for the supplier the
    obligation's page, where it delivers the evidence; for the buyer the contract's page."""
    if to_supplier:
        address = page_address("contracts:deliver", obligation.contract_id, obligation.pk)
        return _("Deliver the evidence here: %(address)s") % {"address": address}
    address = page_address("contracts:detail", obligation.contract_id)
    return _("The contract: %(address)s") % {"address": address}


def _notice_language(contract: Contract) -> str:
    """The language of a contract's notices to who has no language of their own: its tender's, the one
    buyer and supplier share (the supplier answered it), else the platform's default."""
    return contract.tender.language if contract.tender is not None else settings.LANGUAGE_CODE


def _message(obligation: Obligation, stage: str) -> tuple[str, str]:
    contract = obligation.contract
    params = {
        "ref": contract.reference,
        "criterion": obligation.contract_criterion.criterion.display_title,
        "code": obligation.contract_criterion.criterion.code,
        "due": formats.date_format(
            obligation.due_date, "SHORT_DATE_FORMAT"
        ),  # as the mail's language writes it
        "supplier": contract.supplier_name,
        "buyer": contract.organisation.name,
    }
    if stage == Notice.Stage.REMINDER:
        subject = _("Contract %(ref)s: evidence due on %(due)s") % params
        body = (
            _("%(buyer)s expects the evidence of %(criterion)s (%(code)s) under contract %(ref)s by %(due)s.")
            % params
        )
    elif stage == Notice.Stage.OVERDUE:
        subject = _("Contract %(ref)s: evidence overdue since %(due)s") % params
        body = (
            _(
                "The evidence of %(criterion)s (%(code)s) under contract %(ref)s was due on %(due)s and has not "
                "been delivered."
            )
            % params
        )
    else:
        subject = _("Escalation: contract %(ref)s, evidence overdue since %(due)s") % params
        body = (
            _(
                "%(supplier)s has not delivered the evidence of %(criterion)s (%(code)s) under contract %(ref)s, "
                "due on %(due)s. It is escalated to the administrators of %(buyer)s."
            )
            % params
        )
    return subject, body


def stage_for(obligation: Obligation, today: date) -> list[str]:
    """The notice stages an open obligation has reached on ``today`` (all of them, in order)."""
    stages = []
    if today >= obligation.due_date - timedelta(days=REMIND_BEFORE_DAYS):
        stages.append(Notice.Stage.REMINDER.value)
    if today > obligation.due_date:
        stages.append(Notice.Stage.OVERDUE.value)
    if today > obligation.due_date + timedelta(days=ESCALATE_AFTER_DAYS):
        stages.append(Notice.Stage.ESCALATION.value)
    return stages


def send_notices(today: date | None = None) -> int:
    """Send each open obligation's reminder, overdue notice and escalation once; returns the mails sent.

    Idempotent: a notice row per obligation, stage and due date is claimed by its unique constraint
    in the same transaction as the send, so a second run (or a second worker) sends nothing again,
    and a failed send rolls the row back to be tried on the next run. Only the latest stage reached
    is sent when several are reached at once (an obligation found 40 days late escalates, without a
    reminder that it is almost due).
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=REMIND_BEFORE_DAYS)
    sent = 0
    connection = None
    candidates = (
        Obligation.objects.open()
        .filter(due_date__lte=horizon)
        .select_related(
            "contract__organisation", "contract__tender", "contract_criterion__criterion", "checker__profile"
        )
        .order_by("due_date", "pk")
    )
    for obligation in candidates.iterator():
        stages = stage_for(obligation, today)
        if not stages:
            continue
        done = set(
            Notice.objects.filter(obligation=obligation, due_date=obligation.due_date).values_list(
                "stage", flat=True
            )
        )
        stage = stages[-1]
        if stage in done:
            continue
        groups = _recipients(obligation, stage)
        recipients = [user.email for group, _to_supplier in groups for user in group]
        try:
            with transaction.atomic():
                Notice.objects.create(
                    obligation=obligation, stage=stage, due_date=obligation.due_date, recipients=recipients
                )
                # The stages skipped are marked too, so that none is sent later out of order.
                Notice.objects.bulk_create(
                    [
                        Notice(obligation=obligation, stage=s, due_date=obligation.due_date, recipients=[])
                        for s in stages[:-1]
                        if s not in done
                    ]
                )
                if recipients:
                    # One mail per organisation and language: each reader's own, else the tender's (a
                    # cron run has no reader's language of its own: it sent English).
                    fallback = _notice_language(obligation.contract)
                    messages = []
                    for group, to_supplier in groups:
                        for language, addresses in users_by_language(group, fallback):
                            with translation.override(language):
                                subject, body = _message(obligation, stage)
                                where = _where_to_act(obligation, to_supplier=to_supplier)
                            messages.append(EmailMessage(subject, f"{body}\n\n{where}", None, addresses))
                    connection = connection or get_connection()
                    connection.send_messages(messages)
                    sent += len(messages)
        except IntegrityError:
            continue  # another run claimed it
    return sent


# -- findings and corrective actions --------------------------------------------------------------


@transaction.atomic
def open_finding(
    contract: Contract,
    *,
    kind: str,
    description: str,
    action: str,
    owner: str,
    deadline: date,
    acting_user: Any,
    obligation: Obligation | None = None,
) -> Finding:
    """The buyer records a finding and the corrective action it asks of the supplier."""
    if kind not in Finding.Kind.values:
        raise ContractError(_("Unknown kind of finding."))
    if not description.strip() or not action.strip() or not owner.strip():
        raise ContractError(_("Say what was found, what must be done and who owns it."))
    if obligation is not None and obligation.contract_id != contract.pk:
        raise ContractError(_("The obligation is not of this contract."))
    if deadline < timezone.localdate():  # a corrective action already late when it is asked for
        raise ContractError(_("The deadline of a corrective action lies today or later."))
    if len(owner.strip()) > OWNER_MAX_LENGTH:
        raise ContractError(
            _("Name the owner in at most %(limit)s characters.") % {"limit": OWNER_MAX_LENGTH}
        )
    finding = Finding.objects.create(
        contract=contract,
        obligation=obligation,
        kind=kind,
        description=description.strip(),
        action=action.strip(),
        owner=owner.strip(),
        deadline=deadline,
        raised_by=actor(acting_user),
    )
    _audit(
        AuditRecord.Action.FINDING_OPENED, finding, contract, acting_user=acting_user,
        after={
            "kind": finding.kind, "description": finding.description, "action": finding.action,
            "owner": finding.owner, "deadline": deadline.isoformat(), "status": finding.status,
            "obligation": str(obligation) if obligation is not None else None,
        },
    )  # fmt: skip
    return finding


#: The longest owner of a corrective action a finding names (a person or a team at the supplier).
OWNER_MAX_LENGTH = 200


@transaction.atomic
def close_finding(finding: Finding, *, acting_user: Any, data: bytes, filename: str, note: str) -> Finding:
    """The supplier closes the corrective action; the evidence (a file) and a note are required."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != Finding.Status.OPEN:
        raise ContractError(_("This corrective action is already closed."))
    before = finding.status
    if not data:
        raise ContractError(_("Attach the evidence that the finding was remedied."))
    _checked_evidence(data, filename)
    finding.status = Finding.Status.CLOSED
    finding.closed_by = actor(acting_user)
    finding.closed_at = timezone.now()
    finding.closing_note = _reason(note).strip()
    finding.evidence = data
    finding.evidence_name = filename[:255]
    finding.evidence_sha256 = hashlib.sha256(data).hexdigest()
    finding.save(
        update_fields=[
            "status", "closed_by", "closed_at", "closing_note", "evidence", "evidence_name", "evidence_sha256"
        ]
    )  # fmt: skip
    _audit(
        AuditRecord.Action.FINDING_CLOSED, finding, finding.contract, acting_user=acting_user, by_supplier=True,
        before={"status": before},
        after={
            "status": finding.status, "evidence_name": finding.evidence_name,
            "evidence_sha256": finding.evidence_sha256,
        },
        reason=finding.closing_note,
    )  # fmt: skip
    return finding
