"""The figures' labels and units in the user's language, rendered at the edge.

``cfit.contracts.schedule`` is plain Python and names each figure by a key with an English label; the
obligation stores both (``Obligation.figures``). Pages, forms and messages show the label of the key in
the active language from here; a figure of a measured requirement (its key is the requirement's id)
is labelled by the requirement's title in the reader's language, stored with it (``titles``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from cfit.criteria.models import translated
from cfit.criteria.wording import unit_label as requirement_unit

#: One label per key of ``schedule.TOPIC_FIGURES`` (a test checks that none is missing).
FIGURE_LABELS = {
    "taken_back_units": _("Devices taken back"),
    "taken_back_kg": _("Mass taken back"),
    "reused_units": _("Devices prepared for reuse"),
    "recycled_kg": _("Mass recycled"),
    "repairs": _("Repairs carried out"),
    "spare_parts_days": _("Spare parts: average days to deliver"),
    "spare_parts_available": _("Spare parts available"),
}
#: The units of ``schedule.TOPIC_FIGURES`` that are words; symbols (kg, %) are shown as they are.
UNIT_LABELS = {
    "units": _("units"),
    "repairs": _("repairs"),
    "days": _("days"),
}


def figure_label(field: Mapping[str, Any]) -> str:
    """A figure's label in the active language: a topic figure's from ``FIGURE_LABELS``, a measured
    requirement's from the requirement's title stored with it (``titles``, ``{lang: text}``), else the
    label it was stored with."""
    label = FIGURE_LABELS.get(str(field.get("key", "")))
    if label is not None:
        return str(label)
    titles = field.get("titles")
    if isinstance(titles, Mapping) and titles:
        return translated(dict(titles))
    return str(field.get("label", ""))


def unit_label(field: Mapping[str, Any]) -> str:
    unit = str(field.get("unit", ""))
    label = UNIT_LABELS.get(unit)
    # A measured requirement's unit as the criteria pages say it ('werkdagen'); a symbol stays as it is.
    return str(label) if label is not None else (requirement_unit(unit) or unit)


def shown(field: Mapping[str, Any]) -> dict[str, str]:
    """The figure as a page shows it: key, label and unit in the active language."""
    return {"key": str(field.get("key", "")), "label": figure_label(field), "unit": unit_label(field)}
