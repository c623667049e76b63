"""The award method in words, in a tender's language: one wording for every document.

The annex, the supplier template's instructions, the eForms award fields (BT-540, BT-543) and the
OCDS ``awardCriteriaDetails`` all take their sentences from here, and the sentences are built from
the same ``LotAwardMethod`` the engine scores with: a parameter or a rule cannot differ between
what a bidder reads and what the engine applies.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from cfit.criteria.content import Better, ScoringRule
from cfit.criteria.typography import french, semicolon
from cfit.criteria.wording import active_language, number, option_label, unit_label
from cfit.labels import label_text
from cfit.tenders.award import LotAwardMethod, PriceRule, ScoredCriterion, ScoredRequirement


def _number(value: float) -> str:
    """A figure of the award method in the document's language ("0,25" in Dutch): the text is
    rendered with the tender's language active, as every document and the notice are."""
    return number(value, active_language())


def points(value: Decimal | float) -> str:
    return _number(float(value))


def share(value: float) -> str:
    return f"{_number(round(value * 100, 2))} %"


def _unit(requirement: ScoredRequirement, language: str) -> str:
    """' cycles' / ' laadcycli': the unit's label in the document's language, with its space."""
    return f" {unit_label(requirement.unit, language)}" if requirement.unit else ""


def summary_sentence(method: LotAwardMethod) -> str:
    if not method.criteria:
        return str(
            _("The contract is awarded on %(what)s alone: %(price)s points out of %(total)s.")
            % {
                "what": price_noun(method),
                "price": points(method.price_weight),
                "total": points(method.points_total),
            }
        )
    return str(
        _(
            "The contract is awarded to the most economically advantageous tender on the basis of the best "
            "price-quality ratio: %(what)s %(price)s points, quality %(quality)s points, out of %(total)s."
        )
        % {
            "what": price_noun(method),
            "price": points(method.price_weight),
            "quality": points(method.quality_weight),
            "total": points(method.points_total),
        }
    )


def price_noun(method: LotAwardMethod) -> str:
    return str(_("life-cycle cost") if method.price_rule == PriceRule.LIFE_CYCLE_COST else _("price"))


def cost_formula(method: LotAwardMethod) -> str:
    """The cost per unit that price points compare, with every parameter's value."""
    if method.price_rule == PriceRule.PRICE:
        return str(_("Cost per unit = the unit price offered (EUR, excl. VAT)."))
    costs = method.costs
    text = str(
        _(
            "Life-cycle cost per unit (EUR) = unit price (excl. VAT) + declared energy use (kWh per year) × "
            "%(energy)s EUR per kWh × %(years)s years + %(maintenance)s EUR maintenance per year × %(years)s "
            "years − %(residual)s EUR residual value"
        )
        % {
            "energy": _number(float(costs.energy_price_per_kwh)),
            "years": costs.service_life_years,
            "maintenance": _number(float(costs.maintenance_per_year)),
            "residual": _number(float(costs.residual_value)),
        }
    )
    if method.uses_carbon_price:
        text += str(
            _(
                " + declared carbon footprint (kg CO2e per unit, requirement %(requirement)s) ÷ 1000 × %(price)s EUR per tonne CO2e"
            )
            % {
                "requirement": method.carbon_requirement,
                "price": _number(float(costs.carbon_price_per_tonne)),
            }
        )
    return text + "."


def price_sentence(method: LotAwardMethod) -> str:
    if method.price_rule == PriceRule.LIFE_CYCLE_COST:
        rule = _("Cost points = %(weight)s × lowest life-cycle cost offered ÷ life-cycle cost of the offer.")
    else:
        rule = _("Price points = %(weight)s × lowest price offered ÷ price of the offer.")
    return str(rule % {"weight": points(method.price_weight)}) + " " + cost_formula(method)


def _parts(criterion: ScoredCriterion) -> dict[str, str]:
    """Each scored requirement's part of the criterion's points, where the parts are not equal."""
    scored = [r for r in criterion.requirements if r.scoring.rule != ScoringRule.CONDITION]
    weights = [r.scoring.weight for r in scored]
    if len(set(weights)) <= 1:
        return {}
    total = sum(weights)
    return {
        r.id: str(
            _("part of the criterion's points: %(w)s of %(total)s")
            % {"w": _number(r.scoring.weight), "total": _number(total)}
        )
        for r in scored
    }


def requirement_sentence(requirement: ScoredRequirement, language: str, part: str = "") -> str:
    title = requirement.title.get(language) or requirement.title.get("en", requirement.id)
    unit = _unit(requirement, language)
    higher = requirement.better == Better.HIGHER
    scoring = requirement.scoring
    match scoring.rule:
        case ScoringRule.PROPORTIONAL if higher:
            rule = _("higher is better; share = value offered ÷ highest value offered among eligible offers")
        case ScoringRule.PROPORTIONAL:
            rule = _(
                "lower is better; share = lowest value offered among eligible offers ÷ value offered "
                "(a value of 0 earns the full share)"
            )
        case ScoringRule.LINEAR:
            rule = _("%(better)s; share 0 at %(zero)s, 100 %% at %(full)s, linear in between") % {
                "better": _("higher is better") if higher else _("lower is better"),
                "zero": f"{_number(scoring.zero_at or 0)}{unit}",
                "full": f"{_number(scoring.full_at or 0)}{unit}",
            }
        case ScoringRule.BANDS:
            sign = "≥" if higher else "≤"
            bands = semicolon(language).join(
                label_text(
                    f"{sign} {_number((band.at_least if higher else band.at_most) or 0)}{unit}",
                    share(band.share),
                )
                for band in scoring.bands
            )
            rule = _("%(better)s; share by band: %(bands)s; otherwise 0") % {
                "better": _("higher is better") if higher else _("lower is better"),
                "bands": bands,
            }
        case ScoringRule.OPTION_POINTS:
            table = semicolon(language).join(
                label_text(option_label(option, language), share(scoring.option_points.get(option, 0.0)))
                for option in requirement.options
            )
            rule = _("share per answer: %(table)s") % {"table": table}
        case ScoringRule.CONDITION:
            rule = _("a condition: without it the criterion earns no points")
        case _:
            rule = _("the full share when the answer meets the requirement, otherwise none")
    sentence = label_text(f"{title} ({requirement.id})", rule) + "."
    if part:
        sentence = sentence[:-1] + f"; {part}."
    if not requirement.declared:
        sentence += " " + str(_("(The rule for a technical specification scored as an award criterion.)"))
    return sentence


def criterion_sentence(criterion: ScoredCriterion, language: str) -> str:
    title = criterion.title.get(language) or criterion.title.get("en", criterion.id)
    return str(
        _("%(title)s (%(id)s): %(weight)s points × the share its requirements earn (%(n)s requirement(s)).")
        % {
            "title": title,
            "id": criterion.id,
            "weight": points(criterion.weight),
            "n": len(criterion.requirements),
        }
    )


def general_rules() -> list[str]:
    return [
        str(
            _(
                "An answer that does not meet a requirement's own threshold earns no share; a label that proves a "
                "requirement without a declared value counts as the least good answer that meets it."
            )
        ),
        str(
            _(
                "Offers are compared as wholes. Cost points compare an offer's total (quantity × cost per unit "
                "over its product lines in the lot) with the lowest total; a cost per unit below 0.01 EUR counts "
                "as 0.01 EUR. For a requirement scored in proportion, an offer's answer is the quantity-weighted "
                "mean of its lines' answers (a line without a valid answer counts as 0 where higher is better, and "
                "leaves the offer without that share where lower is better); for the other rules an offer's share "
                "is the quantity-weighted mean of its lines' shares. An offer with a product line that does not "
                "meet a technical specification is excluded. Ties go to the lower cost."
            )
        ),
    ]


def award_method_paragraphs(method: LotAwardMethod, language: str) -> list[str]:
    """The whole award method of a lot, sentence by sentence, in ``language``."""
    with translation.override(language):
        paragraphs = [summary_sentence(method), price_sentence(method)]
        for criterion in method.criteria:
            parts = _parts(criterion)
            paragraphs.append(criterion_sentence(criterion, language))
            paragraphs.extend(
                "– " + requirement_sentence(r, language, parts.get(r.id, "")) for r in criterion.requirements
            )
        paragraphs.extend(general_rules())
        return [_typeset(p, language) for p in paragraphs]


def criterion_description(criterion: ScoredCriterion, language: str) -> str:
    """One award criterion in words (eForms BT-540)."""
    with translation.override(language):
        parts = _parts(criterion)
        return _typeset(
            " ".join(
                [criterion_sentence(criterion, language)]
                + [requirement_sentence(r, language, parts.get(r.id, "")) for r in criterion.requirements]
            ),
            language,
        )


def _typeset(text: str, language: str) -> str:
    """A sentence of the tender documents with its language's spacing (French: no-break spaces), the
    same in the annex, the OCDS release and the eForms notice."""
    return french(text) if language == "fr" else text
