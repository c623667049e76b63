"""Operations on tenders that change several rows at once, one transaction each."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cfit.accounts.models import Organisation
from cfit.audit.models import AuditRecord
from cfit.audit.recording import actor, record
from cfit.criteria import content
from cfit.criteria.actions import FieldDifference, criterion_differences, version_to_content
from cfit.criteria.models import Criterion, FrameworkVersion, ProductGroup, translated
from cfit.criteria.rendering import rendered_criterion
from cfit.labels import label_text
from cfit.tenders import selection
from cfit.tenders.award import CostParameters, PriceRule
from cfit.tenders.models import MAX_LOT_QUANTITY, MAX_SERVICE_LIFE_YEARS, Lot, LotCriterion, Tender
from cfit.tenders.spec import BuyerDetails, ChosenCriterion, LotSpec, ReviewBody, TenderSpec

log = logging.getLogger(__name__)


class TenderError(Exception):
    """Raised if a tender change is not allowed; the message says why, in the user's language."""


def format_moment(moment: datetime) -> str:
    """A moment as users read it: the locale's date and time in the site's time zone, with its name."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


#: How the pages name a lot's numbers (the labels of the new-tender and review pages), so that a refusal
#: names the field the user typed in, in the user's language.
LOT_LABELS = {
    "quantity": gettext_lazy("Quantity"),
    "estimated_value": gettext_lazy("Estimated value (EUR)"),
    "service_life_years": gettext_lazy("Service life (years)"),
    "energy_price": gettext_lazy("Energy price (EUR/kWh)"),
    "maintenance_per_year": gettext_lazy("Maintenance per year (EUR)"),
    "residual_value": gettext_lazy("Residual value (EUR)"),
    "carbon_price": gettext_lazy("Carbon price (EUR/t CO2e)"),
}


def _lot_amount(field: str, value: Any) -> Decimal:
    """``value`` as an amount the lot's ``field`` column holds (its digits and decimals), from 0; refused
    by the field's label otherwise. A number beyond the column would be stored and then fail every read."""
    label = LOT_LABELS[field]
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise TenderError(
            _("%(field)s: %(value)s is not a number.") % {"field": label, "value": value}
        ) from None
    if not amount.is_finite():
        raise TenderError(_("%(field)s: %(value)s is not a number.") % {"field": label, "value": value})
    if amount < 0:
        raise TenderError(_("%(field)s cannot be negative.") % {"field": label})
    column = Lot._meta.get_field(field)
    assert isinstance(column, models.DecimalField)
    places = column.decimal_places
    assert places is not None and column.max_digits is not None
    most = Decimal(10) ** (column.max_digits - places) - Decimal(1).scaleb(-places)
    if amount > most:
        raise TenderError(
            _("%(field)s is at most %(max)s.")
            % {"field": label, "max": number_format(most, decimal_pos=places, force_grouping=True)}
        )
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise TenderError(
            ngettext(
                "%(field)s: at most %(places)s digit after the decimal point.",
                "%(field)s: at most %(places)s digits after the decimal point.",
                places,
            )
            % {"field": label, "places": places}
        )
    return amount


def _lot_count(field: str, value: Any, low: int, high: int) -> int:
    """``value`` as a whole number from ``low`` to ``high``; refused by the field's label otherwise."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not low <= int(text) <= high:
        raise TenderError(
            _("%(field)s is a whole number from %(low)s to %(high)s.")
            % {
                "field": LOT_LABELS[field],
                "low": number_format(low, force_grouping=True),
                "high": number_format(high, force_grouping=True),
            }
        )
    return int(text)


def _lot_refused(error: ValidationError) -> TenderError:
    """A lot's field rule broken (the checks above should have caught it), said with the field's label."""
    problems = getattr(error, "error_dict", {"": error.error_list})
    said = []
    for name, errors in problems.items():
        label = LOT_LABELS.get(name) or (
            getattr(Lot._meta.get_field(name), "verbose_name", name) if name else ""
        )
        for message in ValidationError(errors).messages:
            said.append(label_text(label, message) if label else message)
    return TenderError(" ".join(said))


def _framework(version: FrameworkVersion) -> content.Framework:
    return version_to_content(version)


@transaction.atomic
def create_tender(
    organisation: Organisation,
    *,
    title: str,
    reference: str,
    language: str = "en",
    procedure: str = Tender.Procedure.OPEN,
    lots: Sequence[Mapping[str, Any]] = (),
    acting_user: Any,
    version: FrameworkVersion | None = None,
) -> Tender:
    """A draft tender on the latest published framework version (or ``version``), with ``lots`` (the
    keyword arguments of ``add_lot`` each): the page and the API build tenders only through here.
    Refused (``TenderError``, nothing stored) for a duplicate or multi-line reference or a bad lot."""
    version = version or FrameworkVersion.objects.latest_published()
    if version is None or not version.is_published:
        raise TenderError(_("No published framework version to build on."))
    if any(unicodedata.category(char).startswith("C") for char in reference):
        # The reference names files and fills headers and cells: a line break or control
        # character in it would break a download (or smuggle a header) further on.
        raise TenderError(
            _("A reference is one line of text, without tabs, line breaks or control characters.")
        )
    if Tender.unscoped.filter(organisation=organisation, reference=reference).exists():
        raise TenderError(
            _("Your organisation already has a tender with reference %(ref)s.") % {"ref": reference}
        )
    tender = Tender.unscoped.create(
        organisation=organisation,
        title=title,
        reference=reference,
        language=language,
        procedure=procedure,
        framework_version=version,
        created_by=actor(acting_user),
    )
    added = [_add_lot(tender, **lot) for lot in lots]
    record(
        AuditRecord.Action.TENDER_CREATED, tender, acting_user=acting_user, organisation=organisation,
        after={
            "reference": reference, "title": title, "framework_version": version.code,
            "lots": [{"product_group": lot.product_group.code, "quantity": lot.quantity} for lot in added],
        },
    )  # fmt: skip
    return tender


@transaction.atomic
def add_lot(tender: Tender, *, acting_user: Any, **fields: Any) -> Lot:
    """A lot with the default criteria of its ambition per impact category (baseline where not given);
    ``fields`` as ``_add_lot`` takes them."""
    lot = _add_lot(tender, **fields)
    record(
        AuditRecord.Action.LOT_ADDED, lot, acting_user=acting_user, organisation=tender.organisation,
        after={"tender": tender.reference, "product_group": lot.product_group.code, "quantity": lot.quantity},
    )  # fmt: skip
    return lot


def _lot_changed(lot: Lot, acting_user: Any, before: Any, after: Any) -> None:
    record(
        AuditRecord.Action.LOT_CHANGED, lot, acting_user=acting_user, organisation=lot.tender.organisation,
        before=before, after=after,
    )  # fmt: skip


def _add_lot(
    tender: Tender,
    *,
    product_group: str,
    quantity: int = 1,
    estimated_value: Decimal = Decimal(0),
    service_life_years: int = 5,
    title: str = "",
    ambitions: Mapping[str, str] | None = None,
    framework: content.Framework | None = None,
) -> Lot:
    tender.check_editable()
    try:
        group = ProductGroup.objects.get(code=product_group)
    except ProductGroup.DoesNotExist:
        raise TenderError(_("Unknown product group %(code)s.") % {"code": product_group}) from None
    chosen_ambitions = {
        c.value: (ambitions or {}).get(c.value, content.Ambition.BASELINE.value)
        for c in content.ImpactCategory
    }
    for value in chosen_ambitions.values():
        if value not in content.Ambition._value2member_map_:
            raise TenderError(_("Unknown ambition %(value)s.") % {"value": value})
    number = (tender.lots.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    lot = Lot(
        tender=tender,
        number=number,
        # The title goes into the documents: in their language, not the interface's.
        title=title or translated(group.name, tender.language),
        product_group=group,
        quantity=_lot_count("quantity", quantity, 1, MAX_LOT_QUANTITY),
        estimated_value=_lot_amount("estimated_value", estimated_value),
        cpv=group.cpv,
        service_life_years=_lot_count("service_life_years", service_life_years, 1, MAX_SERVICE_LIFE_YEARS),
        ambitions=chosen_ambitions,
    )
    try:
        lot.full_clean(exclude=["tender", "product_group"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise _lot_refused(error) from None
    lot.save()
    _apply_defaults(lot, framework or _framework(lot.version))
    return lot


def _apply_defaults(lot: Lot, framework: content.Framework) -> None:
    ambitions = {content.ImpactCategory(k): content.Ambition(v) for k, v in lot.ambitions.items()}
    chosen = selection.select_criteria(framework.criteria, lot.product_group.code, ambitions)
    price_weight, weights = selection.default_weights(chosen)
    rows = {c.code: c for c in Criterion.objects.filter(version=lot.version, code__in=[c.id for c in chosen])}
    lot.lot_criteria.all().delete()
    LotCriterion.objects.bulk_create(
        [
            LotCriterion(
                lot=lot,
                criterion=rows[c.id],
                type=c.type.value,
                weight=weights.get(c.id, Decimal(0)),
                position=i,
            )
            for i, c in enumerate(chosen)
        ]
    )
    lot.price_weight = price_weight
    lot.save(update_fields=["price_weight"])


@transaction.atomic
def set_ambition(lot: Lot, category: str, ambition: str, *, acting_user: Any) -> None:
    """The one-click default for one impact category: re-selects the lot's criteria and resets the weights."""
    set_ambitions(lot.tender, {lot.number: {category: ambition}}, acting_user=acting_user)


@transaction.atomic
def set_ambitions(tender: Tender, choices: Mapping[int, Mapping[str, str]], *, acting_user: Any) -> None:
    """The ambition per lot number and impact category; a lot whose ambitions change gets the default
    criteria and weights of its new ambitions. All lots or none."""
    tender.check_editable()
    for lot in tender.lots.filter(number__in=list(choices)):
        chosen = {category: ambition for category, ambition in choices[lot.number].items() if ambition}
        if any(
            category not in content.ImpactCategory._value2member_map_
            or ambition not in content.Ambition._value2member_map_
            for category, ambition in chosen.items()
        ):
            raise TenderError(_("Unknown impact category or ambition."))
        ambitions = {**lot.ambitions, **chosen}
        if ambitions == lot.ambitions:
            continue
        before, lot.ambitions = lot.ambitions, ambitions
        lot.save(update_fields=["ambitions"])
        _apply_defaults(lot, _framework(lot.version))
        _lot_changed(lot, acting_user, {"ambitions": before}, {"ambitions": ambitions})


@transaction.atomic
def add_criterion(lot: Lot, code: str, *, acting_user: Any) -> LotCriterion:
    lot.tender.check_editable()
    try:
        criterion = Criterion.objects.get(version=lot.version, code=code, product_groups=lot.product_group)
    except Criterion.DoesNotExist:
        raise TenderError(
            _("Criterion %(code)s is not in framework version %(v)s for this product group.")
            % {"code": code, "v": lot.version.code}
        ) from None
    if lot.lot_criteria.filter(criterion=criterion).exists():
        raise TenderError(_("Criterion %(code)s is already in this lot.") % {"code": code})
    position = lot.lot_criteria.count()
    row = LotCriterion.objects.create(lot=lot, criterion=criterion, type=criterion.type, position=position)
    _lot_changed(lot, acting_user, None, {"criterion added": code})
    return row


@transaction.atomic
def remove_criterion(lot: Lot, code: str, *, acting_user: Any) -> None:
    lot.tender.check_editable()
    deleted = lot.lot_criteria.filter(criterion__code=code)
    if not deleted.exists():
        raise TenderError(_("Criterion %(code)s is not in this lot.") % {"code": code})
    for row in deleted:
        row.delete()
    _lot_changed(lot, acting_user, {"criterion removed": code}, None)


@transaction.atomic
def set_criterion_type(lot: Lot, code: str, kind: str, *, acting_user: Any) -> None:
    """Use a technical specification as an award criterion, or back; other types cannot change."""
    lot.tender.check_editable()
    row = lot.lot_criteria.select_related("criterion").filter(criterion__code=code).first()
    if row is None:
        raise TenderError(_("Criterion %(code)s is not in this lot.") % {"code": code})
    allowed = {t.value for t in selection.CONVERTIBLE_TYPES}
    if kind == row.type:
        return
    if row.criterion.type not in allowed or kind not in allowed:
        raise TenderError(_("The type of %(code)s cannot change to %(kind)s.") % {"code": code, "kind": kind})
    before = {code: row.type}
    row.type = kind
    if kind != content.CriterionType.AWARD_CRITERION:
        row.weight = Decimal(0)
    row.save(update_fields=["type", "weight"])
    _lot_changed(lot, acting_user, before, {code: kind})


@transaction.atomic
def set_weights(lot: Lot, price_weight: Any, weights: Mapping[str, Any], *, acting_user: Any) -> None:
    """Set the award weights; price plus the award criteria must make exactly 100 points."""
    lot.tender.check_editable()
    try:
        price = Decimal(str(price_weight))
        parsed = {code: Decimal(str(value)) for code, value in weights.items()}
    except InvalidOperation:
        raise TenderError(_("Weights must be numbers.")) from None
    if not all(value.is_finite() for value in (price, *parsed.values())):
        raise TenderError(_("Weights must be numbers."))  # NaN cannot even be compared
    rows = {row.criterion.code: row for row in lot.lot_criteria.select_related("criterion")}
    award = {code for code, row in rows.items() if row.type == content.CriterionType.AWARD_CRITERION}
    unknown = sorted(set(parsed) - award)
    if unknown:
        raise TenderError(_("Not award criteria of this lot: %(codes)s.") % {"codes": ", ".join(unknown)})
    if price < 0 or any(value < 0 for value in parsed.values()):
        raise TenderError(_("Weights cannot be negative."))
    total = price + sum((parsed.get(code, rows[code].weight) for code in award), Decimal(0))
    if total != selection.WEIGHT_TOTAL:
        raise TenderError(_("The weights add up to %(total)s, not 100.") % {"total": total.normalize()})
    if any(value != value.quantize(Decimal("0.01")) for value in (price, *parsed.values())):
        # Stored with two decimals (each at most 100 here): 33.333 would be read back as 33.33, and
        # the weights would no longer add up to 100.
        raise TenderError(_("Weights have at most two decimals."))
    before = {"price": str(lot.price_weight), **{code: str(rows[code].weight) for code in parsed}}
    lot.price_weight = price
    lot.save(update_fields=["price_weight"])
    for code, value in parsed.items():
        rows[code].weight = value
        rows[code].save(update_fields=["weight"])
    after = {"price": str(price), **{code: str(value) for code, value in parsed.items()}}
    if after != before:
        _lot_changed(lot, acting_user, {"weights": before}, {"weights": after})


COST_FIELDS = ("energy_price", "maintenance_per_year", "residual_value", "carbon_price")


@transaction.atomic
def set_costs(lot: Lot, values: Mapping[str, Any], price_rule: str | None = None, *, acting_user: Any) -> Lot:
    """The price rule and life-cycle cost parameters of a lot's award method (drafts only)."""
    lot.tender.check_editable()
    before = _costs(lot)
    for field in COST_FIELDS:
        if field not in values or values[field] in (None, ""):
            continue
        setattr(lot, field, _lot_amount(field, values[field]))
    if "service_life_years" in values and values["service_life_years"] not in (None, ""):
        years = str(values["service_life_years"])
        if not years.isdigit() or not 1 <= int(years) <= MAX_SERVICE_LIFE_YEARS:
            raise TenderError(_("The service life is 1 to 20 years."))
        lot.service_life_years = int(years)
    if price_rule:
        if price_rule not in Lot.PriceRule.values:
            raise TenderError(_("Unknown price rule %(rule)s.") % {"rule": price_rule})
        lot.price_rule = price_rule
    try:
        lot.full_clean(exclude=["tender", "product_group"])
    except ValidationError as error:
        raise _lot_refused(error) from None
    lot.save()
    after = _costs(lot)
    if after != before:
        _lot_changed(lot, acting_user, before, after)
    return lot


def _costs(lot: Lot) -> dict[str, Any]:
    shown = {
        field: None if getattr(lot, field) is None else str(getattr(lot, field)) for field in COST_FIELDS
    }
    return {**shown, "service_life_years": lot.service_life_years, "price_rule": lot.price_rule}


@transaction.atomic
def publish_tender(tender: Tender, *, acting_user: Any) -> Tender:
    """Freeze the tender's criteria and open it for offers.

    Refused without a deadline for offers in the future, and while a lot's weights do not add up to 100.
    """
    tender = Tender.unscoped.select_for_update().get(pk=tender.pk)
    if not tender.is_draft:
        # A second "publish" (a double click, a retried API call) is the user's mistake, not a crash.
        raise TenderError(
            _("Tender %(ref)s is already %(status)s.")
            % {"ref": tender.reference, "status": tender.get_status_display()}
        )
    if tender.offers_deadline is None or tender.offers_deadline <= timezone.now():
        raise TenderError(_("Set a deadline for offers in the future before publishing."))
    lots = list(tender.lots.prefetch_related("lot_criteria"))
    if not lots:
        raise TenderError(_("A tender needs at least one lot."))
    for lot in lots:
        if lot.award_weight_total() != selection.WEIGHT_TOTAL:
            raise TenderError(
                _("Lot %(n)s: the weights add up to %(total)s, not 100.")
                % {"n": lot.number, "total": lot.award_weight_total().normalize()}
            )
    before = tender.status
    tender.status = Tender.Status.PUBLISHED
    tender.published_at = timezone.now()
    tender.save(update_fields=["status", "published_at"])
    record(
        AuditRecord.Action.TENDER_PUBLISHED, tender, acting_user=acting_user, organisation=tender.organisation,
        before={"status": before}, after={"status": tender.status, "offers_deadline": tender.offers_deadline.isoformat()},
    )  # fmt: skip
    return tender


@transaction.atomic
def change_status(tender: Tender, status: str, *, acting_user: Any) -> Tender:
    if status == Tender.Status.PUBLISHED:
        return publish_tender(tender, acting_user=acting_user)
    if status not in Tender.TRANSITIONS.get(tender.status, set()):
        raise TenderError(
            _("A %(old)s tender cannot become %(new)s.") % {"old": tender.get_status_display(), "new": status}
        )
    if status == Tender.Status.AWARDED and (
        tender.offers_deadline is None or tender.offers_deadline > timezone.now()
    ):
        # Offers are sealed until the deadline: nobody can have evaluated them yet.
        raise TenderError(_("A tender can be awarded only after the deadline for offers."))
    if status == Tender.Status.AWARDED:
        from cfit.offers.signoff import is_signed_off  # offers build on tenders, not the other way round

        if not is_signed_off(tender):
            raise TenderError(
                _(
                    "The evaluation must be signed off by two members (prepared, then approved) "
                    "before the tender is awarded."
                )
            )
    before = tender.status
    tender.status = status
    tender.save(update_fields=["status"])
    record(
        AuditRecord.Action.TENDER_STATUS_CHANGED, tender, acting_user=acting_user,
        organisation=tender.organisation, before={"status": before}, after={"status": status},
    )  # fmt: skip
    return tender


@transaction.atomic
def set_offers_deadline(tender: Tender, deadline: datetime, *, acting_user: Any) -> Tender:
    """Set the moment until which offers are received, and after which they are opened.

    ``deadline`` must be timezone-aware and in the future. A draft takes any such moment; a published
    tender's deadline can only be extended (suppliers plan their offers on it), and no longer changes
    once it has passed, since the offers are open by then. Upload links still open expire at the new
    deadline.
    """
    from cfit.offers.models import UploadLink  # offers build on tenders, not the other way round

    if timezone.is_naive(deadline):
        raise TenderError(_("Give the deadline for offers with its time zone."))
    tender = Tender.unscoped.select_for_update().get(pk=tender.pk)
    now = timezone.now()
    if tender.status not in {Tender.Status.DRAFT, Tender.Status.PUBLISHED}:
        raise TenderError(
            _("The deadline for offers of a %(status)s tender cannot change.")
            % {"status": tender.get_status_display()}
        )
    if deadline <= now:
        raise TenderError(_("The deadline for offers must lie in the future."))
    current = tender.offers_deadline
    if tender.status == Tender.Status.PUBLISHED and current is not None:
        if current <= now:
            raise TenderError(
                _("The deadline for offers passed on %(deadline)s and the offers are open: it cannot change.")
                % {"deadline": format_moment(current)}
            )
        if deadline < current:
            raise TenderError(
                _("A published tender's deadline for offers can only be extended (it is %(deadline)s).")
                % {"deadline": format_moment(current)}
            )
    tender.offers_deadline = deadline
    tender.save(update_fields=["offers_deadline"])
    UploadLink.unscoped.filter(tender=tender, expires_at__gt=now).update(expires_at=deadline)
    record(
        AuditRecord.Action.OFFERS_DEADLINE_SET, tender, acting_user=acting_user, organisation=tender.organisation,
        before={"offers_deadline": current.isoformat() if current else None},
        after={"offers_deadline": deadline.isoformat()},
    )  # fmt: skip
    return tender


def tender_spec(tender: Tender) -> TenderSpec:
    """The saved tender as the exporters read it."""
    framework = _framework(tender.framework_version)
    groups = {g.id: g for g in framework.product_groups}
    # A lot moved to a newer version takes its criteria's texts from that version.
    criteria_by_version = {tender.framework_version_id: {c.id: c for c in framework.criteria}}
    lots = []
    for lot in tender.lots.select_related("product_group", "framework_version").prefetch_related(
        "lot_criteria__criterion"
    ):
        if lot.version.pk not in criteria_by_version:
            criteria_by_version[lot.version.pk] = {c.id: c for c in _framework(lot.version).criteria}
        by_id = criteria_by_version[lot.version.pk]
        lots.append(
            LotSpec(
                number=lot.number,
                title=lot.title,
                product_group=groups[lot.product_group.code],
                quantity=lot.quantity,
                estimated_value=lot.estimated_value,
                cpv=lot.cpv,
                service_life_years=lot.service_life_years,
                price_weight=lot.price_weight,
                criteria=[
                    ChosenCriterion(
                        rendered_criterion(by_id[row.criterion.code]),
                        content.CriterionType(row.type),
                        row.weight,
                    )
                    for row in lot.lot_criteria.all()
                ],
                ambitions={content.ImpactCategory(k): content.Ambition(v) for k, v in lot.ambitions.items()},
                price_rule=PriceRule(lot.price_rule),
                costs=CostParameters(
                    service_life_years=lot.service_life_years,
                    energy_price_per_kwh=lot.energy_price,
                    maintenance_per_year=lot.maintenance_per_year,
                    residual_value=lot.residual_value,
                    carbon_price_per_tonne=lot.carbon_price,
                ),
            )
        )
    return TenderSpec(
        title=tender.title,
        reference=tender.reference,
        language=tender.language,
        procedure=tender.procedure,
        framework_version=tender.framework_version.code,
        buyer=tender.organisation.name,
        buyer_country=tender.organisation.country,
        lots=lots,
        labels={label.id: label for label in framework.labels},
        status=tender.status,
        issued=(tender.published_at or tender.created).date(),
        identifier=str(tender.pk),
        offers_deadline=tender.offers_deadline,
        buyer_email=tender.created_by.email if tender.created_by else "",
        buyer_details=buyer_details(tender.organisation),
        notice_terms=tender.notice_terms(),
    )


def buyer_details(organisation: Organisation) -> BuyerDetails:
    """The organisation's notice details as the notice writers read them."""
    buyer = [name for name in Organisation.NOTICE_DETAILS if name not in Organisation.REVIEW_BODY]
    return BuyerDetails(
        **{name: getattr(organisation, name) for name in buyer},
        review_body=ReviewBody(
            name=organisation.review_body_name,
            registration_number=organisation.review_body_registration_number,
            town=organisation.review_body_town,
            post_code=organisation.review_body_post_code,
            nuts_code=organisation.review_body_nuts_code,
            email=organisation.review_body_email,
            deadlines=organisation.review_deadlines,
        ),
    )


def _notice_terms(tender: Tender) -> dict[str, Any]:
    return {name: getattr(tender, name) for name in Tender.NOTICE_TERMS}


def apply_notice_terms(tender: Tender, terms: Mapping[str, Any]) -> Tender:
    """Set notice terms on ``tender`` (saved or not; nothing is written) and check them by the
    model's field rules: a ``ValidationError`` by field if one is broken, a ``TypeError`` for a name
    that is no term. The one check of the page, the API and ``cfit tender build``."""
    unknown = set(terms) - set(Tender.NOTICE_TERMS)
    if unknown:
        raise TypeError(f"not notice terms: {', '.join(sorted(unknown))}")
    for name, value in terms.items():
        if value is None and isinstance(getattr(tender, name), str):
            value = ""  # a text term unanswered again
        setattr(tender, name, value.strip() if isinstance(value, str) else value)
    # The terms' own rules only: they take part in no uniqueness rule or constraint of a tender.
    others = [f.name for f in Tender._meta.fields if f.name not in Tender.NOTICE_TERMS]
    tender.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    return tender


@transaction.atomic
def save_notice_terms(tender: Tender, terms: Mapping[str, Any], *, acting_user: Any) -> Tender:
    """Save what a draft tender's contract notice states beyond its lots (``Tender.NOTICE_TERMS``; a
    term not given keeps its answer). Checked by the model's field rules: a ``ValidationError`` by
    field if one is broken, and nothing is saved. The audit record keeps the answers before and
    after. A published tender's notice is out: its terms no longer change (``TenderFrozen``)."""
    current = Tender.unscoped.select_for_update().get(pk=tender.pk)
    current.check_editable()
    before = _notice_terms(current)
    apply_notice_terms(current, terms)
    after = _notice_terms(current)
    changed = [name for name in Tender.NOTICE_TERMS if after[name] != before[name]]
    if not changed:
        return current
    current.save(update_fields=changed)
    record(
        AuditRecord.Action.NOTICE_TERMS_SAVED, current, acting_user=acting_user, organisation=current.organisation,
        before={name: before[name] for name in changed}, after={name: after[name] for name in changed},
    )  # fmt: skip
    return current


# ---------------------------------------------------------------------------
# Moving to a newer framework version, lot by lot
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionChange:
    """One of a lot's criteria as the newer version has it: changed (with the differences) or removed."""

    code: str
    title: str
    differences: list[FieldDifference]
    removed: bool = False


@dataclass(frozen=True)
class LotVersionChanges:
    lot: Lot
    newer: FrameworkVersion
    changed: list[CriterionChange]

    @property
    def unchanged(self) -> bool:
        return not self.changed


def newer_version(lot: Lot) -> FrameworkVersion | None:
    """The latest published version, if it is newer than the one the lot's criteria come from."""
    latest = FrameworkVersion.objects.latest_published()
    current = lot.version
    if latest is None or latest.pk == current.pk:
        return None
    if current.published_at and latest.published_at and latest.published_at <= current.published_at:
        return None
    return latest


def version_changes(tender: Tender) -> list[LotVersionChanges]:
    """For each lot built on an older version: which of its criteria the newer version changed, and how."""
    found = []
    frameworks: dict[int, dict[str, content.Criterion]] = {}

    def criteria(version: FrameworkVersion) -> dict[str, content.Criterion]:
        if version.pk not in frameworks:
            frameworks[version.pk] = {c.id: rendered_criterion(c) for c in _framework(version).criteria}
        return frameworks[version.pk]

    for lot in tender.lots.select_related("framework_version", "tender__framework_version"):
        newer = newer_version(lot)
        if newer is None:
            continue
        old, new = criteria(lot.version), criteria(newer)
        changed = []
        for row in lot.lot_criteria.select_related("criterion"):
            code = row.criterion.code
            if code not in new:
                changed.append(CriterionChange(code, row.criterion.display_title, [], removed=True))
            elif differences := criterion_differences(old[code], new[code]):
                changed.append(CriterionChange(code, row.criterion.display_title, differences))
        found.append(LotVersionChanges(lot, newer, changed))
    return found


@transaction.atomic
def move_lot_to_version(lot: Lot, version: FrameworkVersion, *, acting_user: Any) -> list[str]:
    """Swap a draft lot's criteria for the same criteria in a newer published version.

    Types and weights stay as the buyer set them. Criteria the newer version no longer has are
    removed from the lot; their codes are returned so the buyer can check the weights. When the
    last lot has moved, the whole tender is on the new version.
    """
    lot = Lot.objects.select_for_update().select_related("tender__framework_version").get(pk=lot.pk)
    tender = lot.tender
    tender.check_editable()  # a published tender keeps the criteria it was published with
    if not version.is_published:
        raise TenderError(_("Only a published framework version can be used in a tender."))
    if newer_version(lot) != version:
        raise TenderError(
            _("Version %(v)s is not newer than the one lot %(n)s is built on.")
            % {"v": version.code, "n": lot.number}
        )
    previous_code = lot.version.code
    targets = {
        c.code: c
        for c in Criterion.objects.filter(version=version, product_groups=lot.product_group).distinct()
    }
    dropped = []
    for row in lot.lot_criteria.select_related("criterion"):
        target = targets.get(row.criterion.code)
        if target is None:
            dropped.append(row.criterion.code)
            row.delete()
        else:
            row.criterion = target
            row.save(update_fields=["criterion"])
    lot.framework_version = version
    lot.save(update_fields=["framework_version"])
    if not tender.lots.exclude(framework_version=version).exists():
        # Every lot has moved: the tender is on the new version and the lots follow it again.
        tender.framework_version = version
        tender.save(update_fields=["framework_version"])
        tender.lots.update(framework_version=None)
    record(
        AuditRecord.Action.LOT_MOVED, lot, acting_user=acting_user, organisation=tender.organisation,
        before={"framework_version": previous_code}, after={"framework_version": version.code, "dropped": dropped},
    )  # fmt: skip
    return dropped
