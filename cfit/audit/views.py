"""The audit page of an organisation: its administrators read who changed what and when; the secretariat
reads every organisation's records. Filter by action, user and date; download as CSV."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cfit.accounts.models import Organisation
from cfit.audit.access import AuditScope, get_audit_record, get_audit_scope
from cfit.audit.forms import AuditFilterForm
from cfit.audit.models import AuditRecord
from cfit.downloads import attachment, safe_cell

#: An ISO date, or an ISO date and time, as actions write them into a record's before and after.
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
PAGE_SIZE = 50
#: Rows of one CSV download: years of records of a large organisation, bounded so one request stays small.
MAX_CSV_ROWS = 100_000


def _filtered(request: HttpRequest, scope: AuditScope) -> tuple[AuditFilterForm, QuerySet[AuditRecord]]:
    actors = list(
        scope.records.exclude(actor=None)
        .order_by("actor_name")
        .values_list("actor_id", "actor_name")
        .distinct()
    )
    organisations = (
        list(Organisation.objects.exclude(type=Organisation.Type.SECRETARIAT).values_list("slug", "name"))
        if scope.sees_all
        else []
    )
    form = AuditFilterForm(request.GET or None, actors=actors, organisations=organisations)
    return form, form.apply(scope.records) if request.GET else scope.records


@login_required
def records(request: HttpRequest, slug: str) -> HttpResponse:
    scope = get_audit_scope(request.user, slug)
    form, found = _filtered(request, scope)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/records.html",
        {
            "organisation": scope.organisation,
            "scope": scope,
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


@login_required
def record_detail(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    scope, found = get_audit_record(request.user, slug, record_id)
    return render(
        request,
        "audit/record.html",
        {"organisation": scope.organisation, "record": found, "changes": _changes(found)},
    )


def _choice_labels(found: AuditRecord) -> dict[str, dict[str, str]]:
    """For the recorded object's fields with choices (state, status, type…): code → label in the reader's
    language. Records keep codes, written in no one's language; an unknown model or field names nothing."""
    app_label, _dot, model_name = found.object_type.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return {}
    return {
        field.name: {str(code): str(label) for code, label in field.flatchoices}
        for field in model._meta.concrete_fields
        if field.choices
    }


def _changes(found: AuditRecord) -> list[tuple[str, Any, Any]]:
    """(what, before, after) per key of the record's before and after, in a stable order."""
    before = found.before if isinstance(found.before, dict) else {}
    after = found.after if isinstance(found.after, dict) else {}
    labels = _choice_labels(found)
    return [
        (key, _shown(before.get(key), labels.get(key, {})), _shown(after.get(key), labels.get(key, {})))
        for key in dict.fromkeys([*before, *after])
    ]


def _shown(value: Any, labels: dict[str, str] | None = None) -> str:
    """A recorded value as the reader reads it: a code by its label, a date or a time as the reader's
    language writes it (records keep ISO forms), a yes/no in the reader's words."""
    if value is None:
        return "—"
    if isinstance(value, bool):  # a yes/no in the reader's language, not JSON's "true"
        return str(_("yes") if value else _("no"))
    if isinstance(value, str):
        if labels and value in labels:
            return labels[value]
        return _local_date_or_time(value) or value
    return json.dumps(value, ensure_ascii=False)


def _local_date_or_time(value: str) -> str:
    """An ISO date or date-time in the reader's format, or "" if ``value`` is neither."""
    if not ISO_DATE.match(value):
        return ""
    try:
        if len(value) == 10:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


@login_required
def records_csv(request: HttpRequest, slug: str) -> HttpResponse:
    scope = get_audit_scope(request.user, slug)
    _form, found = _filtered(request, scope)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(
        [
            "when",
            "user",
            "organisation",
            "action",
            "object_type",
            "object_id",
            "object",
            "before",
            "after",
            "reason",
        ]
    )
    for row in found[:MAX_CSV_ROWS].iterator(chunk_size=2000):
        writer.writerow(
            [
                safe_cell(value)
                for value in (
                    timezone.localtime(row.at).isoformat(),
                    row.actor_name,
                    row.organisation.slug if row.organisation else "",
                    row.action,
                    row.object_type,
                    row.object_id,
                    row.object_label,
                    "" if row.before is None else json.dumps(row.before, ensure_ascii=False),
                    "" if row.after is None else json.dumps(row.after, ensure_ascii=False),
                    row.reason,
                )
            ]
        )
    return attachment(
        response, f"cfit-audit-{scope.organisation.slug}-{timezone.localdate().isoformat()}.csv"
    )
