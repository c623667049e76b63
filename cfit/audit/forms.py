from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cfit.audit.models import AuditRecord


class AuditFilterForm(forms.Form):
    """The audit page's filters; a value outside the choices is a form error, never a query."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    user = forms.TypedChoiceField(label=_("User"), required=False, coerce=int, empty_value=None)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def _choice(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def __init__(
        self, *args: Any, actors: list[tuple[int, str]], organisations: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        everything: list[tuple[str, Any]] = [("", _("All"))]
        self._choice("action").choices = everything + list(AuditRecord.Action.choices)
        self._choice("user").choices = everything + [(str(pk), name) for pk, name in actors]
        if organisations:
            self._choice("organisation").choices = everything + organisations
        else:
            del self.fields["organisation"]

    def apply(self, records: QuerySet[AuditRecord]) -> QuerySet[AuditRecord]:
        """The records that pass the valid filters (an invalid form filters nothing it did not understand)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("action"):
            records = records.filter(action=data["action"])
        if data.get("user") is not None:
            records = records.filter(actor_id=data["user"])
        if data.get("organisation"):
            records = records.filter(organisation__slug=data["organisation"])
        if data.get("start"):
            records = records.filter(at__date__gte=data["start"])
        if data.get("end"):
            records = records.filter(at__date__lte=data["end"])
        return records
