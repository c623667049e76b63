from __future__ import annotations

import json
import re
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from cfit.accounts.access import get_organisation_for, is_secretariat_staff
from cfit.accounts.permissions import Action, memberships_that_may
from cfit.criteria import actions, content, exchange, floors
from cfit.criteria.access import (
    get_criterion_for_user,
    get_draft_for_secretariat,
    get_version_for_user,
    visible_versions,
)
from cfit.criteria.forms import (
    LANGUAGE_NAMES,
    ApproveForm,
    CriterionTextForm,
    ImportFileForm,
    LibraryFilterForm,
    MarkReviewedForm,
    SendBackForm,
    SubmitForReviewForm,
)
from cfit.criteria.models import (
    Ambition,
    Criterion,
    CriterionQuerySet,
    FieldTranslation,
    FrameworkVersion,
    ImpactCategory,
    ProductGroup,
    PublishedVersionError,
    Shortlist,
    VersionEvent,
    shown_changes,
)
from cfit.criteria.wording import topic_label
from cfit.downloads import attachment
from cfit.refusals import refusal_texts
from cfit.uploads import ImportRefused, check_size

PAGE_SIZE = 25
#: How long a published version's rendered list stays in a process's cache (it never changes; the
#: limit only bounds memory held for rare filters).
LIBRARY_CACHE_SECONDS = 3600


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


def library(request: HttpRequest) -> HttpResponse:
    version = get_version_for_user(request.user, request.GET.get("version") or None)
    # Built only when not cached: a published version never changes, so its filter form and list for a
    # language, filter and page are rendered once per process and kept (the template's cache blocks).
    form = SimpleLazyObject(lambda: LibraryFilterForm(request.GET or None))

    def page_of_criteria() -> Any:
        filters = cast(LibraryFilterForm, form).filters()
        queryset = Criterion.objects.in_version(version).filtered(**filters, lang=_lang()).with_related()
        return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))

    page = SimpleLazyObject(page_of_criteria)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "criteria/library.html",
        {
            "version": version,
            "versions": visible_versions(request.user),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            # the whole query (filters and page) keys the cached list; a draft is never cached
            "list_key": request.GET.urlencode(),
            "list_seconds": LIBRARY_CACHE_SECONDS if version.is_published else 0,
            # product groups' names are shown and can be renamed in the admin: in the key, for every process
            "groups_edition": ProductGroup.edition(),
        },
    )


def criterion_detail(request: HttpRequest, code: str) -> HttpResponse:
    criterion = get_criterion_for_user(request.user, code, request.GET.get("version") or None, related=False)

    def with_related() -> Criterion:
        prefetch_related_objects([criterion], *CriterionQuerySet.RELATED)
        return criterion

    appears_in = visible_versions(request.user).filter(criteria__code=code).order_by("-created")
    counterparts = (
        Criterion.objects.in_version(criterion.version)
        .filter(topic=criterion.topic)
        # The same topic in another product group is another product's level (a monitor's warranty is
        # not a notebook's): only the criteria sharing one of this criterion's groups are its levels.
        .filter(product_groups__in=criterion.product_groups.values("pk"))
        .exclude(pk=criterion.pk)
        .distinct()
        # Titles with references to requirement values read the requirements: fetched once for all.
        .prefetch_related("product_groups", "requirements")
    )
    # Only the shortlists of organisations where the user edits: a viewer reads, and sees no form.
    editing = list(memberships_that_may(Action.SHORTLIST_EDIT, request.user))
    shortlists = list(
        Shortlist.objects.filter(organisation__in=[m.organisation for m in editing]).select_related(
            "organisation"
        )
    )
    return render(
        request,
        "criteria/criterion.html",
        {
            "criterion": criterion,
            # A published criterion never changes: its body is rendered once per process and language
            # (the template's cache block), and only then are its groups, labels and requirements read.
            "detail": SimpleLazyObject(with_related),
            "detail_seconds": LIBRARY_CACHE_SECONDS if criterion.version.is_published else 0,
            "groups_edition": ProductGroup.edition(),
            "appears_in": appears_in,
            "counterparts": counterparts,
            "shortlists": shortlists,
            "shortlist_organisations": [m.organisation for m in editing],
            "can_edit": is_secretariat_staff(request.user) and criterion.version.is_editable,
        },
    )


def compare(request: HttpRequest, group: str) -> HttpResponse:
    """Baseline and ambitious side by side for one product group, row by topic."""
    product_group = get_object_or_404(ProductGroup, code=group)
    version = get_version_for_user(request.user, request.GET.get("version") or None)
    criteria = (
        Criterion.objects.in_version(version)
        .for_product_group(group)
        .prefetch_related("requirements")
        .order_by("impact_category", "topic", "position")
    )
    sections: dict[str, dict[str, dict[str, list[Criterion]]]] = defaultdict(
        lambda: defaultdict(lambda: {"baseline": [], "ambitious": []})
    )
    for criterion in criteria:
        sections[criterion.impact_category][criterion.topic][criterion.ambition].append(criterion)
    ordered = [
        (
            label,
            [
                (topic_label(topic), cells["baseline"], cells["ambitious"])
                for topic, cells in sections[value].items()
            ],
        )
        for value, label in ImpactCategory.choices
        if value in sections
    ]
    counts = {a: sum(1 for c in criteria if c.ambition == a) for a in Ambition.values}
    return render(
        request,
        "criteria/compare.html",
        {
            "group": product_group,
            "version": version,
            "sections": ordered,
            "counts": counts,
            "groups": ProductGroup.objects.all(),
        },
    )


def versions(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    listed = (
        visible_versions(request.user)
        .select_related("based_on", "published_by")
        .annotate(n=Count("criteria"))
    )
    is_staff = is_secretariat_staff(request.user)
    return render(
        request,
        "criteria/versions.html",
        {
            "versions": listed,
            "is_staff": is_staff,
            # the secretariat sees that a draft raising requirements to legal floors waits for review
            "floor_proposal": floors.waiting_proposal() if is_staff else None,
        },
    )


def version_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = get_version_for_user(request.user, code)
    base = version.based_on if version.based_on else None
    diff = actions.compare_versions(base, version) if base else None
    is_staff = is_secretariat_staff(request.user)
    latest = FrameworkVersion.objects.latest_published()
    # the secretariat is told of a law coming that the version being prepared, or in force, asks less than
    watched = is_staff and (not version.is_published or (latest is not None and latest.pk == version.pk))
    return render(
        request,
        "criteria/version.html",
        {
            "version": version,
            "base": base,
            "diff": diff,
            "is_staff": is_staff,
            "events": version.events.select_related("user"),
            "coming_floors": floors.coming_floors(floors.requirements_with_floors(version))
            if watched
            else [],
            "floor_proposal": is_staff
            and version.events.filter(kind=VersionEvent.Kind.FLOORS_PROPOSED).exists(),
            "changes": shown_changes(version, version.changes.select_related("changed_by")),
            "unreviewed": version.unreviewed_translations() if is_staff else [],
            "submit_form": SubmitForReviewForm(
                initial={"code": version.code if actions.VERSION_CODE.match(version.code) else ""}
            ),
            "approve_form": ApproveForm(),
            "send_back_form": SendBackForm(),
            "may_approve": is_staff
            and (version.last_edited_by_id or version.submitted_by_id) not in (None, request.user.pk),
        },
    )


def _require_secretariat(request: HttpRequest) -> None:
    if not is_secretariat_staff(request.user):
        raise PermissionDenied


@require_POST
@login_required
def create_draft(request: HttpRequest, code: str) -> HttpResponse:
    _require_secretariat(request)
    base = get_version_for_user(request.user, code)
    draft = actions.create_draft(base, acting_user=request.user)
    messages.success(
        request,
        _("Draft %(code)s created: edit its criteria, then submit it for review.") % {"code": draft.code},
    )
    return redirect("criteria:version", code=draft.code)


def _workflow_step(request: HttpRequest, code: str, form_class: Any, step: Any, done: str) -> HttpResponse:
    """Run one review step from its form; the action checks again under a row lock and says why it refuses."""
    _require_secretariat(request)
    version = get_version_for_user(request.user, code)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("criteria:version", code=version.code)
    try:
        version = step(version, acting_user=request.user, **form.cleaned_data)
    except PublishedVersionError:
        messages.error(request, _("Version %(code)s is already published.") % {"code": version.code})
    except actions.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done % {"code": version.code})
    return redirect("criteria:version", code=version.code)


class _NoFields(forms.Form):
    pass


@require_POST
@login_required
def submit_for_review(request: HttpRequest, code: str) -> HttpResponse:
    return _workflow_step(
        request, code, SubmitForReviewForm, actions.submit_for_review, _("Version %(code)s is in review.")
    )


@require_POST
@login_required
def approve(request: HttpRequest, code: str) -> HttpResponse:
    return _workflow_step(
        request, code, ApproveForm, actions.approve_version, _("Version %(code)s is approved.")
    )


@require_POST
@login_required
def send_back(request: HttpRequest, code: str) -> HttpResponse:
    return _workflow_step(
        request, code, SendBackForm, actions.send_back, _("Version %(code)s is back in draft.")
    )


@require_POST
@login_required
def publish(request: HttpRequest, code: str) -> HttpResponse:
    return _workflow_step(
        request, code, _NoFields, actions.publish_version, _("Version %(code)s is published.")
    )


def _pending_reviews(version: FrameworkVersion, criterion: Criterion) -> list[dict[str, Any]]:
    """The languages of this criterion waiting for review, with the source before and after."""
    return [
        {
            "row": row,
            "language_name": LANGUAGE_NAMES.get(row.language, row.language),
            "source_name": LANGUAGE_NAMES.get(row.source_language, _("threshold")),
        }
        for row in FieldTranslation.objects.filter(
            version=version, criterion_code=criterion.code
        ).needing_review()
    ]


def _floor_problem(form: CriterionTextForm, finding: content.FloorFinding) -> tuple[str | None, str]:
    """The threshold field a legal floor refuses, and why, in the user's language and number format."""
    requirement = next(r for r in form.requirements if r.code == finding.requirement)
    higher = requirement.better != content.Better.LOWER
    field = f"{requirement.pk}_{'min_value' if higher else 'max_value'}"
    params = {
        "value": f"{number_format(finding.floor.value)} {requirement.unit}".strip(),
        "law": f"{finding.floor.regulation}, {finding.floor.article}",
        "date": date_format(finding.floor.applies_from, "DATE_FORMAT"),
    }
    if higher:
        message = _("The law asks at least %(value)s: %(law)s, in force since %(date)s.") % params
    else:
        message = _("The law allows at most %(value)s: %(law)s, in force since %(date)s.") % params
    return (field if field in form.fields else None), message


@login_required
def edit_criterion(request: HttpRequest, code: str, criterion_code: str) -> HttpResponse:
    _require_secretariat(request)
    version = get_version_for_user(request.user, code)
    if version.is_published:
        messages.error(request, _("A published version never changes: make a draft to edit."))
        return redirect("criteria:version", code=version.code)
    criterion = get_object_or_404(
        Criterion.objects.prefetch_related("requirements"), version=version, code=criterion_code
    )
    if not version.is_editable and request.method == "POST":
        messages.error(request, _("This version is in review: send it back to draft to edit it."))
        return redirect("criteria:version", code=version.code)
    form = CriterionTextForm(request.POST or None, criterion=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_criterion_texts(criterion, form.cleaned_data, acting_user=request.user)
        except content.BelowLegalFloor as error:
            for finding in error.findings:
                field, message = _floor_problem(form, finding)
                form.add_error(field, message)
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            messages.success(request, _("Saved %(code)s.") % {"code": criterion.code})
            return redirect(f"{criterion.get_absolute_url()}?version={version.code}")
    pending = _pending_reviews(version, criterion)
    return render(
        request,
        "criteria/edit.html",
        {
            "form": form,
            "criterion": criterion,
            "version": version,
            "pending": pending,
            # as saved: a refused edit leaves its values in the form, not in the requirements
            "coming_floors": floors.coming_floors(floors.requirements_with_floors(version, criterion)),
            # Beside each language: which of its fields wait for review (the sources are shown above).
            "waiting": {
                LANGUAGE_NAMES[lang]: [item["row"].field for item in pending if item["row"].language == lang]
                for lang in LANGUAGE_NAMES
            },
        },
    )


@require_POST
@login_required
def mark_reviewed(request: HttpRequest, code: str, criterion_code: str) -> HttpResponse:
    _require_secretariat(request)
    version = get_version_for_user(request.user, code)
    form = MarkReviewedForm(request.POST)
    if form.is_valid():
        try:
            actions.mark_reviewed(
                version,
                criterion_code,
                form.cleaned_data["field"],
                form.cleaned_data["language"],
                acting_user=request.user,
            )
        except actions.ReviewError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Marked as reviewed."))
    return redirect("criteria:edit", code=version.code, criterion_code=criterion_code)


@require_POST
@login_required
def add_to_shortlist(request: HttpRequest, code: str) -> HttpResponse:
    criterion = get_criterion_for_user(request.user, code, request.POST.get("version") or None)
    shortlist_id = request.POST.get("shortlist", "")
    if shortlist_id == "new":
        organisation = get_organisation_for(
            request.user, request.POST.get("organisation", ""), Action.SHORTLIST_EDIT
        )
        shortlist = Shortlist.objects.create(
            organisation=organisation, name=request.POST.get("name") or _("My shortlist")
        )
    else:
        # The scoped manager only finds the user's own organisations' shortlists: anything else is 404.
        shortlist = get_object_or_404(Shortlist, pk=shortlist_id if shortlist_id.isdigit() else 0)
        get_organisation_for(request.user, shortlist.organisation.slug, Action.SHORTLIST_EDIT)
    shortlist.criteria.add(criterion)
    messages.success(
        request, _("Added %(code)s to %(name)s.") % {"code": criterion.code, "name": shortlist.name}
    )
    return redirect(criterion.get_absolute_url())


def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    """A version as the exchange workbook (as ``cfit criteria export --format xlsx``), to edit and import."""
    version = get_version_for_user(request.user, code)
    data = exchange.framework_to_xlsx(
        actions.version_to_content(version), version=version.code, status=version.status
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return attachment(response, f"criteria-{version.code}.xlsx")


#: The session key of a checked file waiting for the user's confirmation (one at a time per session).
IMPORT_SESSION_KEY = "criteria_import"
#: The kinds of file the import page takes: the exchange workbook and its CSV form, the JSON export
#: and the framework's YAML. Product groups and labels are shared by every version: a JSON or YAML
#: file that changes them is refused (they change in the framework files), as is any other kind.
IMPORT_SUFFIXES = (".xlsx", ".csv", ".json", ".yaml", ".yml")


def _staged_folder() -> Path:
    return Path(settings.UPLOAD_DIR) / "criteria-imports"


def _forget_staged(request: HttpRequest) -> None:
    staged = request.session.pop(IMPORT_SESSION_KEY, None)
    if staged and re.fullmatch(r"[0-9a-f]{32}", staged.get("token", "")):
        for path in _staged_folder().glob(f"{staged['token']}.*"):
            path.unlink(missing_ok=True)


#: A checked file nobody confirmed is deleted after this many seconds (when someone checks another).
STAGED_SECONDS = 24 * 3600


def _sweep_staged() -> None:
    oldest = time.time() - STAGED_SECONDS
    for path in _staged_folder().glob("*"):
        if path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)


def _difference_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _read_import(version: FrameworkVersion, data: bytes, filename: str) -> content.Framework:
    """The file as the framework it holds, checked as the command checks it (raises ImportRefused)."""
    reference = actions.version_to_content(version)
    return exchange.parse_import(
        data, filename, reference, on=timezone.localdate(), formats=IMPORT_SUFFIXES, keep_shared_lists=True
    )


@login_required
def import_file(request: HttpRequest, code: str) -> HttpResponse:
    """Replace a draft's criteria with an edited export: check the file, show what it changes field by
    field, and import it (all or nothing) only when the user confirms."""
    version = get_draft_for_secretariat(request.user, code)
    form = ImportFileForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    plan = None
    staged = request.session.get(IMPORT_SESSION_KEY)
    if request.method == "POST" and "confirm" in request.POST:
        if not staged or staged.get("code") != version.code or staged.get("token") != request.POST["confirm"]:
            messages.error(request, _("This check has expired: upload the file again."))
            return redirect("criteria:import", code=version.code)
        path = next(iter(_staged_folder().glob(f"{staged['token']}.*")), None)
        try:
            data = path.read_bytes() if path else b""
            framework = _read_import(version, data, staged["filename"])
            if actions.fingerprint(actions.version_to_content(version)) != staged["draft"]:
                raise actions.ReviewError(
                    _(
                        "The draft changed since the file was checked: upload the file again to see what it changes now."
                    )
                )
            actions.import_into_draft(
                version, framework, acting_user=request.user, filename=staged["filename"]
            )
        except ImportRefused as error:
            problems = refusal_texts(error, "criteria")
        except actions.ReviewError as error:
            messages.error(request, str(error))
            _forget_staged(request)
            return redirect("criteria:import", code=version.code)
        else:
            _forget_staged(request)
            messages.success(
                request,
                _("Imported %(file)s into %(code)s.") % {"file": staged["filename"], "code": version.code},
            )
            return redirect("criteria:version", code=version.code)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        filename = Path(upload.name).name
        _forget_staged(request)
        try:
            check_size(b"", filename, size=upload.size)  # before reading a byte of it
            data = upload.read()
            framework = _read_import(version, data, filename)
        except ImportRefused as error:
            problems = refusal_texts(error, "criteria")
        else:
            plan = actions.plan_import(version, framework)
            token = uuid.uuid4().hex
            folder = _staged_folder()
            folder.mkdir(parents=True, exist_ok=True)
            _sweep_staged()
            (folder / f"{token}{Path(filename).suffix.lower()}").write_bytes(data)
            request.session[IMPORT_SESSION_KEY] = {
                "code": version.code,
                "token": token,
                "filename": filename,
                "draft": actions.fingerprint(actions.version_to_content(version)),
            }
    return render(
        request,
        "criteria/import.html",
        {
            "version": version,
            "form": form,
            "problems": problems,
            "plan": plan,
            "changes": [
                (
                    criterion,
                    [
                        (d.field, d.language, _difference_text(d.before), _difference_text(d.after))
                        for d in differences
                    ],
                )
                for criterion, differences in plan.changed.items()
            ]
            if plan
            else [],
            "token": request.session.get(IMPORT_SESSION_KEY, {}).get("token") if plan else "",
        },
    )
