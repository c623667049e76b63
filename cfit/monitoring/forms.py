from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cfit.monitoring.indicators import INDICATORS, Kind
from cfit.monitoring.models import Campaign
from cfit.numberfields import GroupedDecimalField, GroupedIntegerField
from cfit.pact.models import BuyerGroup
from cfit.uploadfields import LimitedFileField

PACT_WIDE = "pact"


class CampaignForm(forms.Form):
    scope = forms.ChoiceField(label=_("For"))
    year = forms.IntegerField(label=_("Reporting year"), min_value=2015, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    opens = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, groups: list[BuyerGroup], pact_wide: bool, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str | Promise]] = [(g.slug, g.name) for g in groups]
        if pact_wide:
            choices.insert(0, (PACT_WIDE, _("The whole pact")))
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        scope.choices = choices
        self.groups = {g.slug: g for g in groups}
        if not self.is_bound:
            self.initial.setdefault("year", self._next_year(groups[0] if groups and not pact_wide else None))
            self.initial.setdefault("opens", timezone.localdate())

    @staticmethod
    def _next_year(group: BuyerGroup | None) -> int:
        """Last year, or this year once last year's campaign of the first scope is open: the form
        proposed a year that already had its campaign, refused only once everything was filled in."""
        this_year = timezone.localdate().year
        taken = set(Campaign.objects.filter(group=group).values_list("year", flat=True))
        return this_year if this_year - 1 in taken else this_year - 1

    def group(self) -> BuyerGroup | None:
        scope = self.cleaned_data["scope"]
        return None if scope == PACT_WIDE else self.groups[scope]


def field_name(code: str, key: str) -> str:
    return f"v__{code}__{key}"


def bound_name(code: str, key: str, bound: str) -> str:
    """The field of a bounded figure's ``low`` or ``high`` bound."""
    return f"b__{code}__{key}__{bound}"


class ReportForm(forms.Form):
    """One field per indicator and breakdown, with the definition and unit shown next to it."""

    shared = forms.BooleanField(
        label=_("Share the details of this report with the coordinator"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for indicator in INDICATORS:
            for key in indicator.keys:
                if indicator.kind == Kind.TEXT:
                    field: forms.Field = forms.CharField(
                        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
                    )
                else:
                    # the largest figure said as the reader writes numbers (Django's message would
                    # write it ungrouped, in any language)
                    largest = {
                        "max_value": _("Ensure this value is less than or equal to %(limit_value)s.")
                        % {"limit_value": number_format(indicator.largest, force_grouping=True)}
                    }
                    field = GroupedDecimalField(
                        required=False, min_value=0, max_value=indicator.largest, decimal_places=3,
                        max_digits=18, error_messages=largest,
                    )  # fmt: skip
                    if indicator.kind == Kind.INTEGER:
                        field = GroupedIntegerField(
                            required=False, min_value=0, max_value=indicator.largest, error_messages=largest
                        )
                field.label = f"{indicator.label}" + (f" · {key}" if key else "")
                self.fields[field_name(indicator.code, key)] = field
                if indicator.bounded:
                    for bound, label in (("low", _("low bound")), ("high", _("high bound"))):
                        self.fields[bound_name(indicator.code, key, bound)] = GroupedDecimalField(
                            required=False, min_value=0, decimal_places=3, max_digits=18,
                            label=f"{indicator.label} · {label}",
                        )  # fmt: skip

    def values(self) -> dict[tuple[str, str], Any]:
        out = {}
        for indicator in INDICATORS:
            for key in indicator.keys:
                out[(indicator.code, key)] = self.cleaned_data.get(field_name(indicator.code, key))
        return out

    def bounds(self) -> dict[tuple[str, str], tuple[Any, Any]]:
        """(low, high) of every bounded figure, as typed (``None`` where left empty)."""
        return {
            (indicator.code, key): (
                self.cleaned_data.get(bound_name(indicator.code, key, "low")),
                self.cleaned_data.get(bound_name(indicator.code, key, "high")),
            )
            for indicator in INDICATORS
            if indicator.bounded
            for key in indicator.keys
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("return", _("Return with comments"))]
    )
    comment = forms.CharField(
        label=_("Comments for the participant"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PublishForm(forms.Form):
    """The coordinator's confirmation, with the facts it was given: if they changed since, it is asked
    again."""

    confirm = forms.BooleanField(
        label=_("I have checked the coverage and which figures are hidden, and publish these results."),
        error_messages={"required": _("Tick the box to confirm that you checked the figures.")},
    )
    reported = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    hidden = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are the results withdrawn?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the publication record, with your name and the time."),
    )  # fmt: skip


class UploadForm(forms.Form):
    file = LimitedFileField(label=_("Filled template (XLSX)"), kinds=[".xlsx"])
