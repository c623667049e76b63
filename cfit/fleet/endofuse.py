"""Pages of the end of use, as asset managers do it: lines retired in a batch from the asset list, and
a disposal partner's report (ITAD, refurbisher) applied in steps: columns, words, preview, confirm."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cfit.accounts.models import Organisation
from cfit.fleet import actions, disposal
from cfit.fleet.access import get_disposal_report_for_user, get_fleet_owner
from cfit.fleet.forms import AssetFilterForm, MappingForm, ValueMappingForm
from cfit.fleet.models import ROUTES, SANITISATION_METHODS, Asset, DisposalReport
from cfit.fleet.problems import describe
from cfit.fleet.views import _filtered
from cfit.impact.disposal import COLUMNS, REQUIRED
from cfit.impact.problems import RegisterRefused
from cfit.impact.register import UnknownValue
from cfit.refusals import refusal_texts
from cfit.tabular import TABLE_ENDINGS
from cfit.uploadfields import LimitedFileField
from cfit.uploads import ImportRefused

MAX_BATCH = actions.MAX_BATCH
#: Lines named on the batch page before "and N more".
SHOWN = 50
ROUTE_LABELS = dict(ROUTES)


class RetireForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_of_use_route = forms.ChoiceField(label=gettext_lazy("End-of-use route"), choices=ROUTES)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000)
    sanitisation_method = forms.ChoiceField(
        label=gettext_lazy("Data-sanitisation method"),
        choices=[("", "—"), *SANITISATION_METHODS],
        required=False,
    )
    sanitisation_certificate = forms.CharField(
        label=gettext_lazy("Data-sanitisation certificate"), required=False, max_length=200
    )


class ReportUploadForm(forms.Form):
    # the request-size guard in front takes a register's size on the register import only
    file = LimitedFileField(
        kinds=TABLE_ENDINGS,
        label=gettext_lazy("The partner's report (CSV or XLSX)"),
        help_text=gettext_lazy(
            "One row per device: its asset tag or serial number, the date received, the final "
            "destination, and the data-sanitisation method and certificate number where given."
        ),
    )


def _selection(organisation: Organisation, source: QueryDict) -> tuple[Any, QueryDict]:
    """The lines a batch is about: those ticked (``line``), or every line matching the list's filter
    (``all``); always of this organisation only. And what the page carries on to the next request."""
    carried = QueryDict(mutable=True)
    if source.get("all"):
        filters = AssetFilterForm(source)
        carried["all"] = "1"
        for name in filters.fields:
            if value := source.get(name):
                carried[name] = str(value)
        return _filtered(organisation, filters), carried
    ids = [int(v) for v in source.getlist("line") if v.isdigit()]
    carried.setlist("line", [str(i) for i in ids])
    return Asset.objects.of_organisation(organisation).filter(pk__in=ids), carried


@login_required
def retire(request: HttpRequest, slug: str) -> HttpResponse:
    """Retire the chosen lines at once: one event and audit record per line, all or none."""
    organisation = get_fleet_owner(request.user, slug, edit=True)
    source = request.POST if request.method == "POST" else request.GET
    lines, carried = _selection(organisation, source)
    count = lines.count()
    form = RetireForm(request.POST or None, initial={"date": timezone.localdate()})
    refusals: list[tuple[str, str]] = []
    if count > MAX_BATCH:
        form.add_error(
            None,
            _("At most %(limit)s lines are retired at once: narrow the filter.") % {"limit": MAX_BATCH},
        )
    elif not count and request.method == "POST":
        form.add_error(None, _("Choose the lines to retire."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = actions.retire_assets(
                lines,
                data["date"],
                data["end_of_use_route"],
                data["note"],
                acting_user=request.user,
                certificate=data["sanitisation_certificate"].strip(),
                method=data["sanitisation_method"],
            )
        except actions.BatchRefused as error:
            refusals = error.refusals
        else:
            messages.success(
                request,
                ngettext("%(count)s line retired.", "%(count)s lines retired.", done) % {"count": done},
            )
            return redirect("fleet:assets", slug=slug)
    return render(
        request,
        "fleet/retire.html",
        {
            "organisation": organisation,
            "form": form,
            "count": count,
            "shown": lines[:SHOWN],
            "more": max(0, count - SHOWN),
            "retired": lines.retired().count(),
            "carried": carried,
            "refusals": refusals,
        },
    )


@login_required
def report_upload(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_fleet_owner(request.user, slug, edit=True)
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = disposal.receive_report(
                organisation, upload.read(), upload.name, acting_user=request.user
            )
        except RegisterRefused as error:
            problems = [f"{error.filename}: {describe(g)}" for g in error.groups]
        except ImportRefused as error:
            problems = refusal_texts(error)
        else:
            return redirect("fleet:disposal-report", slug=slug, report_id=report.pk)
    return render(
        request,
        "fleet/disposal_upload.html",
        {
            "organisation": organisation,
            "form": form,
            "problems": problems,
            "reports": DisposalReport.objects.of_organisation(organisation)[:10],
        },
    )


def _words_form(report: DisposalReport, data: Any = None) -> ValueMappingForm:
    """Each destination and method word of the report once, with the code it stands for preselected
    (or the closest ones suggested): the user confirms or corrects, the organisation keeps them."""
    found = disposal.report_words(report)
    asked = {
        column: [UnknownValue(w.value, w.count, (w.code,) if w.code else ()) for w in items]
        for column, items in found.items()
    }
    return ValueMappingForm(asked, data)


@login_required
def report_detail(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    """A report's steps: its columns, its words, the preview and the confirmation; then what it did."""
    report = get_disposal_report_for_user(request.user, slug, report_id, edit=request.method == "POST")
    State = DisposalReport.State
    step = request.POST.get("step", "")
    problems: list[str] = []
    context: dict[str, Any] = {"organisation": report.organisation, "report": report}
    columns = MappingForm(
        report.headers,
        report.mapping,
        request.POST if step == "columns" else None,
        columns=COLUMNS,
        required=REQUIRED,
    )
    try:
        if step == "columns" and columns.is_valid():
            disposal.choose_report_columns(report, columns.mapping())
            return redirect("fleet:disposal-report", slug=slug, report_id=report.pk)
        if step == "words" and report.state != State.DONE:
            chosen = _words_form(report, request.POST)
            if chosen.is_valid():
                disposal.choose_report_words(report, chosen.choices())
                return redirect("fleet:disposal-report", slug=slug, report_id=report.pk)
            context["words"] = chosen
        if step == "confirm" and report.state == State.PREVIEW:
            try:
                plan = disposal.apply_disposal_report(report, acting_user=request.user)
            except disposal.ReportApplied:
                return redirect("fleet:disposal-report", slug=slug, report_id=report.pk)
            except actions.EventRefused as error:
                report.refresh_from_db()  # nothing was applied: the preview again, with the reason
                problems = [error.message]
            else:
                messages.success(
                    request,
                    _("%(retired)s lines retired, %(wiped)s lines with their data wiping added.")
                    % {"retired": len(plan.retire), "wiped": len(plan.wipe)},
                )
                return redirect("fleet:disposal-report", slug=slug, report_id=report.pk)
        if report.state == State.WORDS and "words" not in context:
            context["words"] = _words_form(report)
        if report.state == State.PREVIEW:
            plan = context["plan"] = disposal.plan_report(report)
            context["routes"] = [(ROUTE_LABELS.get(route, route), n) for route, n in plan.by_route]
    except RegisterRefused as error:
        problems = [f"{error.filename}: {describe(g)}" for g in error.groups]
    except ImportRefused as error:
        problems = refusal_texts(error)
    except FileNotFoundError:
        problems = [_("The file of this report is gone: send it again.")]
    context.update(
        {
            "columns": columns,
            "column_fields": list(columns),
            "problems": problems,
        }
    )
    return render(request, "fleet/disposal_report.html", context)
