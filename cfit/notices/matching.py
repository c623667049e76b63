"""Which framework criteria a notice's texts ask for, in the languages the notices are written in.

The method (docs/notices-reader.md, "Matching"): a reviewed lexicon (``lexicon.yaml``) lists, per
criterion family, the names of labels, standards and regulations (strong evidence) and the
distinctive phrases of the family in each language (medium evidence). Texts and terms are folded
the same way, one character for one character (case, accents, ø → o, ł → l), so that a snippet of
the original text can be shown as evidence. A family stands for the framework criteria of its
topics; of those, the ones for the product groups the notice's CPV codes name (all of them when
the CPV names none). BT-774 codes raise the confidence of a match found in the texts, never make
one. Plain typed Python, no Django; the framework files are read with ``cfit.criteria.content``
(only the ids, topics and product groups, without validating the rest, which its own tests do).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from cfit.criteria.content import FRAMEWORK_DIR, read_yaml
from cfit.notices.record import MatchedCriterion, NoticeRecord

LEXICON = Path(__file__).resolve().parent / "lexicon.yaml"

STRONG = 0.9  #: a label, standard or regulation named
MEDIUM = 0.6  #: a distinctive phrase of the family
MORE_EVIDENCE = 0.05  #: each further distinct term found, and a supporting BT-774 or BT-805 code
CEILING_STRONG = 0.95
CEILING_MEDIUM = 0.8
EVIDENCE_CHARS = 120
GPP_USED = frozenset({"eu", "national"})  #: BT-805 codes saying GPP criteria were used

#: A number in a term (``{n}``): one or two digits, or an English number word.
NUMBER = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"

# One character for one character, so that a hit's place in the folded text is its place in the
# original. Letters lose case and accents; the letters NFKD does not split get their base letter.
_SPECIAL = {
    "ø": "o", "Ø": "o", "æ": "a", "Æ": "a", "œ": "o", "Œ": "o", "ß": "s", "ẞ": "s", "ł": "l",
    "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "ħ": "h", "þ": "t", "ð": "d",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2010": "-", "\u2011": "-", "\u2013": "-",
    "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u00b4": "'", "\u02bc": "'",
}  # fmt: skip


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for point in (*range(0x80, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x1F00), *range(0x2000, 0x2020)):
        char = chr(point)
        if char in _SPECIAL:
            table[point] = _SPECIAL[char]
            continue
        base = unicodedata.normalize("NFKD", char)[:1] or char
        lower = base.lower()
        if len(lower) == 1 and lower != char:
            table[point] = lower
    for char, folded in _SPECIAL.items():
        table[ord(char)] = folded
    for point in range(ord("A"), ord("Z") + 1):
        table[point] = chr(point + 32)
    return table


_FOLD = _fold_table()


#: Letters NFKD does not split, and marks that join words when dropped: replaced before the
#: words of a text are looked up (``_words``).
_BEFORE_ASCII = tuple(_SPECIAL.items()) + tuple(
    (c, " ") for c in "\u201c\u201d\u201e\u00ab\u00bb\u2026\u00b7\u2022\u2212"
)
#: ASCII punctuation and symbols made spaces: ``split()`` then gives the words (as ``\\w+`` would).
_ASCII_WORDS = {p: " " for p in range(128) if not chr(p).isalnum() and chr(p) != "_"}


def _words(text: str) -> str:
    """The text as folded ASCII words separated by spaces, for looking words up: letters of other
    scripts are dropped, so unlike ``fold`` the places do not match the original (the expressions
    run on ``fold``)."""
    lowered = text.lower()
    if not lowered.isascii():
        for char, plain in _BEFORE_ASCII:
            if char in lowered:
                lowered = lowered.replace(char, plain)
        lowered = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")
    return lowered.translate(_ASCII_WORDS)


def fold(text: str) -> str:
    """``text`` without case and accents, with exactly as many characters."""
    if text.isascii():  # lower() keeps the length of ASCII text, and is ten times faster
        return text.lower()
    return text.translate(_FOLD)


Term = str | dict[str, Any]  #: a lexicon term: words, or ``{"if": [...], "re": ...}``

WORD = re.compile(r"\w+")


def term_pattern(term: Term) -> str:
    """The regular expression of one lexicon term (the syntax is in ``lexicon.yaml``)."""
    if isinstance(term, dict):
        return str(term["re"])
    words = re.split(r"[\s\-]+", fold(term.strip()))
    parts = [_word_pattern(word) for word in words]
    start = r"\b"  # a stem inside a word is found from the word's start
    end = "" if words[-1].endswith("*") else r"\b"
    return start + r"[\s\-]*".join(parts) + end


def _word_pattern(word: str) -> str:
    core = re.escape(word.strip("*")).replace(r"\{n\}", NUMBER)
    tail = r"\w*" if word.endswith("*") else ""
    if word.startswith("*"):
        # Atomic: the word that holds the stem is taken whole, once; a hostile text of one long
        # word full of the stem is then read in linear time, not tried at every occurrence.
        return r"(?>\w*" + core + tail + ")"
    return core + tail


def term_trigger(term: Term) -> tuple[tuple[str, str], ...]:
    """How a term is looked for before its expression runs: ``("word", w)`` a whole word of the
    text, ``("stem", s)`` a word starting with s, ``("inside", s)`` s anywhere in the folded text.
    The first word of three letters or more that is not a number stands for a term of words
    (``EN 50614``: 50614); an expression names its own stems (``if``)."""
    if isinstance(term, dict):
        return tuple(_stem_trigger(fold(str(stem))) for stem in term["if"])
    words = [w for w in re.split(r"[\s\-]+", fold(term.strip())) if w and w != "{n}"]
    # The rarest part stands for the term: the longest, and never a year ("batterie" in "état de
    # santé de la batterie", 1669 in 2023/1669).
    parts: list[tuple[int, str, str]] = []
    for word in words:
        if word.startswith("*"):
            continue
        pieces = WORD.findall(word.strip("*"))
        for n, piece in enumerate(pieces):
            kind = "stem" if word.endswith("*") and n == len(pieces) - 1 else "word"
            score = len(piece) - (10 if YEAR.fullmatch(piece) else 0)
            if len(piece) >= STEM_KEY:
                parts.append((score, kind, piece))
    if parts:
        _score, kind, piece = max(parts, key=lambda part: part[0])
        return ((kind, piece),)
    return (("inside", max((w.strip("*") for w in words), key=len)),)


YEAR = re.compile(r"(19|20)\d\d")


def _stem_trigger(stem: str) -> tuple[str, str]:
    head = WORD.match(stem)
    if stem.startswith("*") or head is None or len(head.group()) < STEM_KEY:
        return "inside", stem.strip("*")
    return "stem", head.group()


STEM_KEY = 3  #: stems are looked up by their first three letters


#: Where a clause ends, for negation: a comma, ; ! ? a line break (so a notice's texts never
#: share one), or a full stop before a space (not the one of 0.1 % or 2019/424).
CLAUSE_END = re.compile(r"[,;!?\n]|\.(?=\s)")
NEGATION_CHARS = 100  #: how far a clause is read before and after a hit
NO_GAP = 1  #: words allowed between a ``no`` cue and the hit ("kein gültiges Umweltzeichen")
REQUIRED_BEFORE = 6  #: words a ``required`` cue may stand before the hit
REQUIRED_AFTER = 4  #: words after the hit where a ``required`` cue may start
CUE_WORDS = 6  #: the most words a cue has (a word of "n'est" counts twice); checked when read


def _cue_alternatives(cues: Iterable[str]) -> tuple[str, frozenset[str], int]:
    """One alternation of cues written like terms (longest first, so "no requirement" is tried
    before "no"; a cue ending in an apostrophe, "pas d'", runs into the next word), and the first
    words of the cues: the expression is tried only where a word of the clause is one of them."""
    patterns: list[str] = []
    first: set[str] = set()
    most = 0
    for cue in sorted({fold(c.strip()) for c in cues if c.strip()}, key=len, reverse=True):
        head = WORD.match(cue)
        if head is None or cue[head.end() : head.end() + 1] == "*":
            raise ValueError(f"negation cue {cue!r}: its first word must be a whole word")
        if len(WORD.findall(cue)) > CUE_WORDS:
            raise ValueError(f"negation cue {cue!r}: more than {CUE_WORDS} words")
        most = max(most, len(WORD.findall(cue)))
        first.add(head.group())
        pattern = term_pattern(cue)
        if not cue[-1].isalnum() and cue[-1] != "*" and pattern.endswith(r"\b"):
            pattern = pattern[:-2]
        patterns.append(f"(?:{pattern})")
    return "|".join(patterns), frozenset(first), most


_NEVER = re.compile(r"(?!)")


@dataclass(frozen=True, eq=False)  # hashed by identity: a pattern's hash reads its whole text
class Negation:
    """The cues that say a hit is not asked for, of every language at once (a notice's texts are
    not tagged with their language, and the cues of one language are not words of another). They
    are looked for only in the hit's clause, at most ``NEGATION_CHARS`` each side, and each
    expression is tried only at a word that starts a cue: a text full of hits is read in linear
    time, at a few microseconds a hit."""

    denying: re.Pattern[str]  #: a denying word, then at most NO_GAP words, then the hit
    required_before: re.Pattern[str]
    required_after: re.Pattern[str]
    exceptions: re.Pattern[str]  #: phrases that start with a cue and deny nothing
    denying_first: frozenset[str] = frozenset()
    required_first: frozenset[str] = frozenset()
    exception_first: frozenset[str] = frozenset()
    denying_words: int = 0  #: the most words of a denying cue
    required_words: int = 0  #: the most words of a required cue

    @classmethod
    def none(cls) -> Negation:
        return cls(_NEVER, _NEVER, _NEVER, _NEVER)

    @classmethod
    def from_lexicon(cls, entry: dict[str, Any] | None) -> Negation:
        languages = (entry or {}).values()
        denying, denying_first, denying_words = _cue_alternatives(
            c for lang in languages for c in lang.get("denying") or ()
        )
        required, required_first, required_words = _cue_alternatives(
            c for lang in languages for c in lang.get("required") or ()
        )
        exceptions, exception_first, _ = _cue_alternatives(
            c for lang in languages for c in lang.get("except") or ()
        )
        return cls(
            denying=re.compile(rf"(?:{denying})(?:\W+\w+){{0,{NO_GAP}}}\W*\Z") if denying else _NEVER,
            required_before=(
                re.compile(rf"(?:{required})(?:\W+\w+){{0,{REQUIRED_BEFORE}}}\W*\Z") if required else _NEVER
            ),
            required_after=re.compile(required) if required else _NEVER,
            exceptions=re.compile(exceptions) if exceptions else _NEVER,
            denying_first=denying_first,
            required_first=required_first,
            exception_first=exception_first,
            denying_words=denying_words,
            required_words=required_words,
        )

    def denies(self, folded: str, start: int, end: int, *, avoid: bool = False) -> bool:
        """Whether the hit ``folded[start:end]`` stands in a clause that says it is not asked for.
        ``avoid``: the family's words name what is forbidden, so a denying word before them is the
        requirement itself and only a negated requirement counts."""
        before = folded[max(start - NEGATION_CHARS, 0) : start]
        ends = [m.end() for m in CLAUSE_END.finditer(before)]
        if ends:
            before = before[ends[-1] :]
        after = folded[end : end + NEGATION_CHARS]
        stop = CLAUSE_END.search(after)
        if stop:
            after = after[: stop.start()]
        # A text of many hits repeats its clauses: each is judged once.
        return self._clause_denies(before, after, avoid)

    @lru_cache(maxsize=4096)  # noqa: B019 (the few negations live as long as the process)
    def _clause_denies(self, before: str, after: str, avoid: bool) -> bool:
        # Only the last words can start a cue that reaches the hit (within the gaps allowed).
        words = list(WORD.finditer(before))[-(self.required_words + REQUIRED_BEFORE) :]
        for distance, word in zip(range(len(words), 0, -1), words, strict=True):
            key = word.group()
            denying = not avoid and key in self.denying_first and distance <= self.denying_words + NO_GAP
            required = key in self.required_first
            if not (denying or required):
                continue
            at = word.start()
            if key in self.exception_first and self.exceptions.match(before, at):
                continue
            if denying and self.denying.match(before, at):
                return True
            if required and self.required_before.match(before, at):
                return True
        for n, word in enumerate(WORD.finditer(after)):
            if n > REQUIRED_AFTER:
                break
            key = word.group()
            at = word.start()
            if key in self.exception_first and self.exceptions.match(after, at):
                continue
            if key in self.required_first and self.required_after.match(after, at):
                return True
        return False


@dataclass(frozen=True)
class Family:
    name: str
    topics: tuple[str, ...]
    criteria: tuple[tuple[str, frozenset[str]], ...]  #: (criterion id, its product groups)
    supports: frozenset[str]  #: BT-774 codes that back a match
    needs_ict: bool
    strong: tuple[Term, ...]
    terms: dict[str, tuple[Term, ...]]  #: language ("any" for expressions) → terms
    avoid: bool = False  #: its words name what a notice forbids ("no SVHC" asks for the criterion)

    def criterion_ids(self, groups: frozenset[str]) -> tuple[str, ...]:
        """The family's criteria for ``groups`` (every one of them when none is for those groups)."""
        chosen = tuple(cid for cid, own in self.criteria if own & groups)
        return chosen or tuple(cid for cid, _ in self.criteria)


@dataclass(frozen=True)
class FamilyMatch:
    family: str
    confidence: float
    evidence: str  #: the matched words with some context, at most 120 characters
    terms: tuple[str, ...]  #: the distinct folded words found, strongest first
    criteria: tuple[str, ...]


class Matcher:
    """The lexicon compiled: a notice's texts are folded and split into words once; a term's
    expression runs only when they hold its rarest word (or stem, or one of its ``if`` stems)."""

    def __init__(
        self, families: Sequence[Family], product_groups: dict[str, str], negation: Negation | None = None
    ) -> None:
        self.families = tuple(families)
        self.negation = negation or Negation.none()
        #: product group id → its CPV code without trailing zeros
        self.product_groups = {group: cpv.rstrip("0") for group, cpv in product_groups.items()}
        #: (family index, strong, expression); expressions are compiled when first needed (most never are)
        self._terms: list[tuple[int, bool, str]] = []
        self._by_word: dict[str, list[int]] = {}
        self._by_stem: dict[str, list[tuple[str, int]]] = {}
        self._inside: dict[str, list[int]] = {}
        for index, family in enumerate(self.families):
            for strong, terms in (
                (True, family.strong),
                (False, tuple(t for ts in family.terms.values() for t in ts)),
            ):
                for term in terms:
                    number = len(self._terms)
                    self._terms.append((index, strong, term_pattern(term)))
                    for kind, key in term_trigger(term):
                        if kind == "word":
                            self._by_word.setdefault(key, []).append(number)
                        elif kind == "stem":
                            self._by_stem.setdefault(key[:STEM_KEY], []).append((key, number))
                        else:
                            self._inside.setdefault(key, []).append(number)
        self._words = frozenset(self._by_word)
        self._stem_keys = frozenset(self._by_stem)

    def _candidates(self, text: str) -> set[int]:
        spaced = _words(text)
        words = set(spaced.split())
        found: set[int] = set()
        for word in words & self._words:
            found.update(self._by_word[word])
        keys = {word[:STEM_KEY] for word in words} & self._stem_keys
        if keys:
            for word in words:
                if word[:STEM_KEY] in keys:
                    found.update(
                        number for stem, number in self._by_stem[word[:STEM_KEY]] if word.startswith(stem)
                    )
        for key, numbers in self._inside.items():
            if key in spaced:
                found.update(numbers)
        return found

    def groups_of(self, cpv: Iterable[str]) -> frozenset[str]:
        """The framework product groups a notice's CPV codes name (a broader code names all under it)."""
        found: set[str] = set()
        for code in cpv:
            code = code.rstrip("0")
            if len(code) < 3:
                continue
            for group, prefix in self.product_groups.items():
                if prefix.startswith(code) or code.startswith(prefix):
                    found.add(group)
        return frozenset(found)

    def match_texts(
        self,
        texts: Iterable[str],
        *,
        ict: bool | None = None,
        cpv: Iterable[str] = (),
        bt774: Iterable[str] = (),
        bt805: Iterable[str] = (),
    ) -> tuple[FamilyMatch, ...]:
        """The families ``texts`` ask for, strongest first (by confidence, then name). ``ict``:
        whether the notice buys ICT by its CPV codes (``None`` when it has none), for the families
        whose words also belong to works and energy supply."""
        hits: dict[int, dict[str, tuple[bool, str]]] = {}
        unique = tuple(dict.fromkeys(texts))
        joined = "\n".join(unique)
        # One look over all the texts at once: most notices have no first word of any term, and
        # a term's expression then runs once over the joined texts, not once per text.
        candidates = self._candidates(joined)
        folded = fold(joined) if candidates else ""
        starts = list(accumulate((len(t) + 1 for t in unique[:-1]), initial=0))
        for number in sorted(candidates):
            index, strong, pattern = self._terms[number]
            if self.families[index].needs_ict and ict is False:
                continue
            seen = hits.setdefault(index, {})
            avoid = self.families[index].avoid
            for where, found in _find(_compiled(pattern), folded, unique, starts):
                words = re.sub(r"[\s\-]+", " ", found.group())
                if words not in seen or (strong and not seen[words][0]):
                    # A denied hit is no evidence, but the same words elsewhere still are.
                    if self.negation.denies(folded, found.start(), found.end(), avoid=avoid):
                        continue
                    text, offset = unique[where], starts[where]
                    seen[words] = (strong, _snippet(text, found.start() - offset, found.end() - offset))
            if not seen:
                del hits[index]
        codes = frozenset(bt774)
        gpp = bool(GPP_USED & set(bt805))
        groups = self.groups_of(cpv)
        matches: list[FamilyMatch] = []
        for index, seen in hits.items():
            family = self.families[index]
            ranked = sorted(seen.items(), key=lambda item: (not item[1][0], item[0]))
            any_strong = ranked[0][1][0]
            confidence = STRONG if any_strong else MEDIUM
            confidence += MORE_EVIDENCE * (len(ranked) - 1)
            confidence += MORE_EVIDENCE * (bool(family.supports & codes) + gpp)
            confidence = min(confidence, CEILING_STRONG if any_strong else CEILING_MEDIUM)
            matches.append(
                FamilyMatch(
                    family=family.name,
                    confidence=round(confidence, 2),
                    evidence=ranked[0][1][1],
                    terms=tuple(words for words, _ in ranked),
                    criteria=family.criterion_ids(groups),
                )
            )
        return tuple(sorted(matches, key=lambda m: (-m.confidence, m.family)))

    def match_record(self, record: NoticeRecord) -> tuple[MatchedCriterion, ...]:
        """The framework criteria a notice asks for: each criterion once, with its family's evidence."""
        found = self.match_texts(
            record.texts,
            ict=record.ict if record.cpv else None,
            cpv=record.cpv,
            bt774=record.strategic.bt774,
            bt805=record.strategic.bt805,
        )
        out: dict[str, MatchedCriterion] = {}
        for match in found:
            for criterion in match.criteria:
                out.setdefault(criterion, MatchedCriterion(criterion, match.confidence, match.evidence))
        return tuple(out.values())


def _find(
    pattern: re.Pattern[str], folded: str, texts: tuple[str, ...], starts: list[int]
) -> Iterator[tuple[int, re.Match[str]]]:
    """The matches of ``pattern`` in the joined folded texts, each with the index of its text. A
    match that runs from one text into the next is no match: the texts are then searched one by
    one (rare: only expressions that cross a line break can)."""
    found = [(bisect_right(starts, m.start()) - 1, m) for m in pattern.finditer(folded)]
    if all(m.end() <= starts[i] + len(texts[i]) for i, m in found):
        yield from found
        return
    for i, text in enumerate(texts):
        for m in pattern.finditer(folded, starts[i], starts[i] + len(text)):
            yield i, m


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _snippet(text: str, start: int, end: int) -> str:
    """The words around ``text[start:end]``, at most ``EVIDENCE_CHARS`` characters."""
    room = max(EVIDENCE_CHARS - (end - start), 0)
    left = max(start - room // 2, 0)
    right = min(end + room - (start - left), len(text))
    left = max(min(left, right - EVIDENCE_CHARS), 0)
    # Whole words only: a word cut at either end is left out (never the matched words themselves).
    while left < start and left > 0 and text[left - 1].isalnum():
        left += 1
    while right > end and right < len(text) and text[right].isalnum():
        right -= 1
    return " ".join(text[left:right].split())[:EVIDENCE_CHARS]


def read_lexicon(path: Path = LEXICON) -> dict[str, Any]:
    data: dict[str, Any] = read_yaml(path)
    return data


@dataclass(frozen=True)
class FrameworkIndex:
    """What matching needs of the framework: each criterion's topic and product groups."""

    criteria: tuple[tuple[str, str, frozenset[str]], ...]  #: (id, topic, product groups)
    product_groups: dict[str, str]  #: product group id → CPV code


def read_framework_index(directory: Path = FRAMEWORK_DIR) -> FrameworkIndex:
    criteria: list[tuple[str, str, frozenset[str]]] = []
    for path in sorted(directory.glob("criteria-*.yaml")):
        for entry in read_yaml(path)["criteria"]:
            criteria.append((entry["id"], entry["topic"], frozenset(entry["product_groups"])))
    groups = {g["id"]: str(g["cpv"]) for g in read_yaml(directory / "framework.yaml")["product_groups"]}
    return FrameworkIndex(tuple(criteria), groups)


def build_matcher(lexicon: dict[str, Any], framework: FrameworkIndex) -> Matcher:
    """A matcher from lexicon data and the framework; raises ``ValueError`` naming a family whose
    topic the framework does not have (a lexicon that has drifted from the criteria)."""
    by_topic: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for criterion_id, topic, groups in framework.criteria:
        by_topic.setdefault(topic, []).append((criterion_id, groups))
    families: list[Family] = []
    for name, entry in lexicon["families"].items():
        topics = tuple(entry["topics"])
        unknown = [t for t in topics if t not in by_topic]
        if unknown:
            raise ValueError(f"lexicon family {name}: no framework criteria have topic {', '.join(unknown)}")
        families.append(
            Family(
                name=name,
                topics=topics,
                criteria=tuple(c for t in topics for c in by_topic[t]),
                supports=frozenset(entry.get("supports", ())),
                needs_ict=bool(entry.get("needs_ict", False)),
                strong=tuple(entry.get("strong") or ()),
                terms={lang: tuple(terms) for lang, terms in (entry.get("terms") or {}).items()},
                avoid=bool(entry.get("avoid", False)),
            )
        )
    return Matcher(families, framework.product_groups, Negation.from_lexicon(lexicon.get("negation")))


@cache
def default_matcher() -> Matcher:
    """The matcher of the shipped lexicon and framework, built once per process on first use."""
    return build_matcher(read_lexicon(), read_framework_index())
