"""Findings and checks in the user's language: the one place their codes become sentences."""

from __future__ import annotations

import math

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cfit.datacentres.indicators import (
    CNDCP_SOURCE,
    INDICATOR_UNIT,
    QUANTITY,
    Finding,
    Indicator,
    Outcome,
    Threshold,
)
from cfit.datacentres.models import FacilityReport
from cfit.labels import label_text


def field_label(key: str) -> str:
    """The label of a reported value (the model's verbose name) or an indicator's name."""
    if key in Indicator.__members__.values():
        return indicator_label(Indicator(key))
    field = FacilityReport._meta.get_field(key)
    return str(getattr(field, "verbose_name", key))


def indicator_label(indicator: Indicator) -> str:
    return {
        Indicator.PUE: _("Power usage effectiveness (PUE)"),
        Indicator.WUE: _("Water usage effectiveness (WUE)"),
        Indicator.ERF: _("Energy reuse factor (ERF)"),
        Indicator.REF: _("Renewable energy factor (REF)"),
    }[indicator]


def _localised(value: str) -> str:
    """A number the core wrote in English ("1,234", "0.95") in the reader's locale; other text as is."""
    try:
        number = float(value.replace(",", ""))
    except (AttributeError, ValueError):
        return value
    if not math.isfinite(number):
        return value
    shown: int | float = int(number) if number.is_integer() else number
    return number_format(shown, use_l10n=True, force_grouping=True)


def asked_by(annex: str) -> str:
    """Where a value is asked for, in the reader's language: "2024/1364 Annex II (total water input)"
    (the core's and the API's words) as "Delegated Regulation (EU) 2024/1364, Annex II"; the sentence
    names the value itself. Anything else (the framework's criteria) is kept as it is."""
    regulation, _sep, rest = annex.partition(" Annex ")
    if regulation != "2024/1364" or not rest:
        return annex
    return _("Delegated Regulation (EU) 2024/1364, Annex %(number)s") % {"number": rest.split(" ", 1)[0]}


def finding_message(finding: Finding) -> str:
    """A finding as one clear sentence naming the value and what is wrong."""
    p = {
        **{k: _localised(v) for k, v in finding.params.items()},
        "field": capfirst(field_label(finding.field)),
    }
    match finding.code:
        case "not_reported":
            quantity = QUANTITY.get(finding.field)
            p["annex"] = asked_by(quantity.annex) if quantity else ""
            return (
                _("%(field)s: not reported (asked by %(annex)s). A gap is shown as a gap, never as zero.") % p
            )
        case "negative":
            return _("%(field)s: %(value)s is negative; a reported quantity cannot be below zero.") % p
        case "it_energy_zero":
            return (
                _("%(field)s is 0 while the total energy is not: no indicator can be computed from it.") % p
            )
        case "pue_below_one":
            return (
                _(
                    "PUE %(pue)s is below 1.0, which is impossible: the IT energy (%(it)s kWh) is larger than "
                    "the total energy (%(total)s kWh) that includes it (EN 50600-4-2). Check both values."
                )
                % p
            )
        case "share_above_total":
            return _("%(field)s is %(share)s %%, above 100 %%: the part is larger than the total energy.") % p
        case "potable_above_total":
            return _("%(field)s is larger than the total water input that includes it.") % p
        case "it_energy_above_power":
            return (
                _(
                    "%(field)s is more than the installed IT power could draw in a year running at full power "
                    "(%(most)s kWh)."
                )
                % p
            )
        case "stated_without_inputs":
            p["inputs"] = ", ".join(field_label(k) for k in finding.params.get("inputs", "").split(", ") if k)
            if finding.field == Indicator.WUE:
                return (
                    _(
                        "WUE %(stated)s is stated without the water data it is computed from (%(inputs)s not "
                        "reported): it cannot be checked."
                    )
                    % p
                )
            return (
                _("%(field)s %(stated)s is stated but %(inputs)s is not reported: it cannot be checked.") % p
            )
        case "stated_disagrees":
            p["unit"] = INDICATOR_UNIT[Indicator(finding.field)]
            return (
                _(
                    "%(field)s stated as %(stated)s %(unit)s, but the reported values give %(derived)s %(unit)s "
                    "by the formula of Annex III."
                )
                % p
            )
    return finding.code


def outcome_label(outcome: Outcome) -> str:
    return {
        Outcome.MEETS: _("meets"),
        Outcome.FAILS: _("fails"),
        Outcome.NOT_REPORTED: _("not reported: cannot be checked"),
        Outcome.NOT_DUE: _("misses it, not due yet"),
    }[outcome]


def threshold_source(threshold: Threshold) -> str:
    """Where a limit comes from: a tender's criterion (references and codes), or the Pact's target
    in the reader's language."""
    if not threshold.target:
        return threshold.source
    p = {k: _localised(v) for k, v in threshold.params}
    p["climate"] = {"cool": _("cool"), "warm": _("warm")}.get(p.get("climate", ""), p.get("climate", ""))
    target = {
        "pue_new": _("PUE %(limit)s (%(climate)s climate), new data centres from 2025"),
        "pue_existing": _("PUE %(limit)s (%(climate)s climate), existing data centres from 2030"),
        "ref_2025": _("75 %% renewable or hourly carbon-free electricity by 31 Dec 2025"),
        "ref_2030": _("100 %% renewable or hourly carbon-free electricity by 31 Dec 2030"),
        "wue_new": _(
            "WUE 0.4 L/kWh for new data centres in cool climates using potable water in water-stressed "
            "areas (2022 water metric)"
        ),
    }[threshold.target]
    return label_text(CNDCP_SOURCE, target % p)
