"""Model names read as families: series, model number, suffix, generation, size, form factor.

Manufacturers name their models by rules: Dell's ``E2318HN`` is an E-series 23-inch monitor of 2018
with the HN variant, its ``Latitude 5420`` a class-5, 14-inch notebook of the second generation of the
4th series, HP's ``EliteBook 840 G8`` the 8th generation of a 14-inch 800-class notebook, Lenovo's
``T27p-10`` the first generation of a 27-inch T-series monitor. ``parse_model`` reads a name into those
parts (after the same folding as ``matching``), and ``differences`` says, for two names, what differs
and by how much: a vector of the ``DIFFERENCES`` below, each 0 where the parts agree. The engine learns
from the manufacturers' declarations how much each difference moves a footprint (``estimate``); here
there is only the reading. Plain Python and numpy; vectorised over a query and every candidate of a
manufacturer's product group at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

#: What two model names may differ in, in the order of the columns of ``differences``.
DIFFERENCES = (
    "series",  #: the series words (Latitude, ThinkPad, EliteBook): Jaccard distance
    "prefix",  #: the letters before the model number (E2318H vs P2318H)
    "number",  #: one name has a model number the other lacks, or a number of another length
    "digit_1",  #: the first digit of the model number differs (Latitude 5420 vs 7420)
    "digit_2",  #: the second (5420 vs 5520)
    "digit_3",  #: the third (5420 vs 5430)
    "digit_4",  #: the fourth or a later one (5420 vs 5421)
    "suffix",  #: the letters after the model number (E2318H vs E2318HN)
    "generation",  #: G8 vs G9, Gen 2 vs Gen 3, -10 vs -20: steps apart / 3, at most 1
    "form",  #: the form factor (micro, small form factor, tower, all-in-one, ...)
    "variant",  #: variant words (2-in-1, Chromebook, rugged, ...): Jaccard distance
    "other_numbers",  #: the other numbers of the name: Jaccard distance
    "size",  #: |log| of the ratio of the screen sizes
    "size_unknown",  #: a screen size is unknown on either side
    "storage",  #: |log2| of the ratio of the storage sizes a name states ("iPhone 13 Pro 128GB" vs "1TB")
    "year",  #: years apart / 4, at most 1
    "year_unknown",  #: a year is unknown on either side
)
#: Differences that say what is unknown rather than what differs.
UNKNOWNS = frozenset({"size_unknown", "year_unknown"})
YEAR = DIFFERENCES.index("year")

#: Words that say what kind of device it is, what it connects with (wifi, lte, 5g) and filler words,
#: rather than which model it is: the first matcher dropped these (``bench.estimate_accuracy``'s
#: nearest-name baseline still reads names that way).
DEVICE_WORDS = frozenset(
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
    ]
)
#: Words that say what a device is, or describe a spec, rather than which model it is.
NOISE = DEVICE_WORDS | frozenset(
    [
        "system",
        "workstation",
        "screen",
        "fhd",
        "qhd",
        "uhd",
        "wqhd",
        "wuxga",
        "4k",
        "5k",
        "hd",
        "retina",
        "led",
        "ips",
        "usb",
        "c",
        "by",
        "core",
        "cpu",
        "gpu",
        "quad",
        "ports",
        "port",
        "thunderbolt",
        "storage",
        "memory",
        "card",
        "palm",
        "rest",
        "metal",
        "alcantara",
    ]
)
#: Form factors, first match wins; the words are removed from the name once read.
FORMS = (
    ("micro", r"\bmicro form factor\b|\bmicro\b|\bmff\b|\btiny\b|\bnano\b|\bmini pc\b|\bdesktop mini\b"),
    ("sff", r"\bsmall form factor\b|\bsff\b"),
    ("tower", r"\bmini tower\b|\btower\b|\bmt\b|\btwr\b"),
    ("thin client", r"\bthin client\b|\btc\b"),
    ("aio", r"\ball in one\b|\baio\b|\btiny in one\b"),
    ("ultra", r"\bultra\b"),
    ("rack", r"\brack\b"),
    ("compact", r"\bcompact\b"),
)
VARIANTS = (
    ("2-in-1", r"\b2 in 1\b|\b2in1\b|\bx360\b|\bconvertible\b|\bflip\b"),
    ("chromebook", r"\bchromebook\b"),
    ("rugged", r"\brugged\b"),
    ("detachable", r"\bdetachable\b|\bx2\b"),
    ("touch", r"\btouch\b"),
    ("gaming", r"\bgaming\b|\bomen\b|\bvictus\b"),
    ("curved", r"\bcurved\b|\bultrawide\b"),
    ("conferencing", r"\bconferencing\b"),
    ("portable", r"\bportable\b"),
    ("without stand", r"\bwithout stand\b|\bno stand\b"),
)
_FORMS = tuple((name, re.compile(pattern)) for name, pattern in FORMS)
_VARIANTS = tuple((name, re.compile(pattern)) for name, pattern in VARIANTS)
#: Any form factor, any variant: most names have neither, and one search says so instead of eighteen.
_ANY_FORM = re.compile("|".join(f"(?:{pattern})" for _, pattern in FORMS))
_ANY_VARIANT = re.compile("|".join(f"(?:{pattern})" for _, pattern in VARIANTS))
_SIZE = re.compile(r"\b(\d{1,2}(?:\.\d)?)\s*(?:inch(?:es)?\b|in\b|\")")
_GENERATION = (
    re.compile(r"\bgen(?:eration)?\s*(\d{1,2})\b"),
    re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s*gen(?:eration)?\b"),
    re.compile(r"\bg(\d{1,2})\b"),
)
_YEAR = re.compile(r"\b(20[0-3]\d)\b")
_SPEC = re.compile(r"\b\d+(?:\.\d+)?\s*ghz\b|\b\d+[\s-]*core\b")
_STORAGE = re.compile(r"\b(\d+(?:\.\d+)?)\s*(gb|tb)\b")
_NUMBER = re.compile(r"([a-z]*)(\d+)([a-z]*)")
#: A sheet often names several models: "ThinkPad E14.ThinkPad R14", "C22-10/D22-10".
_ALTERNATES = re.compile(r"(?<=[A-Za-z0-9])\.(?=\s?[A-Z])|/")
#: Groups whose names carry the screen size after a dash (Lenovo "IdeaPad S145-14", "V310-15ISK").
_DASH_SIZE_GROUPS = frozenset({"notebooks", "tablets"})
_STORAGE_GROUPS = frozenset({"notebooks", "tablets", "smartphones"})
#: Monitors whose names carry the generation after a dash (Lenovo "T27p-10", "C24-20").
_DASH_GENERATION_GROUPS = frozenset({"monitors"})
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


def fold(text: str) -> str:
    """Lower-case ASCII; a plus is a word ("Surface Pro 7+" is another model than "Surface Pro 7")."""
    text = unicodedata.normalize("NFKD", text.replace("\u201d", '"').replace("\u2033", '"'))
    return text.encode("ascii", "ignore").decode().lower().replace("+", " plus ")


@lru_cache(maxsize=4096)
def normalise_manufacturer(name: str) -> str:
    folded = re.sub(r"[^a-z0-9]+", " ", fold(name).replace(".", "")).strip()
    if folded in MANUFACTURER_ALIASES:
        return MANUFACTURER_ALIASES[folded]
    folded = re.sub(r"\s+", " ", _LEGAL.sub(" ", folded)).strip()
    return MANUFACTURER_ALIASES.get(folded, folded)


def alternates(name: str) -> list[str]:
    """The models of a sheet that covers several: "ThinkPad E14.ThinkPad R14" is E14 and R14."""
    parts = _ALTERNATES.split(name)
    return [p for p in (part.strip() for part in parts) if p] or [name]


@dataclass(frozen=True)
class ModelName:
    """A model name read into its parts; ``key`` is the model's identity (two names with the same key
    name the same model)."""

    series: frozenset[str]
    prefix: str
    number: str
    suffix: str
    others: frozenset[str]
    generation: int | None
    size: float | None
    form: str
    variants: frozenset[str]
    year: int | None
    storage: float | None  #: GB, the largest capacity the name states
    key: str


def _cut(text: str, found: re.Match[str], keep: str = "") -> str:
    return f"{text[: found.start()]} {keep} {text[found.end() :]}"


@lru_cache(maxsize=65536)
def parse_model(manufacturer: str, model: str, group: str) -> ModelName:
    """The parts of a model name of a manufacturer's product group (see the module's docstring)."""
    text = re.sub(r"(\d)\s*-\s*inch", r"\1 inch", fold(model))
    size: float | None = None
    if found := _SIZE.search(text):
        size, text = float(found.group(1)), _cut(text, found)
    text = _SPEC.sub(" ", text)
    # Phones, tablets and notebooks are sold by storage tier, which moves their footprint; other
    # groups' names rarely state it, and then mostly beside the memory ("32GB memory and 512GB").
    capacities = [float(n) * (1000 if unit == "tb" else 1) for n, unit in _STORAGE.findall(text)]
    storage = max(capacities) if capacities and group in _STORAGE_GROUPS else None
    text = _STORAGE.sub(" ", text)
    year: int | None = None
    if found := _YEAR.search(text):
        year, text = int(found.group(1)), _cut(text, found)
    text = re.sub(r"[^a-z0-9.\-]+", " ", text)
    text = re.sub(r"(\d)(g|gen)(\d)", r"\1 \2\3", text)  # "840g8" is "840 g8"
    generation: int | None = None
    if group in _DASH_GENERATION_GROUPS and (found := re.search(r"-(\d{2})\b", text)):
        generation, text = int(found.group(1)), _cut(text, found)
    elif (
        group in _DASH_SIZE_GROUPS
        and (found := re.search(r"-(\d{2}(?:\.\d)?)([a-z]*)\b", text))
        and 10 <= float(found.group(1)) <= 18
    ):
        size, text = size or float(found.group(1)), _cut(text, found, found.group(2))
    text = text.replace("-", " ")
    for pattern in _GENERATION:
        if found := pattern.search(text):
            generation, text = int(found.group(1)), _cut(text, found)
            break
    form = ""
    for name, pattern in _FORMS if _ANY_FORM.search(text) else ():
        if pattern.search(text):
            form, text = name, pattern.sub(" ", text)
            break
    variants: set[str] = set()
    for name, pattern in _VARIANTS if _ANY_VARIANT.search(text) else ():
        if pattern.search(text):
            variants.add(name)
            text = pattern.sub(" ", text)
    maker = set(normalise_manufacturer(manufacturer).split())
    series: set[str] = set()
    numbers: list[tuple[str, str, str]] = []
    for word in (w.strip(".") for w in text.split()):
        if not word or word in NOISE or word in maker:
            continue
        if parts := _NUMBER.fullmatch(word):
            numbers.append((parts.group(1), parts.group(2), parts.group(3)))
        elif word.isalpha():
            series.add(word)
        elif digits := re.sub(r"\D", "", word):
            numbers.append(("", digits, ""))
    # A bare two-digit number beside another number is a screen size: 10 to 18 inches on a notebook
    # ("XPS 13 9310"), 19 to 34 on an all-in-one ("IdeaCentre AIO 5 27", "IdeaCentre A540-24").
    low, high = (19, 34) if form == "aio" or (group == "desktops" and "-" in fold(model)) else (10, 18)
    if group in ("notebooks", "tablets", "desktops") and len(numbers) > 1:
        for part in numbers:
            if not part[0] and not part[2] and len(part[1]) == 2 and low <= int(part[1]) <= high:
                size = size or float(part[1])
                numbers.remove(part)
                break
    prefix = number = suffix = ""
    others: set[str] = set()
    if numbers:
        main = max(numbers, key=lambda p: (len(p[1]), bool(p[0])))
        prefix, number, suffix = main
        others = {"".join(p) for p in numbers if p is not main}
    key = " ".join(
        part
        for part in (
            f"{size:g}in" if size else "",
            str(year) if year else "",
            f"{storage:g}gb" if storage else "",
            " ".join(sorted(series)),
            prefix + number + suffix,
            " ".join(sorted(others)),
            f"gen{generation}" if generation is not None else "",
            form,
            " ".join(sorted(variants)),
        )
        if part
    )
    return ModelName(
        frozenset(series),
        prefix,
        number,
        suffix,
        frozenset(others),
        generation,
        size,
        form,
        frozenset(variants),
        year,
        storage,
        key,
    )


class NameTable:
    """Model names as arrays, to compare every query with every candidate at once."""

    def __init__(
        self,
        names: Sequence[ModelName],
        sizes: Sequence[float | None],
        years: Sequence[float | None],
        vocabulary: dict[str, dict[str, int]] | None = None,
    ) -> None:
        self.height = len(names)
        self.vocabulary = vocabulary if vocabulary is not None else _vocabulary(names)
        vocab = self.vocabulary
        self.series, self.series_count = _bags([n.series for n in names], vocab["series"])
        self.variants, self.variant_count = _bags([n.variants for n in names], vocab["variant"])
        self.others, self.other_count = _bags([n.others for n in names], vocab["other"])
        self.prefix = _codes([n.prefix for n in names], vocab["text"])
        self.suffix = _codes([n.suffix for n in names], vocab["text"])
        self.form = _codes([n.form for n in names], vocab["text"])
        self.length = np.array([len(n.number) for n in names], dtype=np.int64)
        width = max([6, *self.length.tolist()])
        self.digits = np.full((self.height, width), -1, dtype=np.int64)
        for row, name in enumerate(names):
            self.digits[row, : len(name.number)] = [int(d) for d in name.number]
        self.generation = np.array(
            [np.nan if n.generation is None else n.generation for n in names], dtype=np.float64
        )
        self.size = np.array(
            [s if s else (n.size or np.nan) for n, s in zip(names, sizes, strict=True)], dtype=np.float64
        )
        self.storage = np.array([n.storage or np.nan for n in names], dtype=np.float64)
        self.year = np.array(
            [y if y else (n.year or np.nan) for n, y in zip(names, years, strict=True)], dtype=np.float64
        )

    def like(
        self, names: Sequence[ModelName], sizes: Sequence[float | None], years: Sequence[float | None]
    ) -> NameTable:
        """Queries in this table's vocabulary (words it does not know count as differences)."""
        return NameTable(names, sizes, years, self.vocabulary)


def _vocabulary(names: Sequence[ModelName]) -> dict[str, dict[str, int]]:
    def index(words: set[str]) -> dict[str, int]:
        return {w: i for i, w in enumerate(sorted(words))}

    return {
        "series": index({w for n in names for w in n.series}),
        "variant": index({w for n in names for w in n.variants}),
        "other": index({w for n in names for w in n.others}),
        "text": index({"", *(t for n in names for t in (n.prefix, n.suffix, n.form))}),
    }


def _bags(
    sets: Sequence[frozenset[str]], vocabulary: dict[str, int]
) -> tuple[npt.NDArray[np.float64], Floats]:
    matrix = np.zeros((len(sets), max(1, len(vocabulary))), dtype=np.float64)
    for row, words in enumerate(sets):
        for word in words:
            if word in vocabulary:
                matrix[row, vocabulary[word]] = 1.0
    return matrix, np.array([len(words) for words in sets], dtype=np.float64)


def _codes(texts: Sequence[str], vocabulary: dict[str, int]) -> npt.NDArray[np.int64]:
    # A text the vocabulary does not know gets a code of its own, unequal to every known one.
    unknown = len(vocabulary)
    return np.array([vocabulary.get(t, unknown + i) for i, t in enumerate(texts)], dtype=np.int64)


def _jaccard(q: Floats, q_count: Floats, c: Floats, c_count: Floats) -> Floats:
    shared = q @ c.T
    union = q_count[:, None] + c_count[None, :] - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(union > 0, 1.0 - shared / union, 0.0)
    return np.asarray(out, dtype=np.float64)


def differences(queries: NameTable, candidates: NameTable) -> Floats:
    """What differs between each query and each candidate: shape (queries, candidates, DIFFERENCES)."""
    q, c = queries, candidates
    out = np.zeros((q.height, c.height, len(DIFFERENCES)), dtype=np.float64)
    out[..., 0] = _jaccard(q.series, q.series_count, c.series, c.series_count)
    both_numbered = (q.length[:, None] > 0) & (c.length[None, :] > 0)
    out[..., 1] = both_numbered & (q.prefix[:, None] != c.prefix[None, :])
    same_length = q.length[:, None] == c.length[None, :]
    out[..., 2] = ((q.length[:, None] > 0) | (c.length[None, :] > 0)) & ~(same_length & both_numbered)
    width = min(q.digits.shape[1], c.digits.shape[1])
    unequal = (q.digits[:, None, :width] != c.digits[None, :, :width]) & (same_length & both_numbered)[
        ..., None
    ]
    for position in range(3):
        out[..., 3 + position] = unequal[..., position]
    out[..., 6] = unequal[..., 3:].any(axis=2)
    out[..., 7] = q.suffix[:, None] != c.suffix[None, :]
    qg, cg = q.generation[:, None], c.generation[None, :]
    out[..., 8] = np.where(
        np.isnan(qg) & np.isnan(cg),
        0.0,
        np.where(np.isnan(qg) | np.isnan(cg), 0.5, np.minimum(np.abs(qg - cg), 3) / 3),
    )
    out[..., 9] = q.form[:, None] != c.form[None, :]
    out[..., 10] = _jaccard(q.variants, q.variant_count, c.variants, c.variant_count)
    out[..., 11] = _jaccard(q.others, q.other_count, c.others, c.other_count)
    qs, cs = q.size[:, None], c.size[None, :]
    known = ~np.isnan(qs) & ~np.isnan(cs)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[..., 12] = np.where(known, np.abs(np.log(qs / cs)), 0.0)
    out[..., 13] = ~known
    qt, ct = q.storage[:, None], c.storage[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        out[..., 14] = np.where(~np.isnan(qt) & ~np.isnan(ct), np.abs(np.log2(qt / ct)), 0.0)
    qy, cy = q.year[:, None], c.year[None, :]
    year_known = ~np.isnan(qy) & ~np.isnan(cy)
    out[..., 15] = np.where(year_known, np.minimum(np.abs(qy - cy), 4) / 4, 0.0)
    out[..., 16] = ~year_known
    return out


def year_difference(query: Floats, candidate: Floats) -> tuple[Floats, Floats]:
    """The year columns of ``differences`` for years given apart (broadcasting): (year, unknown)."""
    known = ~np.isnan(query) & ~np.isnan(candidate)
    with np.errstate(invalid="ignore"):
        apart = np.where(known, np.minimum(np.abs(query - candidate), 4) / 4, 0.0)
    return np.asarray(apart, dtype=np.float64), np.asarray(~known, dtype=np.float64)


def describe(row: Floats) -> tuple[str, ...]:
    """What differs between a query and a candidate (one row of ``differences``), unknowns left out."""
    return tuple(
        name for name, value in zip(DIFFERENCES, row, strict=True) if value > 0 and name not in UNKNOWNS
    )
