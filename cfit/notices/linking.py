"""How cfit tells that a published notice is one of its participants' tenders. Plain Python, no Django.

In order, the first that holds:

1. **procedure**: the notice's procedure identifier (BT-04, ``cbc:ContractFolderID``) is the one cfit's
   own eForms export gives the tender (``procedure_uuid``): the notice was made from cfit's export;
2. **reference**: the buyer is the tender's organisation and the notice's reference (BT-22, OCDS
   ``tender.id``) is the tender's reference, compared without case, spaces and punctuation;
3. **title**: the buyer is the tender's organisation and the titles are alike: ``title_similarity``
   at least ``TITLE_THRESHOLD``.

The buyer "is" an organisation when their names are the same after ``name_key`` (case, accents,
punctuation and spacing ignored).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from cfit.notices.matching import fold

TITLE_THRESHOLD = 0.8
_NOT_WORD = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """A buyer's or organisation's name as compared: ``Ville de Lyon`` = ``VILLE-DE-LYON``."""
    return " ".join(_NOT_WORD.sub(" ", fold(name or "")).split())[:200]


def reference_key(reference: str) -> str:
    """A file number as compared: ``RWS 2027/001`` = ``rws-2027-001``."""
    return _NOT_WORD.sub("", fold(reference or ""))


def title_similarity(a: str, b: str) -> float:
    """0 … 1: the larger of the words' overlap (Dice, on word sets) and the characters' (difflib's
    ratio), on folded titles; a title that holds the other whole (a buyer's name added) scores high."""
    first, second = name_key(a), name_key(b)
    if not first or not second:
        return 0.0
    words_a, words_b = set(first.split()), set(second.split())
    dice = 2 * len(words_a & words_b) / (len(words_a) + len(words_b))
    return round(max(dice, SequenceMatcher(None, first, second).ratio()), 3)


def procedure_uuid(tender_id: int | str) -> str:
    """The procedure identifier (BT-04) of a tender in cfit's eForms export (``cfit.tenders.eforms``)."""
    name = f"urn:cfit:tender:{tender_id}"
    return str(uuid.UUID(bytes=uuid.uuid5(uuid.NAMESPACE_URL, name).bytes, version=4))


@dataclass(frozen=True)
class TenderKey:
    id: int
    organisation_id: int
    reference: str
    title: str


@dataclass(frozen=True)
class Link:
    tender: TenderKey
    basis: str  #: "procedure", "reference" or "title"
    similarity: float | None = None


class TenderIndex:
    """The cfit tenders, looked up by procedure identifier and by organisation."""

    def __init__(self, tenders: Iterable[TenderKey]) -> None:
        self.by_procedure: dict[str, TenderKey] = {}
        self.by_organisation: dict[int, list[TenderKey]] = {}
        for tender in tenders:
            self.by_procedure[procedure_uuid(tender.id)] = tender
            self.by_organisation.setdefault(tender.organisation_id, []).append(tender)

    def find(
        self, *, procedure_id: str, reference: str, title: str, organisation_id: int | None
    ) -> Link | None:
        found = self.by_procedure.get(procedure_id.strip().lower()) if procedure_id else None
        if found is not None:
            return Link(found, "procedure")
        if organisation_id is None:
            return None
        own = self.by_organisation.get(organisation_id, [])
        wanted = reference_key(reference)
        if wanted:
            for tender in own:
                if reference_key(tender.reference) == wanted:
                    return Link(tender, "reference")
        best: Link | None = None
        for tender in own:
            score = title_similarity(title, tender.title)
            if score >= TITLE_THRESHOLD and (best is None or score > (best.similarity or 0)):
                best = Link(tender, "title", score)
        return best
