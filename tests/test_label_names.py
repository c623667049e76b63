"""A label is named as the reader's language names it: the EU Ecolabel is the "EU-milieukeur" to Dutch
buyers and the "Label écologique de l'UE" in a French annex (the names of Regulation (EC) No 66/2010);
a language with no official name of its own (Norwegian) reads the English one, never a made-up one.
"""

from __future__ import annotations

import pytest
from django.test import Client
from pydantic import ValidationError

from cfit.criteria import content, exchange
from cfit.criteria.models import FrameworkVersion, Label
from cfit.tenders import annex
from cfit.tenders.spec import build_spec
from tests.tender_helpers import docx_text

#: A criterion that accepts the EU Ecolabel as proof.
CRITERION = "wc-ecolabel-b"
OFFICIAL = {
    "en": "EU Ecolabel",
    "nl": "EU-milieukeur",
    "fr": "Label écologique de l'UE",
    "de": "EU-Umweltzeichen",
    "nb": "EU Ecolabel",
}


@pytest.mark.parametrize("lang", content.LANGUAGES)
def test_the_annex_names_the_label_in_the_tender_language(
    framework_content: content.Framework, lang: str
) -> None:
    spec = build_spec(
        framework_content, product_groups=["notebooks"], ambition=content.Ambition.BASELINE, language=lang
    )
    assert any(c.criterion.id == CRITERION for lot in spec.lots for c in lot.criteria)

    document = annex.build_annex(spec)
    # the verification paragraph of the criterion, listing the labels accepted as proof
    proof = next(
        b.text
        for b in document.blocks
        if isinstance(b, annex.Paragraph) and "EPEAT Bronze" in b.text and "Blauer Engel" in b.text
    )

    assert OFFICIAL[lang] in proof and OFFICIAL[lang] in docx_text(annex.render_docx(document))
    if lang in ("nl", "fr", "de"):
        assert "EU Ecolabel" not in proof


@pytest.mark.parametrize("lang", ["en", "nl", "de"])
def test_the_criterion_page_names_the_label_in_the_reader_s_language(
    client: Client, framework: FrameworkVersion, lang: str
) -> None:
    page = client.get(f"/criteria/{CRITERION}/", headers={"accept-language": lang}).content.decode()

    assert OFFICIAL[lang] in page


def test_the_names_travel_with_the_label_and_an_import_cannot_change_them(
    framework: FrameworkVersion, framework_content: content.Framework
) -> None:
    assert Label.objects.get(code="eu-ecolabel").names["nl"] == "EU-milieukeur"
    document = exchange.framework_to_json(framework_content)
    label = next(x for x in document["labels"] if x["id"] == "eu-ecolabel")
    assert label["names"]["fr"] == "Label écologique de l'UE"
    label["names"]["fr"] = "Écolabel européen"

    problems = exchange.shared_list_problems(document, framework_content)

    index = document["labels"].index(label)
    assert [(p.where, p.field, p.code) for p in problems] == [
        (f"labels[{index}] (eu-ecolabel)", "names.fr", "shared_list")
    ]


def test_a_name_in_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown language"):
        content.Label(id="x-label", name="X", issuer="Y", names={"sv": "X-märket"})


def test_a_label_without_its_own_name_in_a_language_reads_the_english_one() -> None:
    label = content.Label(id="x-label", name="X label", issuer="Y", names={"de": "X-Zeichen", "nl": " "})

    assert [label.name_in(lang) for lang in content.LANGUAGES] == [
        "X label",
        "X label",
        "X label",
        "X-Zeichen",
        "X label",
    ]
