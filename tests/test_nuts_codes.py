"""The NUTS region of a buyer's notice details is one of the eForms SDK's list, not only a code of its form.

Ada administers Rijkswaterstaat (NL). She enters Utrecht, NL350, on the notice details page: it is saved
and the page and the organisation page name the region. She then mistypes NL399, a code of the right form
that is no region: the page refuses it next to the field, names the nearest real regions and saves
nothing. A code of another country is still refused as one of another country; Gert, who administers the
City of Ghent (BE), saves a Belgian one. A Ukrainian buyer's district is one of the list too, though the
list names it by its code only. The shipped codes are exactly those the SDK 1.15.1's Schematron accepts.
"""

from __future__ import annotations

import csv
import re
from importlib import resources
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cfit.accounts import actions, eforms_codes
from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord

from .conftest import Persona, make_persona
from .tender_helpers import shared

Role = Membership.Role
Type = Organisation.Type

#: The countries whose regions the list holds: EU, EEA/EFTA, the candidates and Kosovo (Greece is EL).
COUNTRIES = {
    *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT"),
    *("LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
    *("CH", "IS", "LI", "NO"),
    *("AL", "ME", "MK", "RS", "TR", "XK"),
}


def url(slug: str = "rijkswaterstaat") -> str:
    return f"/organisations/{slug}/notice-details/"


@pytest.fixture
def ada(db: Any) -> Persona:
    return make_persona("ada", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.ADMIN)


@pytest.fixture
def gert(db: Any) -> Persona:
    return make_persona("gert", "city-of-ghent", Type.PROCURING_PARTICIPANT, Role.ADMIN, country="BE")


def saved_records() -> int:
    return AuditRecord.objects.filter(action=AuditRecord.Action.NOTICE_DETAILS_SAVED).count()


def field_errors(page: str, field: str) -> str:
    errors = re.search(rf'<div class="problems" id="errors-{field}" role="alert">(.*?)</div>', page, re.S)
    assert errors is not None, page
    return errors.group(1)


# -- the list


#: Codes of the SDK 1.15.1's rule whose national names the lists read did not give (NUTS 2024 in
#: Finland and in Groningen and Friesland): shown by their codes.
UNNAMED_2024 = {
    "FI198", "FI199", "FI19A", "FI19B", "FI1C6", "FI1C7", "FI1DA", "FI1DB", "FI1DC",
    "NL114", "NL115", "NL127", "NL128",
}  # fmt: skip


def test_the_list_holds_level_3_codes_of_the_countries_eforms_knows() -> None:
    rows = list(
        csv.DictReader(
            resources.files("cfit.accounts")
            .joinpath("data", "nuts-lvl3.csv")
            .read_text(encoding="utf-8")
            .splitlines()
        )
    )
    codes = [row["code"] for row in rows]

    assert len(codes) == len(set(codes)) == len(eforms_codes.nuts_regions()) == 1521
    assert all(len(code) == 5 and eforms_codes.is_nuts_level_3(code) for code in codes)
    assert all(row["name"].strip() == row["name"] for row in rows)
    # Named but for Ukraine's districts and the few 2024 codes whose names were not found.
    unnamed = {row["code"] for row in rows if not row["name"]}
    assert {c for c in unnamed if not c.startswith("UA")} <= UNNAMED_2024
    assert {code[:2] for code in codes} == COUNTRIES | {"UA"}
    assert "GR" not in {code[:2] for code in codes} and "UK" not in {code[:2] for code in codes}
    assert {f"{country}ZZZ" for country in COUNTRIES} <= set(codes)
    for code in ("NL350", "NL361", "FRK26", "DE212", "BE100", "EL303", "PT1A0", "LV00A", "DEG0R"):
        assert eforms_codes.is_nuts_region(code), code


def test_a_region_has_its_national_name() -> None:
    assert eforms_codes.nuts_name("NL350") == "Utrecht"
    assert eforms_codes.nuts_name("NL361") == "Agglomeratie ’s-Gravenhage"
    assert eforms_codes.nuts_name("FRK26") == "Rhône"
    assert eforms_codes.nuts_name("EL303") == "Κεντρικός Τομέας Αθηνών"
    assert eforms_codes.nuts_name("NLZZZ") == "Extra-Regio NUTS 3"
    assert eforms_codes.nuts_name("NL399") is None and eforms_codes.nuts_name("nl350") is None
    assert eforms_codes.nuts_label("DE212") == "DE212 — München, Kreisfreie Stadt"
    assert eforms_codes.nuts_label("NL399") == "NL399"


def test_the_nearest_regions_of_a_code_that_is_none() -> None:
    # Same region of level 2 first, then of level 1; never another country's, never Extra-Regio.
    assert eforms_codes.nuts_suggestions("FRK29") == ["FRK26", "FRK27", "FRK28"]
    assert eforms_codes.nuts_suggestions("NL399") == ["NL364", "NL365", "NL366"]
    assert eforms_codes.nuts_suggestions("XX123") == []
    assert all(code.startswith("NL3") for code in eforms_codes.nuts_suggestions("NL332"))


# -- the page


def test_a_real_region_is_saved_and_named_on_the_pages(ada: Persona) -> None:
    client = Client()
    client.force_login(ada.user)

    response = client.post(url(), {"nuts_code": "nl350", "review_body_nuts_code": ""}, follow=True)

    assert response.redirect_chain == [(url(), 302)]
    ada.organisation.refresh_from_db()
    assert ada.organisation.nuts_code == "NL350" and ada.organisation.nuts_name == "Utrecht"
    assert "Saved region: NL350 — Utrecht" in response.content.decode()
    organisation_page = client.get(f"/organisations/{ada.organisation.slug}/").content.decode()
    assert re.search(r'NL350(</abbr>)? — <span class="nuts-region">Utrecht</span>', organisation_page)
    assert saved_records() == 1


def test_a_well_formed_code_that_is_no_region_is_refused_next_to_its_field(ada: Persona) -> None:
    client = Client()
    client.force_login(ada.user)

    response = client.post(url(), {"nuts_code": "NL399", "town": "Utrecht"})

    assert response.status_code == 200
    errors = field_errors(response.content.decode(), "nuts_code")
    assert "NL399 is not a NUTS region of level 3 in the eForms code list." in errors
    assert "The nearest regions are NL364, NL365, NL366." in errors
    ada.organisation.refresh_from_db()
    assert ada.organisation.nuts_code == "" and ada.organisation.town == ""
    assert saved_records() == 0


def test_the_review_body_s_code_is_checked_as_the_buyer_s(ada: Persona) -> None:
    client = Client()
    client.force_login(ada.user)
    client.post(url(), {"nuts_code": "NL350"})

    response = client.post(
        url(),
        {"nuts_code": "NL350", "review_body_name": "Rechtbank Den Haag", "review_body_nuts_code": "NL369"},
    )

    errors = field_errors(response.content.decode(), "review_body_nuts_code")
    assert "NL369 is not a NUTS region of level 3" in errors
    # The saved region is still named under its field, not the refused one.
    assert "Saved region: NL350 — Utrecht" in response.content.decode()
    assert "Saved region: NL369" not in response.content.decode()
    ada.organisation.refresh_from_db()
    assert ada.organisation.review_body_name == "" and ada.organisation.review_body_nuts_code == ""
    assert saved_records() == 1


def test_a_code_of_another_country_is_still_refused_as_such(ada: Persona, gert: Persona) -> None:
    client = Client()
    client.force_login(ada.user)

    response = client.post(url(), {"nuts_code": "BE100"})

    errors = field_errors(response.content.decode(), "nuts_code")
    assert "A NUTS region in this organisation&#x27;s country starts with NL." in errors
    with pytest.raises(ValidationError) as refused:
        actions.save_notice_details(ada.organisation, {"nuts_code": "BE100"}, acting_user=ada.user)
    assert refused.value.error_dict["nuts_code"][0].code == "nuts_country"

    saved = actions.save_notice_details(gert.organisation, {"nuts_code": "be100"}, acting_user=gert.user)
    assert saved.nuts_code == "BE100" and saved.nuts_name.startswith("Arr. de Bruxelles-Capitale")


def test_the_action_refuses_an_unknown_region_with_its_own_code(ada: Persona) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.save_notice_details(
            ada.organisation, {"nuts_code": "NL310", "review_body_nuts_code": "NLZZZ"}, acting_user=None
        )

    # NL310 was Utrecht in NUTS 2021; NLZZZ is a region of the list.
    assert set(refused.value.error_dict) == {"nuts_code", "review_body_name"}
    assert refused.value.error_dict["nuts_code"][0].code == "nuts_unknown"
    ada.organisation.refresh_from_db()
    assert ada.organisation.nuts_code == ""


def test_a_ukrainian_district_is_a_region_of_the_list_named_by_its_code(db: Any) -> None:
    kyiv = Organisation.objects.create(
        slug="kyiv", name="Kyiv", country="UA", type=Type.PROCURING_PARTICIPANT
    )

    saved = actions.save_notice_details(kyiv, {"nuts_code": "ua111"}, acting_user=None)

    assert saved.nuts_code == "UA111" and saved.nuts_name is None
    assert eforms_codes.nuts_label("UA111") == "UA111"
    with pytest.raises(ValidationError) as refused:
        actions.save_notice_details(kyiv, {"nuts_code": "UA999"}, acting_user=None)
    assert refused.value.error_dict["nuts_code"][0].code == "nuts_unknown"


def test_the_shipped_codes_are_exactly_those_the_sdk_s_schematron_accepts() -> None:
    """Rule BR-BT-00507-0205 of the SDK 1.15.1 (the version cfit's notices declare) lists every code
    BT-507 may take: TED refuses a notice with any other."""
    rules = shared("eforms-sdk", "schematrons", "static", "validation-stage-3b.sch").read_text(
        encoding="utf-8"
    )
    rule = re.search(r'<assert id="BR-BT-00507-0205"[^>]*test="([^"]*)"', rules)
    assert rule is not None

    accepted = set(re.findall(r"'([A-Z]{2}[0-9A-Z]{3})'", rule.group(1)))

    assert set(eforms_codes.nuts_regions()) == accepted
