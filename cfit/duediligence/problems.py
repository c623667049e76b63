"""The due-diligence problem codes in the user's language: the template's (``template.MESSAGES``) and the
smelter checks' (``checks.MESSAGES``), each naming its sheet, row and column."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cfit.duediligence.template import TemplateProblem
from cfit.labels import label_text

#: code -> message with %(name)s parameters (the English of ``template.MESSAGES`` and ``checks.MESSAGES``)
MESSAGES: dict[str, Promise] = {
    "not_a_template": gettext_lazy(
        "not an RMI minerals reporting template (CMRT or EMRT): no revision cell found"
    ),
    "unknown_kind": gettext_lazy("a template with the title “%(title)s”: neither a CMRT nor an EMRT"),
    "unknown_revision": gettext_lazy("%(kind)s revision %(revision)s is not described (known: %(known)s)"),
    "revision_not_described": gettext_lazy(
        "%(kind)s revision %(revision)s is read with the layout of revision %(layout)s"
    ),
    "revisions_differ": gettext_lazy(
        "the smelter list says revision %(other)s, the declaration %(revision)s"
    ),
    "sheet_missing": gettext_lazy("no %(role)s sheet (looked for %(names)s and for its content)"),
    "sheet_renamed": gettext_lazy("the %(role)s sheet is named “%(name)s”: found by its content"),
    "required": gettext_lazy("%(question)s is required: the answer is empty"),
    "not_date": gettext_lazy("not a date"),
    "unknown_metal": gettext_lazy("“%(metal)s” is not a metal of the %(kind)s (use one of %(metals)s)"),
    "metal_missing": gettext_lazy("the smelter's metal is empty"),
    "smelter_unnamed": gettext_lazy("neither a smelter identification nor a smelter name"),
    "too_many_smelters": gettext_lazy(
        "more than %(limit)s smelter rows: split the declaration or send the list the template holds"
    ),
    "too_many_rows": gettext_lazy(
        "the smelter list runs past row %(limit)s: not a template a supplier filled in"
    ),
    "unreadable": gettext_lazy("%(detail)s"),
    # the smelter checks
    "not_identified": gettext_lazy("no smelter identification: the supplier has not identified this smelter"),
    "unknown_id": gettext_lazy("%(smelter_id)s is not in the template's smelter look-up list"),
    "name_mismatch": gettext_lazy("“%(name)s” is not a name of %(smelter_id)s (%(standard)s)"),
    "metal_mismatch": gettext_lazy("%(smelter_id)s is a %(listed)s smelter, reported for %(metal)s"),
    "not_in_list": gettext_lazy("%(smelter_id)s is not in the conformance list of %(as_of)s"),
    "status_active": gettext_lazy(
        "%(smelter_id)s is active in the assurance process, not yet conformant (%(as_of)s)"
    ),
    "status_not_conformant": gettext_lazy("%(smelter_id)s is %(status)s (%(as_of)s)"),
    "country_of_concern": gettext_lazy("located in %(country)s: %(source)s"),
}


#: The declaration's required answers (``template.QUESTIONS``), as the templates label them.
QUESTIONS: dict[str, Promise] = {
    "company_name": gettext_lazy("Company name"),
    "scope": gettext_lazy("Declaration scope or class"),
    "contact_name": gettext_lazy("Contact name"),
    "contact_email": gettext_lazy("Email of the contact"),
    "authoriser": gettext_lazy("Authoriser"),
    "authoriser_email": gettext_lazy("Email of the authoriser"),
    "effective_date": gettext_lazy("Effective date"),
}


#: A conformance list's statuses (``checks.STATUSES``) and the checks' own, as a page's column shows them.
STATUS_LABELS: dict[str, Promise] = {
    "conformant": gettext_lazy("Conformant"),
    "active": gettext_lazy("Active"),
    "non_conformant": gettext_lazy("Non-conformant"),
    "suspended": gettext_lazy("Suspended"),
    "inactive": gettext_lazy("Inactive"),
    "unlisted": gettext_lazy("Not in the list"),
    "unidentified": gettext_lazy("Not identified"),
}
#: The statuses a smelter that is not conformant may have, inside a sentence (``status_not_conformant``).
STATUS_WORDS: dict[str, Promise] = {
    "non-conformant": gettext_lazy("non-conformant"),
    "suspended": gettext_lazy("suspended"),
    "inactive": gettext_lazy("inactive"),
}


#: The 3TG of the CMRT and the minerals of the EMRT (1.x: cobalt, mica; 2.x adds copper, graphite,
#: lithium, nickel), as the templates write them.
METALS: dict[str, Promise] = {
    "Gold": gettext_lazy("Gold"),
    "Tantalum": gettext_lazy("Tantalum"),
    "Tin": gettext_lazy("Tin"),
    "Tungsten": gettext_lazy("Tungsten"),
    "Cobalt": gettext_lazy("Cobalt"),
    "Mica": gettext_lazy("Mica"),
    "Copper": gettext_lazy("Copper"),
    "Graphite": gettext_lazy("Graphite"),
    "Lithium": gettext_lazy("Lithium"),
    "Nickel": gettext_lazy("Nickel"),
}


def metal_name(name: str) -> str:
    """The metal's name in the active language; a name the templates do not use is shown as given."""
    return str(METALS.get(str(name).strip().title(), name))


def _day(value: Any) -> Any:
    """A date the checks give as ISO 8601 ("2027-01-15"), as the reader's language writes dates."""
    try:
        return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def status_label(status: str) -> str:
    """The status in the user's language; "" for none (no conformance list to check against)."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def message(code: str, params: Mapping[str, Any]) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return code
    params = dict(params)
    if params.get("as_of"):
        params["as_of"] = _day(params["as_of"])
    if code == "required":
        # the question in the reader's language, by its key (a report stored before it was named too)
        key = str(params.get("field", ""))
        params["question"] = str(QUESTIONS[key]) if key in QUESTIONS else params.get("question", key)
    if code == "metal_mismatch":
        # the template's and the list's metals, as the page's metal column names them
        params.update({k: metal_name(params[k]) for k in ("metal", "listed") if k in params})
    if "status" in params and params["status"] in STATUS_WORDS:
        # stored as the list's English word: shown in the user's language like the rest of the sentence
        params["status"] = str(STATUS_WORDS[params["status"]])
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def describe(found: TemplateProblem) -> str:
    """“Sheet Declaration, row 8, column D: required: the answer is empty”, in the user's language."""
    where = []
    if found.sheet:
        where.append(_("sheet %(sheet)s") % {"sheet": found.sheet})
    if found.row is not None:
        where.append(_("row %(row)s") % {"row": found.row})
    if found.column:
        where.append(_("column %(column)s") % {"column": found.column})
    text = message(found.code, dict(found.params))
    return label_text(", ".join(where), text) if where else text
