"""The criteria library in all five languages, in headless Chromium: no unit, option or topic as a code.

A reader opens the library, the baseline/ambitious comparison of a few product groups and criterion
pages whose requirements carry units (working days, years, cycles), answer options (tool-free,
company, yes-cmrt) and legal floors. Every topic row reads as the vocabulary's name in the page's
language, every threshold as the wording function gives it (with the unit's label), and in Dutch,
French, German and Norwegian no raw code (a hyphenated option or topic slug, an English unit word
that the language writes otherwise) is anywhere in the visible text. The messages of the user
interface are translated after merge, so the checks are on the vocabulary, not on gettext wording.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from cfit.criteria import content
from cfit.criteria.models import Criterion, FrameworkVersion
from cfit.criteria.vocabulary import Kind, load_vocabulary, used_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VOCABULARY = load_vocabulary()
GROUPS = ["notebooks", "smartphones", "servers", "refurbished-devices"]
CRITERIA = [
    "pc-repair-design-b",  # options tool-free / common-tools
    "mob-spare-delivery-b",  # working days, legal floors
    "sv-minerals-b",  # options company / product / user-defined
    "per-minerals-policy-b",  # options yes-cmrt / yes-other-format
    "nb-battery-award-a",  # cycles, award scoring
    "wc-ecolabel-b",  # label names as options
    "dc-pue-b",  # kWh/kWh
]


def codes_of(framework: FrameworkVersion) -> dict[Kind, set[str]]:
    from cfit.criteria.actions import version_to_content

    return used_codes(version_to_content(framework).criteria)


def raw_code(code: str) -> re.Pattern[str]:
    """A code as a whole token: not part of a criterion or requirement id (mob-spare-parts-b.years)."""
    return re.compile(rf"(?<![\w.-]){re.escape(code)}(?![\w-])")


def untranslated(text: str, language: str, used: dict[Kind, set[str]], *, units: bool = True) -> list[str]:
    """The raw codes visible in ``text``: hyphenated option and topic codes, and (with ``units``)
    unit words whose label in ``language`` differs from the code."""
    found = []
    for kind in (Kind.OPTION, Kind.TOPIC):
        for code in used[kind]:
            if "-" in code and raw_code(code).search(text):
                found.append(f"{kind.value}: {code}")
    for code in used[Kind.UNIT] if units else ():
        label = VOCABULARY.unit(code, language)
        words = re.fullmatch(r"[A-Za-z ]+", code) is not None
        if words and code not in label and raw_code(code).search(text):
            found.append(f"units: {code}")
    return found


#: The requirements table's text without the legal floors' citations of the regulation.
WITHOUT_CITATIONS = """table => {
  const copy = table.cloneNode(true);
  copy.querySelectorAll(".legal-floor").forEach(floor => floor.remove());
  return copy.textContent;
}"""


def threshold_cells(page: Any) -> list[str]:
    return [cell.strip() for cell in page.locator("td.threshold").all_inner_texts()]


@pytest.mark.parametrize("language", content.LANGUAGES)
def test_the_library_reads_without_codes_in_every_language(
    live_server: Any, browser: Any, framework: FrameworkVersion, language: str
) -> None:
    used = codes_of(framework)
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: dict[str, list[str]] = {}
    try:
        for path in ["/criteria/", "/criteria/?page=2"]:
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == language
            if language != "en":
                problems[path] = untranslated(page.inner_text("main"), language, used)

        for group in GROUPS:
            page.goto(f"{live_server.url}/criteria/compare/{group}/")
            topics = {c.topic for c in Criterion.objects.in_version(framework).for_product_group(group)}
            rows = [row.strip() for row in page.locator("table.compare th[scope=row]").all_inner_texts()]
            assert sorted(rows) == sorted(VOCABULARY.topic(t, language) for t in topics), group
            if language != "en":
                problems[group] = untranslated(page.inner_text("main"), language, used)

        for code in CRITERIA:
            criterion = Criterion.objects.get(version=framework, code=code)
            page.goto(f"{live_server.url}/criteria/{code}/")
            cells = threshold_cells(page)
            requirements = list(criterion.requirements.all())
            with translation.override(language):
                expected = [r.threshold for r in requirements]
                floors = [text for r in requirements for _floor, text in r.floor_lines]
            assert [cell.split("\n")[0].strip() for cell in cells] == expected, code
            for text in floors:  # a legal floor reads with the unit's label, e.g. '≤ 5 werkdagen'
                assert any(text in cell for cell in cells), (code, text)
            for requirement in requirements:
                if requirement.unit:
                    assert VOCABULARY.unit(requirement.unit, language) in page.inner_text(
                        "table.requirements"
                    )
            if language != "en":
                # Sources and legal floors cite the primary texts in their own (English) words; the
                # requirements, their thresholds and how they are scored are the platform's.
                shown = page.eval_on_selector("table.requirements", WITHOUT_CITATIONS) + "\n".join(
                    page.locator("ul.scoring").all_inner_texts()
                )
                problems[code] = untranslated(page.inner_text("main"), language, used, units=False)
                problems[code] += untranslated(shown, language, used)
    finally:
        context.close()

    assert {where: found for where, found in problems.items() if found} == {}
