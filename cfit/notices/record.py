"""What cfit reads from a published notice: one record per eForms notice or OCDS release.

The same record whatever the source, so that market figures count eForms and OCDS publishers
alike. Field names follow the eForms business terms (BT) where a notice has them; an OCDS release
fills what it holds and leaves the rest empty. Which framework criteria a notice's texts ask for
(``matched_criteria``) is found by ``cfit.notices.matching`` in ``texts``. Plain Python, no Django.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Source = Literal["eforms", "ocds"]


@dataclass(frozen=True)
class Buyer:
    name: str
    country: str  #: ISO 3166-1 alpha-2 where the notice gives a code ("" when unknown)


@dataclass(frozen=True)
class Lot:
    id: str  #: BT-137 (eForms) or the OCDS lot id
    cpv: tuple[str, ...]  #: BT-262 then BT-263: 8-digit CPV codes without check digit
    value: float | None  #: BT-27, estimated value without VAT
    currency: str = ""
    title: str = ""


@dataclass(frozen=True)
class Strategic:
    """Strategic procurement per lot, merged over the notice's lots (codes of the eForms lists)."""

    bt06: tuple[str, ...] = ()  #: strategic procurement: env-imp, soc-obj, inn-pur, none
    bt805: tuple[str, ...] = ()  #: green procurement criteria: eu, national, other, none
    bt774: tuple[str, ...] = ()  #: environmental impact: biodiv-eco, circ-econ, clim-adapt, clim-mitig, …
    bt775: tuple[str, ...] = ()  #: social objective
    bt776: tuple[str, ...] = ()  #: innovative acquisition


@dataclass(frozen=True)
class AwardCriterion:
    type: str  #: BT-539: price, cost, quality
    name: str  #: BT-734
    description: str  #: BT-540
    weight: float | None  #: BT-541 when its type (BT-5421) is a weight or percentage
    weight_type: str = ""  #: BT-5421: per-exa, dec-exa, poi-exa, ord-imp, …
    lot: str = ""


@dataclass(frozen=True)
class MatchedCriterion:
    """A framework criterion a notice's texts ask for (``cfit.notices.matching``)."""

    id: str  #: the framework criterion id
    confidence: float  #: 0.6 a distinctive phrase … 0.95 a label or regulation named, with more evidence
    evidence: str  #: the words of the notice that asked for it (at most 120 characters)


@dataclass(frozen=True)
class NoticeRecord:
    id: str  #: BT-701 notice id (eForms) or the release id (OCDS)
    source: Source
    published: str  #: ISO date
    buyer: Buyer
    title: str
    language: str  #: ISO 639-1 (en, nl, …) where it can be told, else as written
    cpv: tuple[str, ...]
    ict: bool  #: any CPV code under the ICT divisions
    lots: tuple[Lot, ...]
    strategic: Strategic
    award_criteria: tuple[AwardCriterion, ...]
    version: str = ""  #: BT-757 notice version; OCDS: the release's date
    subtype: str = ""  #: OPP-070 notice subtype (eForms); OCDS: the release tag
    ocid: str = ""  #: OCDS contracting process id (eForms: the procedure id, BT-04)
    reference: str = ""  #: the buyer's own file number: BT-22 of the procedure (eForms), ``tender.id`` (OCDS)
    #: BT-758 of a change notice: the notice id (BT-701) of the notice it changes, which it replaces
    changes: str = ""
    texts: tuple[str, ...] = field(default=(), repr=False)  #: titles and descriptions, for matching
    matched_criteria: tuple[MatchedCriterion, ...] = ()  #: filled by the reader (``read_notices``)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("texts")
        out["lots"] = [asdict(lot) | {"cpv": list(lot.cpv)} for lot in self.lots]
        out["cpv"] = list(self.cpv)
        out["strategic"] = {k: list(v) for k, v in asdict(self.strategic).items()}
        out["award_criteria"] = [asdict(c) for c in self.award_criteria]
        out["matched_criteria"] = [asdict(m) for m in self.matched_criteria]
        return out


#: Why a notice (or a whole file) could not be read or stored, by code: the English of the command line
#: and the logs, ``{name}`` a parameter; the pages say the same codes in the reader's language
#: (``cfit.refusals``, prefixed ``notices:``).
MESSAGES: dict[str, str] = {
    # the file or package
    "not_notice_file": "not a notice file (.xml, .json, .jsonl, .zip, .tar.gz)",
    "no_such_file": "no such file or folder",
    "too_large": "larger than {size} MB",
    "unreadable": "cannot be read: {detail}",
    "zip_bomb": "inflates more than {ratio} times: not read further (zip bomb?)",
    "inflates": "inflates to {size} bytes from {packed}: not read",
    "larger_than_declared": "larger than its declared size: not read",
    # an eForms notice
    "notice_too_large": "larger than {size} MB: no notice is that large",
    "dtd": "declares a DTD or entities: a notice has none (refused against entity expansion)",
    "not_xml": "not well-formed XML: {detail} (line {line})",
    "not_eforms": "not an eForms notice: the root is {root}, expected one of {expected} in its eForms namespace",
    "no_notice_id": "has no notice identifier (BT-701, cbc:ID[@schemeName='notice-id'])",
    # OCDS
    "not_json": "not JSON: {detail} (line {line}, column {column})",
    "not_json_line": "not JSON: {detail}",
    "record_not_object": "a record is an object",
    "record_without_releases": "neither a compiled release nor embedded releases",
    "not_ocds": "not an OCDS release, release package or record package",
    "release_not_object": "a release is an object",
    "no_ocid": "a release without an ocid",
    "release_shape": "a release of an unexpected shape: {detail}",
    # storing (cfit.notices.actions)
    "id_too_long": "not stored: the notice id is longer than {limit} characters",
    "not_stored": "not stored: {detail}",
}


def english(code: str, params: tuple[tuple[str, str], ...] = ()) -> str:
    return MESSAGES[code].format(**dict(params))


@dataclass(frozen=True)
class ReadProblem:
    """A notice (or a whole file) that could not be read: named, and the others are kept."""

    where: str  #: the file, and the member of a package (``file!member``) or the release's position
    code: str  #: a ``MESSAGES`` code
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, where: str, code: str, **params: object) -> ReadProblem:
        return cls(where, code, tuple((k, str(v)) for k, v in params.items()))

    @property
    def reason(self) -> str:
        """In English (the command line)."""
        return english(self.code, self.params)

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"
