"""The numbers a tender's pages take: each within what its column holds, or refused by its field.

Pia is a procurer of Rijkswaterstaat. She types a tender's lots on the new-tender page, its life-cycle
cost parameters and weights on the review page, and its notice terms; a number beyond what the database
holds (an estimated value of 1e30 EUR, a quantity of twenty digits, an energy price of 250 EUR per kWh)
is refused next to its field, and nothing is saved: saved, it would break every page of the tender.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cfit.accounts.scoping import system_scope
from cfit.criteria.content import CriterionType
from cfit.criteria.models import FrameworkVersion
from cfit.tenders import actions
from cfit.tenders.models import Lot, Tender

from .conftest import Persona


def client_of(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def start(persona: Persona, **lot: str) -> dict[str, str]:
    """The new-tender page as Pia fills it in, with one lot of notebooks."""
    return {
        "organisation": persona.organisation.slug,
        "title": "Laptops 2028",
        "reference": "RWS-2028-01",
        "language": "nl",
        "procedure": "open",
        "lot_notebooks": "on",
        "quantity_notebooks": "500",
        "value_notebooks": "400000",
        "life_notebooks": "5",
        **lot,
    }


def no_tender() -> bool:
    with system_scope():
        return not Tender.objects.filter(reference__startswith="RWS-2028").exists()


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        # Typed as a language writes numbers: an exponent is not one (numberfields).
        ("value_notebooks", "1e30", "Enter a number, e.g. 1,234.5."),
        (
            "value_notebooks",
            "1000000000000",
            "Ensure that there are no more than 12 digits before the decimal",
        ),
        (
            "quantity_notebooks",
            "99999999999999999999",
            "Ensure this value is less than or equal to 2147483647.",
        ),
    ],
)
def test_a_number_beyond_its_column_is_refused_next_to_its_field_on_the_new_tender_page(
    procurer: Persona, framework: FrameworkVersion, field: str, typed: str, said: str
) -> None:
    response = client_of(procurer).post("/tenders/new/", start(procurer, **{field: typed}))

    assert response.status_code == 200
    assert said in " ".join(response.context["form"].errors[field])
    assert no_tender()


def test_the_largest_estimated_value_is_saved_and_the_tender_pages_open(
    procurer: Persona, framework: FrameworkVersion
) -> None:
    client = client_of(procurer)

    response = client.post(
        "/tenders/new/", start(procurer, value_notebooks="999999999999.99", quantity_notebooks="2147483647")
    )

    assert response.status_code == 302
    with system_scope():
        tender = Tender.objects.get(reference="RWS-2028-01")
    for page in ("", "ambition/", "review/"):
        assert client.get(f"/tenders/{tender.pk}/{page}").status_code == 200, page


@pytest.mark.parametrize(
    ("lot", "field"),
    [
        ({"estimated_value": "1e30"}, "estimated_value"),
        ({"estimated_value": "0.001"}, "estimated_value"),
        ({"quantity": 99999999999999999999}, "quantity"),
        ({"service_life_years": 21}, "service_life_years"),
    ],
)
def test_the_api_refuses_a_lot_number_beyond_its_column_by_its_field(
    procurer: Persona, framework: FrameworkVersion, lot: dict[str, Any], field: str
) -> None:
    response = client_of(procurer).post(
        "/api/v1/tenders/",
        {
            "organisation": procurer.organisation.slug,
            "title": "Laptops",
            "reference": "RWS-2028-02",
            "lots": [{"product_group": "notebooks", **lot}],
        },
        content_type="application/json",
    )

    assert response.status_code == 422, response.content
    assert field in str(response.json()["problems"])
    assert no_tender()


@pytest.mark.parametrize(
    ("lot", "said"),
    [
        ({"estimated_value": Decimal("1e30")}, "Estimated value (EUR) is at most 999,999,999,999.99."),
        ({"estimated_value": "NaN"}, "Estimated value (EUR): NaN is not a number."),
        ({"estimated_value": Decimal("-1")}, "Estimated value (EUR) cannot be negative."),
        ({"quantity": 99999999999999999999}, "Quantity is a whole number from 1 to 2,147,483,647."),
        ({"quantity": 0}, "Quantity is a whole number from 1 to 2,147,483,647."),
        ({"service_life_years": 40}, "Service life (years) is a whole number from 1 to 20."),
    ],
)
def test_the_actions_that_add_lots_refuse_a_number_beyond_its_column(
    procurer: Persona, framework: FrameworkVersion, lot: dict[str, Any], said: str
) -> None:
    with pytest.raises(actions.TenderError) as refused:
        actions.create_tender(
            procurer.organisation,
            title="Laptops",
            reference="RWS-2028-03",
            lots=[{"product_group": "notebooks", **lot}],
            acting_user=procurer.user,
        )

    assert str(refused.value) == said
    assert no_tender()


@pytest.fixture
def tender(procurer: Persona, framework: FrameworkVersion) -> Tender:
    return actions.create_tender(
        procurer.organisation,
        title="Laptops 2028",
        reference="RWS-2028-04",
        language="nl",
        lots=[{"product_group": "notebooks", "quantity": 500, "ambitions": {"carbon": "ambitious"}}],
        acting_user=procurer.user,
    )


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("offer_validity_days", "40000", "Ensure this value is less than or equal to 730."),
        ("contract_months", "1201", "Ensure this value is less than or equal to 1200."),
    ],
)
def test_a_notice_term_beyond_its_documented_bound_is_refused_by_its_field(
    procurer: Persona, tender: Tender, field: str, typed: str, said: str
) -> None:
    client = client_of(procurer)

    response = client.post(f"/tenders/{tender.pk}/notice-terms/", {field: typed})

    assert response.status_code == 200
    assert said in response.context["form"].errors[field]
    tender.refresh_from_db()
    assert getattr(tender, field) is None
    api = client.put(
        f"/api/v1/tenders/{tender.pk}/notice-terms", {field: int(typed)}, content_type="application/json"
    )
    assert api.status_code == 422 and field in str(api.json()["problems"])


def review_messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ({"energy_price": "250"}, "Energy price (EUR/kWh) is at most 99.9999."),
        ({"energy_price": "0.12345"}, "Energy price (EUR/kWh): at most 4 digits after the decimal point."),
        ({"maintenance_per_year": "100000000"}, "Maintenance per year (EUR) is at most 99,999,999.99."),
        # An exponent is not how a person types a number (numberfields), as on the new-tender page.
        ({"residual_value": "1e12"}, "Residual value (EUR): Enter a number, e.g. 1,234.5."),
        ({"carbon_price": "-5"}, "Carbon price (EUR/t CO2e) cannot be negative."),
        ({"carbon_price": "NaN"}, "Carbon price (EUR/t CO2e): Enter a number, e.g. 1,234.5."),
    ],
)
def test_a_life_cycle_cost_beyond_its_column_is_refused_by_its_label_and_nothing_is_saved(
    procurer: Persona, tender: Tender, typed: dict[str, str], said: str
) -> None:
    before = Lot.objects.values().get(tender=tender)

    response = client_of(procurer).post(
        f"/tenders/{tender.pk}/edit/",
        {
            "lot": "1",
            "op": "costs",
            "price_rule": "life_cycle_cost",
            "service_life_years": "6",
            "energy_price": "0.30",
            **typed,
        },
        follow=True,
    )

    assert response.redirect_chain == [(f"/tenders/{tender.pk}/review/", 302)]
    assert review_messages(response) == [said]
    assert Lot.objects.values().get(tender=tender) == before


def test_the_label_of_a_refused_cost_is_in_the_users_language(procurer: Persona, tender: Tender) -> None:
    client = client_of(procurer)
    client.cookies["django_language"] = "nl"

    response = client.post(
        f"/tenders/{tender.pk}/edit/", {"lot": "1", "op": "costs", "carbon_price": "-5"}, follow=True
    )

    assert review_messages(response) == ["CO2-prijs (EUR/t CO2e) kan niet negatief zijn."]
    assert "CO2-prijs (EUR/t CO2e)" in response.content.decode()  # the label the form shows her


def test_the_weights_pia_typed_stay_in_the_form_after_they_are_refused(
    procurer: Persona, tender: Tender
) -> None:
    client = client_of(procurer)
    lot = tender.lots.get()
    award = [
        row.criterion.code for row in lot.lot_criteria.all() if row.type == CriterionType.AWARD_CRITERION
    ]
    assert award
    typed = {f"weight_{code}": "12.5" for code in award}

    response = client.post(
        f"/tenders/{tender.pk}/edit/",
        {"lot": "1", "op": "weights", "price_weight": "77", **typed},
        follow=True,
    )

    assert "not 100" in review_messages(response)[0]
    page = response.content.decode()
    assert 'name="price_weight" value="77"' in page
    for name in typed:
        assert f'name="{name}" value="12.5"' in page
    lot.refresh_from_db()
    assert lot.award_weight_total() == 100
    again = client.get(f"/tenders/{tender.pk}/review/").content.decode()
    assert 'name="price_weight" value="77"' not in again  # shown once, then the saved weights


def test_the_costs_pia_typed_stay_in_the_form_after_they_are_refused(
    procurer: Persona, tender: Tender
) -> None:
    response = client_of(procurer).post(
        f"/tenders/{tender.pk}/edit/",
        {
            "lot": "1",
            "op": "costs",
            "price_rule": "price",
            "service_life_years": "7",
            "energy_price": "250",
            "maintenance_per_year": "12.50",
        },
        follow=True,
    )

    page = response.content.decode()
    assert 'name="energy_price" value="250"' in page and 'name="maintenance_per_year" value="12.50"' in page
    assert 'name="service_life_years" min="1" max="20" value="7"' in page
    assert '<option value="price" selected>' in page


@pytest.mark.parametrize(
    ("price", "said"),
    [
        ("NaN", "Price weight: Enter a number, e.g. 1,234.5."),
        ("sNaN", "Price weight: Enter a number, e.g. 1,234.5."),
    ],
)
def test_a_weight_that_is_not_a_number_is_refused(
    procurer: Persona, tender: Tender, price: str, said: str
) -> None:
    response = client_of(procurer).post(
        f"/tenders/{tender.pk}/edit/", {"lot": "1", "op": "weights", "price_weight": price}, follow=True
    )

    assert review_messages(response) == [said]


def test_a_weight_with_three_decimals_is_refused_as_it_could_not_be_stored(tender: Tender) -> None:
    lot = tender.lots.get()
    award = [
        row.criterion.code for row in lot.lot_criteria.all() if row.type == CriterionType.AWARD_CRITERION
    ]
    weights = {code: Decimal(0) for code in award}
    weights[award[0]] = Decimal("30.005")  # with a price of 69.995: 100, but stored as 30.01 and 70.00

    with pytest.raises(actions.TenderError, match="at most two decimals"):
        actions.set_weights(lot, Decimal("69.995"), weights, acting_user=None)


def test_weights_and_costs_are_typed_as_the_procurers_language_writes_numbers(
    procurer: Persona, tender: Tender
) -> None:
    """Jan works in Dutch: his browser's number fields refused "12,5", and the page's own reading took
    only a decimal point. The review page's weights and costs are text fields with a decimal keypad,
    read as the page's language writes numbers, and show the saved figures that way."""
    client = client_of(procurer)
    client.cookies["django_language"] = "nl"
    lot = tender.lots.get()
    award = [
        row.criterion.code for row in lot.lot_criteria.all() if row.type == CriterionType.AWARD_CRITERION
    ]
    weights = {f"weight_{code}": "0" for code in award} | {f"weight_{award[0]}": "12,5"}

    saved = client.post(
        f"/tenders/{tender.pk}/edit/",
        {"lot": "1", "op": "weights", "price_weight": "87,5", **weights},
        follow=True,
    )
    client.post(
        f"/tenders/{tender.pk}/edit/",
        {"lot": "1", "op": "costs", "price_rule": "life_cycle_cost", "energy_price": "0,25",
         "maintenance_per_year": "1.250,50", "residual_value": "40", "carbon_price": "100"},
        follow=True,
    )  # fmt: skip
    refused = client.post(
        f"/tenders/{tender.pk}/edit/", {"lot": "1", "op": "costs", "energy_price": "0.25"}, follow=True
    )

    assert review_messages(saved) == ["Opgeslagen."]
    lot.refresh_from_db()
    assert lot.price_weight == Decimal("87.5") and lot.lot_criteria.get(
        criterion__code=award[0]
    ).weight == Decimal("12.5")
    assert (lot.energy_price, lot.maintenance_per_year) == (Decimal("0.25"), Decimal("1250.50"))
    [said] = review_messages(refused)
    assert "Energieprijs (EUR/kWh)" in said and "1.234,5" in said  # its label and how Dutch writes numbers
    assert lot.energy_price == Decimal("0.25")
    page = client.get(f"/tenders/{tender.pk}/review/").content.decode()
    assert 'type="number"' not in page.split('class="costs"')[1].split("</form>")[0].replace(
        'type="number" name="service_life_years"', ""
    )
    assert 'inputmode="decimal" name="price_weight" value="87,50"' in page
    assert 'inputmode="decimal" name="energy_price" value="0,2500"' in page
