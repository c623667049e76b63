"""Reading OCDS releases (release packages, record packages, single releases, JSON Lines) into
``NoticeRecord``s.

A record package gives one record per contracting process: its compiled release when the publisher
gives one, else each embedded release. A release that cannot be read (not an object, no ``ocid``) is
reported by its position and the others are kept. Plain Python, no Django.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from cfit.impact.vocabulary import load_vocabulary
from cfit.notices.codes import country_alpha_2, cpv_code, is_ict, language_alpha_2
from cfit.notices.record import AwardCriterion, Buyer, Lot, NoticeRecord, ReadProblem, Strategic

#: Classification schemes that are the CPV: the standard's code, and Ukraine's DK 021:2015, which
#: is the CPV 2008 taken over code for code.
CPV_SCHEMES = {"cpv", "cpvs", "дк021", "dk021", "cpv2008"}
#: The sustainability extension's goals, by their prefix, as the eForms codes of BT-06, BT-774, BT-775.
GOALS = {
    "environmental": ("bt06", "env-imp"),
    "social": ("bt06", "soc-obj"),
    "economic.innovativePurchase": ("bt06", "inn-pur"),
    "environmental.biodiversityProtectionRestoration": ("bt774", "biodiv-eco"),
    "environmental.circularEconomy": ("bt774", "circ-econ"),
    "environmental.climateChangeAdaptation": ("bt774", "clim-adapt"),
    "environmental.climateChangeMitigation": ("bt774", "clim-mitig"),
    "environmental.pollutionPrevention": ("bt774", "pollu-prev"),
    "environmental.waterResources": ("bt774", "water-mar"),
}


def iter_ocds(data: bytes, where: str) -> Iterator[NoticeRecord | ReadProblem]:
    """Every release of an OCDS file (a package, a release, or JSON Lines of either)."""
    text = data.decode("utf-8-sig", errors="replace")
    try:
        documents: list[Any] = [json.loads(text)]
    except json.JSONDecodeError as whole:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            yield ReadProblem.of(where, "not_json", detail=whole.msg, line=whole.lineno, column=whole.colno)
            return
        documents = []
        for number, line in enumerate(lines, 1):
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as error:
                yield ReadProblem.of(f"{where}:{number}", "not_json_line", detail=error.msg)
    for n, document in enumerate(documents, 1):
        place = where if len(documents) == 1 else f"{where}:{n}"  # file:line
        yield from _document(document, place)


def _document(document: Any, where: str) -> Iterator[NoticeRecord | ReadProblem]:
    if isinstance(document, list):
        for n, release in enumerate(document):
            yield _release(release, f"{where}, [{n}]")
    elif isinstance(document, dict) and isinstance(document.get("releases"), list):
        for n, release in enumerate(document["releases"]):
            yield _release(release, f"{where}, releases[{n}]")
    elif isinstance(document, dict) and isinstance(document.get("records"), list):
        for n, record in enumerate(document["records"]):
            if not isinstance(record, dict):
                yield ReadProblem.of(f"{where}, records[{n}]", "record_not_object")
            elif isinstance(record.get("compiledRelease"), dict):
                yield _release(record["compiledRelease"], f"{where}, records[{n}].compiledRelease")
            else:
                embedded = [r for r in record.get("releases") or [] if isinstance(r, dict) and "ocid" in r]
                if not embedded:
                    yield ReadProblem.of(f"{where}, records[{n}]", "record_without_releases")
                for m, release in enumerate(embedded):
                    yield _release(release, f"{where}, records[{n}].releases[{m}]")
    elif isinstance(document, dict) and "ocid" in document:
        yield _release(document, where)
    else:
        yield ReadProblem.of(where, "not_ocds")


def _release(release: Any, where: str) -> NoticeRecord | ReadProblem:
    if not isinstance(release, dict):
        return ReadProblem.of(where, "release_not_object")
    if not isinstance(release.get("ocid"), str) or not release.get("ocid"):
        return ReadProblem.of(where, "no_ocid")
    try:
        return _record(release)
    except (TypeError, ValueError, AttributeError) as error:
        return ReadProblem.of(where, "release_shape", detail=error)


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _amount(value: Any) -> tuple[float | None, str]:
    money = _object(value)
    amount = money.get("amount")
    number = float(amount) if isinstance(amount, int | float) and not isinstance(amount, bool) else None
    return number, _str(money.get("currency"))


def _cpv_of(item: Mapping[str, Any]) -> list[str]:
    out = []
    for classification in [item.get("classification"), *_list(item.get("additionalClassifications"))]:
        c = _object(classification)
        if _str(c.get("scheme")).lower().replace(" ", "").replace(":", "") in CPV_SCHEMES:
            code = cpv_code(str(c.get("id") or ""))
            if code:
                out.append(code)
    return out


def _record(release: Mapping[str, Any]) -> NoticeRecord:
    tender = _object(release.get("tender"))
    items = [_object(i) for i in _list(tender.get("items"))]
    cpv_by_lot: dict[str, list[str]] = {}
    cpv: list[str] = []
    for item in items:
        codes = _cpv_of(item)
        cpv += codes
        cpv_by_lot.setdefault(_str(str(item.get("relatedLot") or "")), []).extend(codes)
    lots = []
    for lot in (_object(x) for x in _list(tender.get("lots"))):
        lot_id = str(lot.get("id") or "")
        value, currency = _amount(lot.get("value"))
        lot_cpv = tuple(dict.fromkeys(cpv_by_lot.get(lot_id, [])))
        lots.append(Lot(lot_id, lot_cpv, value, currency, _str(lot.get("title"))))
    cpv = list(dict.fromkeys(cpv))
    strategic: dict[str, list[str]] = {"bt06": [], "bt805": [], "bt774": [], "bt775": [], "bt776": []}
    for holder in [tender, *(_object(x) for x in _list(tender.get("lots")))]:
        for entry in (_object(x) for x in _list(holder.get("sustainability"))):
            goal = _str(entry.get("goal"))
            for prefix, (term, code) in GOALS.items():
                if goal == prefix or goal.startswith(prefix + "."):
                    strategic[term].append(code)
    criteria = []
    for holder in [tender, *(_object(x) for x in _list(tender.get("lots")))]:
        lot_id = str(holder.get("id") or "") if holder is not tender else ""
        for criterion in (_object(x) for x in _list(_object(holder.get("awardCriteria")).get("criteria"))):
            weight = None
            for number in (_object(x) for x in _list(criterion.get("numbers"))):
                if isinstance(number.get("number"), int | float) and not isinstance(
                    number.get("number"), bool
                ):
                    weight = float(number["number"])
                    break
            criteria.append(
                AwardCriterion(
                    _str(criterion.get("type")),
                    _str(criterion.get("name")),
                    _str(criterion.get("description")),
                    weight,
                    lot=lot_id,
                )
            )
    buyer = _object(release.get("buyer")) or _object(tender.get("procuringEntity"))
    title = _str(tender.get("title")) or _str(tender.get("description"))[:300]
    texts = [title, _str(tender.get("description")), _str(tender.get("awardCriteriaDetails"))]
    texts += [_str(i.get("description")) for i in items]
    texts += [t for c in criteria for t in (c.name, c.description)]
    return NoticeRecord(
        id=str(release.get("id") or release["ocid"]),
        source="ocds",
        published=_str(release.get("date"))[:10],
        buyer=Buyer(_str(buyer.get("name")), _party_country(release, buyer)),
        title=title,
        language=language_alpha_2(_str(release.get("language"))),
        cpv=tuple(cpv),
        ict=any(is_ict(c) for c in cpv),
        lots=tuple(lots),
        strategic=Strategic(**{k: tuple(dict.fromkeys(v)) for k, v in strategic.items()}),
        award_criteria=tuple(criteria),
        version=_str(release.get("date")),
        subtype=",".join(_str(t) for t in _list(release.get("tag"))),
        ocid=str(release["ocid"]),
        reference=_str(str(tender.get("id") or "")),
        texts=tuple(t for t in texts if t),
    )


#: Registered ocid prefixes of national publishers (OCDS's prefix register), for releases whose
#: buyer has no address: the publisher's country is the buyer's.
PUBLISHER_COUNTRIES = {
    "ocds-px0z7d": "PT",  # IMPIC / BASE, Portugal
    "ocds-87sd3t": "MX",  # Mexico City, Contratos Abiertos
    "ocds-07smqs": "MX",  # Secretaría de la Función Pública (CompraNet), Mexico
    "ocds-03ad3f": "PY",  # Dirección Nacional de Contrataciones Públicas, Paraguay
    "ocds-be6bcu": "UA",  # Prozorro, Ukraine
    "ocds-b5fd17": "GB",  # Contracts Finder, United Kingdom
    "ocds-h6vhtk": "GB",  # Find a Tender, United Kingdom
}


def _party_country(release: Mapping[str, Any], buyer: Mapping[str, Any]) -> str:
    """The buyer's country from its party's address (a code, or a country name in English), else
    the country of the publisher whose ocid prefix the release carries."""
    for party in (_object(x) for x in _list(release.get("parties"))):
        if buyer.get("id") is not None and party.get("id") == buyer.get("id"):
            address = _object(party.get("address"))
            for value in (address.get("countryCode"), address.get("countryName")):
                code = _country(_str(value))
                if code:
                    return code
    return PUBLISHER_COUNTRIES.get(_str(release.get("ocid")).lower()[:11], "")


def _country(text: str) -> str:
    if len(text) in (2, 3):
        return country_alpha_2(text)
    return load_vocabulary().country(text) or ""
