"""Match a register's manufacturer and model names to the models of manufacturers' footprints.

Registers write models the way the asset tool or the invoice did ("HP EliteBook 840 G8 Notebook PC",
"Elitebook 840G8", "Dell Inc. Latitude 5420"); footprint sheets write them their own way. A match is
found on normalised names: the same manufacturer (after aliases), then the candidate whose tokens
agree best, model numbers (tokens with digits) weighing most. Each match records its confidence in
[0, 1]: 1 for the same normalised name, less for a partial agreement; below ``MIN_CONFIDENCE`` the
device is not matched and the engine estimates instead. Plain Python; each distinct name is matched
once, however many devices carry it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

MIN_CONFIDENCE = 0.6
#: Words that say what a device is rather than which model it is.
NOISE = frozenset(
    [
        "notebook",
        "laptop",
        "pc",
        "computer",
        "desktop",
        "monitor",
        "display",
        "tablet",
        "smartphone",
        "phone",
        "mobile",
        "the",
        "with",
        "and",
        "inch",
        "in",
        "series",
        "edition",
        "energy",
        "star",
        "model",
        "wifi",
        "wi",
        "fi",
        "cellular",
        "lte",
        "4g",
        "5g",
        "tower",
        "sff",
    ]
)
MANUFACTURER_ALIASES = {
    "hewlett packard": "hp",
    "hewlett packard enterprise": "hpe",
    "hp inc": "hp",
    "dell technologies": "dell",
    "dell inc": "dell",
    "dell emc": "dell",
    "lenovo group": "lenovo",
    "apple inc": "apple",
    "samsung electronics": "samsung",
    "microsoft corporation": "microsoft",
    "fujitsu technology solutions": "fujitsu",
}
_LEGAL = re.compile(r"\b(inc|ltd|llc|gmbh|corp|corporation|co|bv|sa|ag|plc|limited|technologies)\b")


def _fold(text: str) -> str:
    # "Surface Pro 7+" is another model than "Surface Pro 7": keep the plus as a word.
    text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace("+", " plus ")
    )
    return re.sub(r"[^a-z0-9.]+", " ", text).replace(" .", " ").strip()


@lru_cache(maxsize=4096)
def normalise_manufacturer(name: str) -> str:
    folded = _fold(name).replace(".", "")
    if folded in MANUFACTURER_ALIASES:
        return MANUFACTURER_ALIASES[folded]
    folded = re.sub(r"\s+", " ", _LEGAL.sub(" ", folded)).strip()
    return MANUFACTURER_ALIASES.get(folded, folded)


@lru_cache(maxsize=65536)
def tokens(model: str, manufacturer: str = "") -> tuple[str, ...]:
    """The identifying tokens of a model name; letters and digits glued together are split apart
    only where the name itself does not glue them (so ``840g8`` and ``840 G8`` agree)."""
    folded = _fold(model)
    folded = re.sub(r"(\d)([a-z]{1,2})(\d)", r"\1 \2\3", folded)  # 840g8 -> 840 g8
    drop = NOISE | set(normalise_manufacturer(manufacturer).split())
    return tuple(t for t in folded.split() if t not in drop and t != ".")


def alternates(name: str) -> list[str]:
    """One footprint sheet often covers several models: "ThinkPad E14.ThinkPad R14", "C22-10/D22-10"."""
    parts = re.split(r"(?<=[A-Za-z0-9])\.(?=[A-Z])|/", name)
    return [p for p in (part.strip() for part in parts) if p] or [name]


def _weight(token: str) -> float:
    return 3.0 if any(ch.isdigit() for ch in token) else 1.0


@dataclass(frozen=True)
class Match:
    index: int | None  #: row of the footprint table, or None
    confidence: float
    name: str = ""


NO_MATCH = Match(None, 0.0)


class ModelIndex:
    """The footprint models of one table, indexed for matching by manufacturer and product group."""

    def __init__(self, manufacturers: Sequence[str], models: Sequence[str], groups: Sequence[str]) -> None:
        self.names = list(models)
        self.exact: dict[tuple[str, str, str], int] = {}
        self.candidates: dict[tuple[str, str], list[tuple[int, frozenset[str], float]]] = {}
        #: (manufacturer, group, model-number token) -> positions in ``candidates``: a query with a
        #: model number only looks at the footprints that share one.
        self.by_number: dict[tuple[str, str, str], list[int]] = {}
        for index, (manufacturer, model, group) in enumerate(zip(manufacturers, models, groups, strict=True)):
            maker = normalise_manufacturer(manufacturer)
            for alternate in alternates(model):
                words = tokens(alternate, manufacturer)
                self.exact.setdefault((maker, group, " ".join(words)), index)
                bag = frozenset(words)
                bucket = self.candidates.setdefault((maker, group), [])
                for token in bag:
                    if _weight(token) > 1:
                        self.by_number.setdefault((maker, group, token), []).append(len(bucket))
                bucket.append((index, bag, sum(map(_weight, bag))))

    def match(self, manufacturer: str, model: str, group: str) -> Match:
        maker = normalise_manufacturer(manufacturer)
        words = tokens(model, manufacturer)
        if not words:
            return NO_MATCH
        exact = self.exact.get((maker, group, " ".join(words)))
        if exact is not None:
            return Match(exact, 1.0, self.names[exact])
        query = frozenset(words)
        query_weight = sum(map(_weight, query))
        numbers = {t for t in query if any(ch.isdigit() for ch in t)}
        best, best_score = None, 0.0
        bucket = self.candidates.get((maker, group), [])
        if numbers:
            # A model number that the candidate lacks is a different model: only candidates with all
            # of the query's numbers (they may have more: a storage size, a year).
            positions = sorted({p for t in numbers for p in self.by_number.get((maker, group, t), ())})
            pool = [bucket[p] for p in positions if numbers <= bucket[p][1]]
        else:
            pool = bucket
        for index, bag, bag_weight in pool:
            shared = sum(map(_weight, query & bag))
            # Weighted Dice coefficient: symmetric, 1 only for the same tokens.
            score = 2 * shared / (query_weight + bag_weight)
            if score > best_score:
                best, best_score = index, score
        if best is None or best_score < MIN_CONFIDENCE:
            return NO_MATCH
        # Never claim certainty for a partial match.
        return Match(best, round(min(best_score, 0.99), 3), self.names[best])

    def match_all(self, rows: Iterable[tuple[str, str, str]]) -> list[Match]:
        return [self.match(manufacturer, model, group) for manufacturer, model, group in rows]
