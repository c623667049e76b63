"""Negation in notice matching (``cfit.notices.matching.Negation``, lexicon ``negation``): a term in a
clause that says it is not asked for is no evidence; an unrelated negation elsewhere, or the same
words un-negated elsewhere in the notice, keep the match. Database-free, about a second.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.notices.matching import Matcher, default_matcher, read_lexicon

TEN = ("en", "nl", "fr", "de", "nb", "es", "it", "pl", "sv", "da")


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return default_matcher()


def families(matcher: Matcher, *texts: str) -> set[str]:
    return {m.family for m in matcher.match_texts(list(texts), ict=True)}


#: (language, family, negated sentence, un-negated sentence that holds an unrelated negation)
# fmt: off
TABLE: list[tuple[str, str, str, str]] = [
    ("en", "ecolabel", "No ecolabel is required for the docking stations.",
     "Delivery no later than 30 days, TCO Certified required."),
    ("en", "ecolabel", "TCO Certified is not required for the accessories.",
     "No later than 30 days after signature the notebooks shall be TCO Certified."),
    ("en", "spare-parts", "There is no requirement for spare parts availability.",
     "Spare parts shall be delivered at no extra cost within five days."),
    ("en", "warranty", "A warranty of 5 years is not mandatory.",
     "Warranty of 5 years; no exceptions."),
    ("nl", "ecolabel", "Er is geen milieukeurmerk vereist.",
     "Levering niet later dan 30 dagen, milieukeurmerk vereist."),
    ("nl", "spare-parts", "Reserveonderdelen zijn niet verplicht.",
     "Reserveonderdelen worden geleverd tegen geen extra kosten."),
    ("fr", "ecolabel", "Aucun écolabel n'est exigé pour ce lot.",
     "Au plus tard 30 jours après la notification, un écolabel est exigé."),
    ("fr", "spare-parts", "Les pièces détachées ne sont pas exigées.",
     "Les pièces détachées sont fournies sans frais, pas moins de 5 ans."),
    ("fr", "ecolabel", "Le soumissionnaire n'a pas d'écolabel à fournir.",
     "Il n'y a pas de délai: l'écolabel européen est exigé."),
    ("de", "ecolabel", "Es wird kein Umweltzeichen verlangt.",
     "Nicht später als 30 Tage nach Zuschlag, Umweltzeichen erforderlich."),
    ("de", "spare-parts", "Ersatzteile werden nicht verlangt.",
     "Ersatzteile sind ohne Kosten zu liefern, keine Ausnahmen."),
    ("de", "ecolabel", "Ein Blauer Engel ist nicht erforderlich.",
     "Keine Lieferung ohne Blauer Engel."),
    ("nb", "ecolabel", "Ingen miljømerking kreves for tilbehøret.",
     "Levering ikke senere enn 30 dager, miljømerking kreves."),
    ("nb", "ecolabel", "Det stilles ikke krav om miljømerking.",
     "Miljømerking er påkrevd; ingen unntak."),
    ("nb", "spare-parts", "Reservedeler er ikke påkrevd.",
     "Reservedeler leveres uten kostnad for oppdragsgiver."),
    ("es", "ecolabel", "No se exige ecoetiqueta para los accesorios.",
     "En un plazo no superior a 30 días, se exige ecoetiqueta."),
    ("es", "spare-parts", "Las piezas de repuesto no son obligatorias.",
     "Piezas de repuesto sin coste durante 5 años."),
    ("it", "ecolabel", "Non è richiesto il marchio ecologico.",
     "Entro e non oltre 30 giorni, il marchio ecologico è richiesto."),
    ("it", "spare-parts", "Nessun pezzo di ricambio è previsto; i pezzi di ricambio non sono richiesti.",
     "Pezzi di ricambio forniti senza costi per non meno di 5 anni."),
    ("pl", "ecolabel", "Oznakowanie ekologiczne nie jest wymagane.",
     "Nie później niż 30 dni od podpisania umowy, oznakowanie ekologiczne jest wymagane."),
    ("pl", "spare-parts", "Nie wymaga się części zamiennych.",
     "Części zamienne dostarczane bez kosztów, nie mniej niż 5 lat."),
    ("sv", "ecolabel", "Det finns inget krav på miljömärkning.",
     "Senast 30 dagar, inte senare än leveransen, ska miljömärkning visas."),
    ("sv", "spare-parts", "Reservdelar krävs inte.",
     "Reservdelar levereras utan kostnad, inga undantag."),
    ("da", "ecolabel", "Der er ikke krav om miljømærkning.",
     "Ikke senere end 30 dage efter ordren skal miljømærkning dokumenteres."),
    ("da", "spare-parts", "Reservedele er ikke påkrævet.",
     "Reservedele leveres uden beregning, ingen undtagelser."),
]
# fmt: on


def test_the_table_covers_the_ten_languages_and_the_lexicon_has_cues_for_them() -> None:
    assert {lang for lang, *_ in TABLE} == set(TEN)
    negation = read_lexicon()["negation"]
    for lang in TEN:
        assert negation[lang]["required"], lang


@pytest.mark.parametrize(
    ("lang", "family", "negated", "positive"), TABLE, ids=[f"{r[0]}-{r[1]}" for r in TABLE]
)
def test_a_negated_term_is_no_match_and_an_unrelated_negation_keeps_it(
    matcher: Matcher, lang: str, family: str, negated: str, positive: str
) -> None:
    assert family in families(matcher, positive), positive
    assert family not in families(matcher, negated), negated


def test_the_same_words_un_negated_elsewhere_keep_the_match_with_their_evidence(matcher: Matcher) -> None:
    negated = "No ecolabel is required for the cables."
    positive = "The notebooks shall carry an ecolabel."
    for texts in ([negated, positive], [positive, negated], [f"{negated} {positive}"]):
        (match,) = matcher.match_texts(texts)
        assert match.family == "ecolabel"
        assert "notebooks" in match.evidence  # the evidence is cut around the un-negated hit
        assert len(texts) == 1 or "cables" not in match.evidence
    # A denied strong term is not kept as a term of the match either.
    (match,) = matcher.match_texts(["TCO Certified is not required. The monitors shall carry an ecolabel."])
    assert match.terms == ("ecolabel",)


def test_a_family_naming_what_is_forbidden_is_not_denied_by_no(matcher: Matcher) -> None:
    assert "chemicals" in families(matcher, "The devices shall contain no SVHC above 0.1 %.")
    assert "minerals" in families(matcher, "Keine Konfliktmineralien in der Lieferkette.")
    assert "chemicals" not in families(matcher, "RoHS compliance is not required for the furniture.")


def test_without_is_never_a_negation(matcher: Matcher) -> None:
    assert "chemicals" in families(matcher, "Cables shall be halogen-free, without exception.")
    assert "ecolabel" in families(matcher, "Keine Lieferung ohne Umweltzeichen.")


CLAUSE = st.sampled_from([(negated, positive, family) for _, family, negated, positive in TABLE])


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(CLAUSE, min_size=1, max_size=6), joiner=st.sampled_from([" ", "\n", " ; ", ". "]))
def test_concatenations_match_iff_some_positive_sentence_asks(
    parts: list[tuple[str, str, str]], joiner: str
) -> None:
    """Negated sentences never remove what a positive one found, wherever they stand, and alone
    they find nothing of their family (sentences end with a full stop, so clauses never merge)."""
    matcher = default_matcher()
    sentences = [s for negated, positive, _ in parts for s in (negated, positive)]
    found = families(matcher, joiner.join(sentences))
    assert {family for _, _, family in parts} <= found
    only_negated = families(matcher, joiner.join(negated for negated, _, _ in parts))
    assert not only_negated & {family for _, _, family in parts}


@pytest.mark.parametrize(
    "hostile",
    [
        "no ecolabel " * 20_000,  # every hit denied: each clause is judged (once, then cached)
        "ecolabel is not required " * 10_000,
        ("no " * 50 + "ecolabel ") * 2_000,  # many cues before each hit
        "kein " + "Umweltzeichen " * 40_000,
        " ".join(f"no {n} ecolabel" for n in range(10_000)),  # no two clauses alike
    ],
    ids=["denied-hits", "denied-after", "many-cues", "one-cue", "distinct-clauses"],
)
def test_negation_stays_linear_on_hostile_text(matcher: Matcher, hostile: str) -> None:
    start = time.process_time()
    matcher.match_texts([hostile])
    assert time.process_time() - start < 2
