"""Which framework criteria a notice asks for (``cfit.notices.matching``): precision and recall per
language on the hand-labelled set of ``tests/notices_labels.py`` (real notices and SDK examples,
and clauses in the ten languages), recall on the framework's own criterion texts, and properties:
more text never removes a match, generic words and codes alone never make one. Database-free.

The floors are the figures measured when the lexicon was last reviewed (docs/notices-reader.md,
"Matching"); a change to the lexicon that lowers one must say why there.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.criteria.content import FRAMEWORK_DIR, load_framework_dir, read_yaml
from cfit.notices.matching import (
    CEILING_STRONG,
    EVIDENCE_CHARS,
    MEDIUM,
    STRONG,
    Matcher,
    build_matcher,
    default_matcher,
    fold,
    read_framework_index,
    read_lexicon,
)
from cfit.notices.record import NoticeRecord
from cfit.notices.sources import read_notices
from tests.notices_labels import CLAUSES, GPP_NAMES, NOTICES
from tests.tender_helpers import SHARED, shared

#: Precision and recall measured per language; ``None`` where nothing was labelled or found.
REAL_FLOORS = {"no": (1.0, 1.0), "pt": (1.0, 1.0)}
CLAUSE_FLOOR = (1.0, 1.0)  #: every language: the clauses are the lexicon's own checks
#: The EU GPP criterion names: precision and recall (English). Held out, they measured 1.00 and 0.27;
#: a second round of the lexicon then looked at what they missed.
GPP_NAMES_FLOOR = (1.0, 0.72)
#: Recall of a criterion's family from its own title and text (written by the framework's authors).
FRAMEWORK_RECALL_FLOORS = {"en": 0.89, "nl": 0.81, "fr": 0.80, "de": 0.78, "nb": 0.76}

#: Words that say a notice cares, not what it asks for: never a match on their own.
GENERIC = [
    "environment",
    "environmental",
    "sustainable",
    "sustainability",
    "green",
    "quality",
    "energy",
    "efficient",
    "energy-saving",
    "repair",
    "recycling",
    "reuse",
    "circular",
    "climate",
    "social",
    "ethical",
    "responsible",
    "milieu",
    "duurzaam",
    "duurzaamheid",
    "kwaliteit",
    "energiezuinig",
    "hergebruik",
    "circulair",
    "environnement",
    "environnemental",
    "durable",
    "qualité",
    "énergie",
    "recyclage",
    "réemploi",
    "circulaire",
    "Umwelt",
    "umweltfreundlich",
    "nachhaltig",
    "Nachhaltigkeit",
    "Qualität",
    "Energie",
    "Recycling",
    "Kreislauf",
    "miljø",
    "miljøvennlig",
    "bærekraft",
    "bærekraftig",
    "kvalitet",
    "energi",
    "gjenbruk",
    "sirkulær",
    "klima",
    "medio",
    "ambiente",
    "medioambiental",
    "sostenible",
    "sostenibilidad",
    "calidad",
    "energía",
    "reciclaje",
    "ambiente",
    "ambientale",
    "sostenibile",
    "sostenibilità",
    "qualità",
    "energia",
    "riciclo",
    "środowisko",
    "środowiskowe",
    "zrównoważony",
    "jakość",
    "energia",
    "recykling",
    "ekologiczny",
    "proekologiczne",
    "miljö",
    "miljövänlig",
    "hållbar",
    "hållbarhet",
    "kvalitet",
    "energi",
    "återvinning",
    "miljøvenlig",
    "bæredygtig",
    "bæredygtighed",
    "kvalitet",
    "energi",
    "genbrug",
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return default_matcher()


def families(matcher: Matcher, texts: Iterable[str], **context: object) -> set[str]:
    return {m.family for m in matcher.match_texts(list(texts), **context)}  # type: ignore[arg-type]


def scores(
    pairs: list[tuple[str, set[str], set[str]]],
) -> dict[str, tuple[float | None, float | None, int, int, int]]:
    """Per language: precision, recall, labelled, found, correct (micro-averaged over families)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for lang, want, got in pairs:
        counts[lang]["labelled"] += len(want)
        counts[lang]["found"] += len(got)
        counts[lang]["correct"] += len(want & got)
        counts[lang]["items"] += 1
    out = {}
    for lang, c in sorted(counts.items()):
        precision = c["correct"] / c["found"] if c["found"] else None
        recall = c["correct"] / c["labelled"] if c["labelled"] else None
        out[lang] = (precision, recall, c["labelled"], c["found"], c["correct"])
    return out


def print_table(title: str, table: dict[str, tuple[float | None, float | None, int, int, int]]) -> None:
    print(f"\n{title}\nlanguage | precision | recall | labelled | found | correct", file=sys.stderr)
    for lang, (p, r, labelled, found, correct) in table.items():
        shown = ["—" if v is None else f"{v:.2f}" for v in (p, r)]
        print(f"{lang} | {shown[0]} | {shown[1]} | {labelled} | {found} | {correct}", file=sys.stderr)


def count_items(pairs: list[tuple[str, set[str], set[str]]]) -> dict[str, int]:
    return dict(sorted(Counter(lang for lang, _, _ in pairs).items()))


# --- the labelled set ------------------------------------------------------------------------------


def test_every_real_notice_and_sdk_example_is_labelled_and_matched_as_labelled(matcher: Matcher) -> None:
    shared("notices-real")
    shared("eforms", "examples")
    pairs: list[tuple[str, set[str], set[str]]] = []
    seen: set[tuple[str, str]] = set()
    for folder in (SHARED / "notices-real", SHARED / "eforms" / "examples"):
        for path in sorted(p for p in folder.rglob("*") if p.suffix in (".xml", ".json")):
            for record in read_notices([path]):
                if not isinstance(record, NoticeRecord):
                    continue
                key = (str(path.relative_to(SHARED)), record.id)
                seen.add(key)
                want = set(NOTICES[key])
                got = families(
                    matcher,
                    record.texts,
                    ict=record.ict if record.cpv else None,
                    cpv=record.cpv,
                    bt774=record.strategic.bt774,
                )
                pairs.append((record.language, want, got))
    assert seen == set(NOTICES), "the labels and the notices have drifted apart"
    table = scores(pairs)
    print_table("Real notices and SDK examples", table)
    print(f"notices per language: {count_items(pairs)}", file=sys.stderr)
    total = scores([("all", w, g) for _, w, g in pairs])["all"]
    assert total[0] == 1.0 and total[1] == 1.0, total  # 3 labelled families, 3 found, no false match
    for lang, (precision, recall, *_rest) in table.items():
        floor = REAL_FLOORS.get(lang, (None, None))
        assert precision is None or precision >= (floor[0] or 1.0), (lang, precision)
        assert recall is None or recall >= (floor[1] or 1.0), (lang, recall)


def test_the_eu_gpp_criterion_names_are_matched_as_labelled(matcher: Matcher) -> None:
    """Short names of the kind buyers copy into BT-734: the hardest case, since a name rarely holds
    the label, standard or duration the lexicon looks for."""
    path = shared("eu-gpp", "gpp_criteria.json")
    names = {
        c["name"]
        for c in json.loads(path.read_text(encoding="utf-8"))
        if c["gppDocument"].startswith(("EU GPP Criteria for computers", "EU GPP Criteria for data centres"))
    }
    assert names == set(GPP_NAMES), "the labels and the EU GPP names have drifted apart"
    pairs = [("en", set(want), families(matcher, [name], ict=True)) for name, want in GPP_NAMES.items()]
    table = scores(pairs)
    print_table("EU GPP criterion names", table)
    precision, recall, *_rest = table["en"]
    assert precision is not None and recall is not None
    assert precision >= GPP_NAMES_FLOOR[0] and recall >= GPP_NAMES_FLOOR[1], (precision, recall)


def test_clauses_in_ten_languages_are_matched_as_labelled(matcher: Matcher) -> None:
    pairs = [(lang, set(want), families(matcher, [text], ict=True)) for lang, text, want in CLAUSES]
    table = scores(pairs)
    print_table("Clauses written for the test", table)
    assert set(table) == {"en", "nl", "fr", "de", "nb", "es", "it", "pl", "sv", "da"}
    for lang, (precision, recall, *_rest) in table.items():
        assert precision is not None and recall is not None, lang
        assert precision >= CLAUSE_FLOOR[0] and recall >= CLAUSE_FLOOR[1], (lang, precision, recall)


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("Wykonawca zapewni dostępność części zamiennych przez co najmniej 5 lat.", "spare-parts"),
        ("Laptopy muszą mieć wymienną baterię.", "battery"),
        ("Anbudet ska omfatta återtagande av uttjänt utrustning.", "take-back"),
        ("Leverantören ska lämna CMRT för de erbjudna produkterna.", "minerals"),
        ("Der ydes udvidet garanti på skærmene.", "warranty"),
        ("Udstyret skal være fri for halogenerede flammehæmmere.", "chemicals"),
        ("Se valorará la oferta de equipos reacondicionados.", "refurbished"),
        ("Los portátiles tendrán una clase energética A.", "energy-efficiency"),
        ("Le apparecchiature devono avere il marchio Blauer Engel o EPEAT.", "ecolabel"),
        ("Il fornitore dichiara la plastica riciclata contenuta nei monitor.", "recycled-plastic"),
    ],
)
def test_a_sentence_of_each_language_finds_its_family(matcher: Matcher, text: str, family: str) -> None:
    assert family in families(matcher, [text], ict=True)


def test_the_framework_s_own_criterion_texts_find_their_family(matcher: Matcher) -> None:
    """Recall only (a criterion text may rightly name other families too). The lexicon was written
    looking at these texts, so this is the optimistic figure; the labelled notices are the test."""
    topic_family = {topic: f.name for f in matcher.families for topic in f.topics}
    pairs: list[tuple[str, set[str], set[str]]] = []
    for path in sorted(FRAMEWORK_DIR.glob("criteria-*.yaml")):
        for criterion in read_yaml(path)["criteria"]:
            family = topic_family.get(criterion["topic"])
            if family is None:
                continue
            for lang in ("en", "nl", "fr", "de", "nb"):
                texts = [_values_in(criterion, criterion[field][lang]) for field in ("title", "text")]
                got = families(matcher, texts, ict=True)
                pairs.append((lang, {family}, got & {family}))
    table = scores(pairs)
    print_table("Framework criterion texts (recall of their own family)", table)
    for lang, floor in FRAMEWORK_RECALL_FLOORS.items():
        recall = table[lang][1]
        assert recall is not None and recall >= floor, (lang, recall)


def _values_in(criterion: dict[str, Any], text: str) -> str:
    """The text with its references to requirement values replaced by the bare values, as a reader
    sees them (units and signs aside: the matcher looks for words, not thresholds)."""
    from cfit.criteria.content import REFERENCE

    values = {r["id"]: r for r in criterion.get("requirements", [])}

    def value(match: Any) -> str:
        requirement = values.get(match[1], {})
        field = {"min": "min_value", "max": "max_value", "value": "expected_value"}.get(match[2] or "", "")
        found = (
            requirement.get(field)
            if field
            else next(
                (
                    requirement.get(f)
                    for f in ("min_value", "max_value", "expected_value")
                    if requirement.get(f) is not None
                ),
                "",
            )
        )
        unit = "" if field else f" {requirement.get('unit', '')}"
        return f"{found}{unit}"

    return REFERENCE.sub(value, text)


# --- properties ------------------------------------------------------------------------------------

UNRELATED = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzæøåäöüéèàç .,;:-'\n"), min_size=0, max_size=200
)


@settings(max_examples=150, deadline=None)
@given(
    clause=st.sampled_from([(text, set(want)) for _, text, want in CLAUSES if want]),
    before=UNRELATED,
    after=UNRELATED,
    extra=st.lists(UNRELATED, max_size=3),
)
def test_adding_unrelated_text_never_removes_a_match(
    clause: tuple[str, set[str]], before: str, after: str, extra: list[str]
) -> None:
    text, want = clause
    matcher = default_matcher()
    assert want <= families(matcher, [text], ict=True)
    assert want <= families(matcher, [f"{before}\n{text}\n{after}", *extra], ict=True)
    assert want <= families(matcher, [*extra, text], ict=True)


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.sampled_from(GENERIC), min_size=1, max_size=40))
def test_generic_words_alone_never_match(words: list[str]) -> None:
    assert families(default_matcher(), [" ".join(words), ". ".join(words)], ict=True) == set()


def test_no_lexicon_term_is_a_generic_word() -> None:
    generic = {fold(word) for word in GENERIC}
    for name, entry in read_lexicon()["families"].items():
        terms = [*(entry.get("strong") or ()), *(t for ts in (entry.get("terms") or {}).values() for t in ts)]
        for term in terms:
            if isinstance(term, str):  # an expression ({"if", "re"}) needs more than its trigger
                assert fold(term).strip("*") not in generic, (name, term)


def test_every_family_speaks_the_ten_languages_or_names_only_labels_and_standards() -> None:
    ten = {"en", "nl", "fr", "de", "nb", "es", "it", "pl", "sv", "da"}
    for name, entry in read_lexicon()["families"].items():
        languages = set(entry.get("terms") or {}) - {"any"}
        assert languages >= ten or not languages, (name, sorted(ten - languages))


def test_every_lexicon_term_is_a_valid_expression(matcher: Matcher) -> None:
    # The matcher compiles a term's expression when a notice first needs it: check them all here.
    for _family, _strong, pattern in matcher._terms:
        re.compile(pattern)


@pytest.mark.parametrize(
    "hostile",
    [
        "garanti" * 60_000,  # one word full of a stem found inside words
        "ersatzteil" * 40_000,
        "warranty 1 2 3 4 5 6 7 8 9 " * 15_000,  # a trigger, then numbers, over and over
        "security " + "update " * 60_000 + "5 years",
        "conventions de la de la de la " * 14_000,
        "5 years " * 50_000 + "x" * 100_000,
        "klas" + "a" * 400_000 + " energetyczna",
    ],
    ids=["stem-word", "compound-word", "numbers", "long-gap", "conventions", "long-tail", "long-stem"],
)
def test_a_hostile_text_is_matched_in_bounded_time(matcher: Matcher, hostile: str) -> None:
    start = time.process_time()
    matcher.match_texts([hostile], ict=True)
    assert time.process_time() - start < 3, "an expression backtracks on a long text"


def test_a_match_never_runs_from_one_text_into_the_next(matcher: Matcher) -> None:
    # A notice's texts are searched joined: a title ending in "warranty" and a description
    # starting "5 years" are two texts, not a warranty of 5 years.
    assert "warranty" not in families(matcher, ["Hosting and warranty", "5 years of support"], ict=True)
    assert "warranty" in families(matcher, ["Hosting", "a warranty of 5 years"], ict=True)


def test_codes_alone_never_make_a_match(matcher: Matcher) -> None:
    codes = ["circ-econ", "clim-mitig", "biodiv-eco", "other"]
    assert matcher.match_texts([], bt774=codes, bt805=["eu"]) == ()
    assert matcher.match_texts(["Lot description"], bt774=codes, bt805=["national"]) == ()


# --- confidence, evidence, criteria ---------------------------------------------------------------


def test_confidence_follows_the_strength_of_the_evidence(matcher: Matcher) -> None:
    (label,) = matcher.match_texts(["The notebooks shall be TCO Certified."])
    (phrase,) = matcher.match_texts(["The notebooks shall carry an ecolabel."])
    (both,) = matcher.match_texts(["TCO Certified or EPEAT, or another type I ecolabel."])
    (backed,) = matcher.match_texts(["The notebooks shall carry an ecolabel."], bt774=["circ-econ"])
    assert (label.confidence, phrase.confidence) == (STRONG, MEDIUM)
    assert label.confidence < both.confidence <= CEILING_STRONG
    assert phrase.confidence < backed.confidence


def test_evidence_is_the_notice_s_own_words_around_the_match(matcher: Matcher) -> None:
    text = (
        "Lorem ipsum " * 30 + "the supplier shall keep spare parts available for seven years" + " dolor" * 40
    )
    (match,) = matcher.match_texts([text])
    assert len(match.evidence) <= EVIDENCE_CHARS
    assert "spare parts" in match.evidence
    assert match.evidence in " ".join(text.split())


def test_accents_and_case_are_folded_one_character_for_one() -> None:
    for text in ("Części ZAMIENNE", "Ersatzteile für Geräte", "pièces détachées", "Øl ß Ł æ ’ –"):
        assert len(fold(text)) == len(text)
    assert fold("CZĘŚCI Zamienne") == "czesci zamienne"
    assert fold("Svanemærket Blauer Engel Gewährleistung") == "svanemarket blauer engel gewahrleistung"


def test_words_of_buildings_and_energy_supply_need_an_ict_notice(matcher: Matcher) -> None:
    text = ["The heat pumps shall recover waste heat from the ventilation."]
    assert "waste-heat" not in families(matcher, text, ict=False)
    assert "waste-heat" in families(matcher, text, ict=True)
    assert "waste-heat" in families(matcher, text)  # no CPV code: not known to be other than ICT


def test_criteria_are_those_of_the_notice_s_product_groups(matcher: Matcher) -> None:
    framework = load_framework_dir()
    groups = {c.id: set(c.product_groups) for c in framework.criteria}
    (notebooks,) = matcher.match_texts(["Spare parts for 5 years."], cpv=["30213100"])
    (unknown,) = matcher.match_texts(["Spare parts for 5 years."])
    assert notebooks.criteria and all("notebooks" in groups[c] for c in notebooks.criteria)
    assert set(notebooks.criteria) < set(unknown.criteria)


def test_the_framework_index_is_the_validated_framework_s() -> None:
    framework = load_framework_dir()
    index = read_framework_index()
    assert index.criteria == tuple((c.id, c.topic, frozenset(c.product_groups)) for c in framework.criteria)
    assert index.product_groups == {g.id: g.cpv for g in framework.product_groups}


def test_a_lexicon_family_for_a_topic_the_framework_lacks_is_refused() -> None:
    lexicon = {"families": {"made-up": {"topics": ["no-such-topic"], "strong": ["X"]}}}
    with pytest.raises(ValueError, match="made-up: no framework criteria have topic no-such-topic"):
        build_matcher(lexicon, read_framework_index())


def test_the_reader_gives_each_record_its_matched_criteria() -> None:
    path = shared("notices-real", "eforms", "doffin", "PriorInformationNotice_pin-buyer_2023-100723.xml")
    (record,) = read_notices([path])
    assert isinstance(record, NoticeRecord)
    out = record.as_dict()["matched_criteria"]
    ids = {m["id"] for m in out}
    assert "net-reuse-a" in ids  # network equipment: take-back for reuse
    assert all(set(m) == {"id", "confidence", "evidence"} for m in out)
    assert all(0 < m["confidence"] <= CEILING_STRONG and m["evidence"] for m in out)
    assert any(re.search("refurbished", m["evidence"]) for m in out)
    (plain,) = read_notices([path], match=False)
    assert isinstance(plain, NoticeRecord) and plain.matched_criteria == ()
