"""Writing and publishing a case study: one transaction each (saving and publishing together too), with
an audit record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.audit.models import AuditRecord
from cfit.audit.recording import record
from cfit.casestudies import facts
from cfit.casestudies.access import FINISHED
from cfit.casestudies.models import CaseStudy, CaseStudyFacet
from cfit.tenders.models import Tender

LANGUAGES = [code for code, _name in settings.LANGUAGES]
#: What the owner may change in a draft (and in a published case study, which stays published).
EDITABLE = (
    "title", "show_criteria", "show_ambitions", "show_offers", "show_result", "name_supplier", "consent",
    "what_bought", "service_life_years", "end_of_use", "lessons",
)  # fmt: skip


class CaseStudyRefused(ValidationError):
    """Raised if a case study cannot be written or published as asked."""


@transaction.atomic
def start_case_study(tender: Tender, *, acting_user: Any) -> CaseStudy:
    """A draft from a finished tender, with its facts and the result prefilled from the award."""
    if tender.status not in FINISHED:
        raise CaseStudyRefused(
            _("A case study tells a finished (awarded or closed) tender."), code="not_finished"
        )
    if CaseStudy.objects.filter(tender=tender).exists():
        raise CaseStudyRefused(_("This tender already has a case study."), code="exists")
    collected = facts.collect(tender)
    lots = collected["lots"]
    bought = "\n".join(line for lot in lots for line in lot["winner"].get("lines", []))
    case_study = CaseStudy.objects.create(
        tender=tender,
        organisation=tender.organisation,
        title=tender.title,
        facts=collected,
        country=tender.organisation.country,
        year=(tender.published_at or tender.created).year,
        what_bought=bought,
        service_life_years=max((lot["service_life_years"] for lot in lots), default=None),
        created_by=acting_user,
    )
    record(
        AuditRecord.Action.CASE_STUDY_SAVED, case_study, acting_user=acting_user,
        organisation=case_study.organisation, after={"status": case_study.status},
    )  # fmt: skip
    return case_study


def _snapshot(case_study: CaseStudy) -> dict[str, Any]:
    return {field: getattr(case_study, field) for field in (*EDITABLE, "status")}


@transaction.atomic
def save_case_study(case_study: CaseStudy, *, acting_user: Any, **changes: Any) -> CaseStudy:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CaseStudyRefused(
            _("These cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    before = _snapshot(case_study)
    lessons = changes.pop("lessons", None)
    if lessons is not None:
        changes["lessons"] = {k: v.strip() for k, v in lessons.items() if k in LANGUAGES and v.strip()}
    for field, value in changes.items():
        setattr(case_study, field, value)
    if case_study.status == CaseStudy.Status.PUBLISHED and not case_study.consent:
        raise CaseStudyRefused(_("Withdraw the case study before taking the consent back."), code="consent")
    case_study.save()
    if case_study.status == CaseStudy.Status.PUBLISHED:
        _index(case_study)
    record(
        AuditRecord.Action.CASE_STUDY_SAVED, case_study, acting_user=acting_user,
        organisation=case_study.organisation, before=before, after=_snapshot(case_study),
    )  # fmt: skip
    return case_study


def _index(case_study: CaseStudy) -> None:
    """The facets others find it by: product groups, and the criteria only if the owner shows them."""
    case_study.facets.all().delete()
    CaseStudyFacet.objects.bulk_create(
        [CaseStudyFacet(case_study=case_study, kind=CaseStudyFacet.Kind.PRODUCT_GROUP, code=code) for code in case_study.product_groups()]
        + [CaseStudyFacet(case_study=case_study, kind=CaseStudyFacet.Kind.CRITERION, code=code) for code in case_study.criteria()]
    )  # fmt: skip


@transaction.atomic
def publish_case_study(case_study: CaseStudy, *, acting_user: Any) -> CaseStudy:
    case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    if not case_study.consent:
        raise CaseStudyRefused(_("Give your organisation's consent before publishing."), code="consent")
    if not case_study.title.strip():
        raise CaseStudyRefused(_("Give the case study a title."), code="title")
    before = case_study.status
    case_study.status = CaseStudy.Status.PUBLISHED
    case_study.published = case_study.published or timezone.now()
    case_study.save(update_fields=["status", "published"])
    _index(case_study)
    record(
        AuditRecord.Action.CASE_STUDY_PUBLISHED, case_study, acting_user=acting_user,
        organisation=case_study.organisation, before={"status": before}, after={"status": case_study.status},
    )  # fmt: skip
    return case_study


@transaction.atomic
def save_and_publish_case_study(case_study: CaseStudy, *, acting_user: Any, **changes: Any) -> CaseStudy:
    """The owner's changes and the publication together, in one transaction: if publishing is refused
    (no consent, no title), the changes sent with it are not kept either, and the page shows them again
    to correct, rather than leaving a saved draft the owner thinks was published."""
    case_study = save_case_study(case_study, acting_user=acting_user, **changes)
    return publish_case_study(case_study, acting_user=acting_user)


@transaction.atomic
def withdraw_case_study(case_study: CaseStudy, *, acting_user: Any) -> CaseStudy:
    case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    before = case_study.status
    case_study.status = CaseStudy.Status.WITHDRAWN
    case_study.save(update_fields=["status"])
    case_study.facets.all().delete()
    record(
        AuditRecord.Action.CASE_STUDY_WITHDRAWN, case_study, acting_user=acting_user,
        organisation=case_study.organisation, before={"status": before}, after={"status": case_study.status},
    )  # fmt: skip
    return case_study
