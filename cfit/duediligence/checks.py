"""Check the smelters of a CMRT/EMRT: against the template's own look-up list, the conformance list the
secretariat imports, and the countries of concern. Plain Python, no Django.

RMI publishes each smelter's RMAP status (conformant, active, ...) in its online facility lists, not in
the templates: the secretariat imports it as a file (``read_conformance_list``: CSV or XLSX of smelter
id, name, metal, country and status) with the date it stands for. The countries of concern are a
reviewed data list with its sources (``data/countries-of-concern.yaml``).

Each smelter gets a ``SmelterCheck``: its findings as codes with parameters, and a status. Only a
smelter the conformance list calls *conformant* counts as conformant; *active* (in the assessment,
not yet conformant) is reported as such.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cfit.duediligence.template import LookupEntry, ReportedSmelter, TemplateProblem, problem, text
from cfit.impact.vocabulary import load_vocabulary
from cfit.tabular import read_table
from cfit.uploads import MAX_IMPORT_BYTES, Problems, refuse

COUNTRIES_FILE = Path(__file__).parent / "data" / "countries-of-concern.yaml"
#: Rows of a conformance list: RMI's lists hold about 1,000 facilities across all minerals.
MAX_LIST_ROWS = 50_000

#: The statuses a conformance list may give, with the words RMI and its exports use for them.
STATUSES: dict[str, tuple[str, ...]] = {
    "conformant": ("conformant", "rmap conformant", "compliant"),
    "active": ("active", "in assessment", "in communication"),
    "non_conformant": ("non-conformant", "non conformant", "nonconformant", "not conformant"),
    "suspended": ("suspended",),
    "inactive": ("inactive", "outreach required", "not participating", "not eligible", "closed", "removed"),
}
_STATUS_WORDS = {word: status for status, words in STATUSES.items() for word in words}

#: What each check finding says, in English (pages translate); ``{name}`` marks a parameter.
MESSAGES: dict[str, str] = {
    "not_identified": "no smelter identification: the supplier has not identified this smelter",
    "unknown_id": "{smelter_id} is not in the template's smelter look-up list",
    "name_mismatch": "{name!r} is not a name of {smelter_id} ({standard})",
    "metal_mismatch": "{smelter_id} is a {listed} smelter, reported for {metal}",
    "not_in_list": "{smelter_id} is not in the conformance list of {as_of}",
    "status_active": "{smelter_id} is active in the assurance process, not yet conformant ({as_of})",
    "status_not_conformant": "{smelter_id} is {status} ({as_of})",
    "country_of_concern": "located in {country}: {source}",
}


def english(code: str, params: Mapping[str, Any]) -> str:
    return MESSAGES[code].format(**params)


def normalised(name: str) -> str:
    """A name compared loosely: case, accents, punctuation and legal-form dots do not count."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


# -- the conformance list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedSmelter:
    smelter_id: str
    name: str
    metal: str
    country: str
    status: str  #: one of ``STATUSES``


@dataclass(frozen=True)
class ConformanceList:
    """A conformance list as imported: its date, version, and smelters by (id, metal)."""

    as_of: date | None
    version: str
    smelters: Mapping[str, ListedSmelter]  #: by smelter id

    def get(self, smelter_id: str) -> ListedSmelter | None:
        return self.smelters.get(smelter_id.upper())


#: The columns of a conformance list file, by what each header may be called.
LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "smelter_id": ("smelter id", "smelter_id", "facility id", "facility_id", "cid", "smelter identification"),
    "name": ("name", "smelter name", "standard smelter name", "facility name", "smelter_name"),
    "metal": ("metal", "mineral"),
    "country": ("country", "country location", "smelter country", "location"),
    "status": ("status", "rmap status", "assessment status", "conformance status"),
}


def read_conformance_list(
    source: bytes | Path,
    filename: str,
    *,
    as_of: date | None = None,
    version: str = "",
    limit: int = MAX_IMPORT_BYTES,
) -> ConformanceList:
    """A CSV or XLSX conformance list; ``ImportRefused`` names every row that is wrong."""
    table = read_table(source, filename, limit=limit)
    problems = Problems(filename)
    with table:
        index: dict[str, int] = {}
        for key, names in LIST_COLUMNS.items():
            found = [i for i, h in enumerate(table.headers) if normalised(h).replace("_", " ") in names]
            if found:
                index[key] = found[0]
            elif key in ("smelter_id", "status"):
                problems.add("row 1", key, f"required column missing (one of: {', '.join(names)})")
        problems.raise_if_any()
        smelters: dict[str, ListedSmelter] = {}
        for number, cells in table.rows:
            if number > MAX_LIST_ROWS:
                problems.add(f"row {number}", "-", f"more than {MAX_LIST_ROWS:,} rows")
                break
            values = {key: text(cells[i]) for key, i in index.items()}
            smelter_id = values["smelter_id"].upper()
            where = f"row {number}"
            if not re.fullmatch(r"CID\d{6}", smelter_id):
                problems.add(
                    where, "smelter_id", f"not a smelter identification (CID and six digits): {smelter_id!r}"
                )
                continue
            status = _STATUS_WORDS.get(values["status"].casefold().strip())
            if status is None:
                problems.add(
                    where, "status", f"unknown status {values['status']!r} (use one of {', '.join(STATUSES)})"
                )
                continue
            if smelter_id in smelters:
                problems.add(where, "smelter_id", f"{smelter_id} is listed twice")
                continue
            smelters[smelter_id] = ListedSmelter(
                smelter_id, values.get("name", ""), values.get("metal", ""), values.get("country", ""), status
            )
        table.problems.raise_if_any()
    problems.raise_if_any()
    if not smelters:
        raise refuse(filename, "no smelter in the list", code="empty_file")
    return ConformanceList(as_of, version, smelters)


# -- countries of concern ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CountriesOfConcern:
    """Countries by name (as the templates write them) and ISO code, each with the sources naming it."""

    reviewed_on: str
    by_name: Mapping[str, tuple[str, ...]]  #: normalised name or ISO code -> source titles
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def sources_of(self, country: str) -> tuple[str, ...]:
        """By the name as listed, else by the ISO code of the country however it is written
        ("Democratic Republic of the Congo", "TANZANIA (UNITED REPUBLIC OF)")."""
        found = self.by_name.get(normalised(country), ())
        if not found and country:
            code = load_vocabulary().country(country)
            found = self.by_name.get(normalised(code), ()) if code else ()
        return found


def load_countries(path: Path = COUNTRIES_FILE) -> CountriesOfConcern:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = data["sources"]
    by_name: dict[str, tuple[str, ...]] = {}
    for entry in data["countries"]:
        titles = tuple(str(sources[s]["title"]) for s in entry["sources"])
        by_name[normalised(str(entry["name"]))] = titles
        by_name[normalised(str(entry["iso"]))] = titles
    return CountriesOfConcern(str(data["reviewed_on"]), by_name, sources)


@cache
def default_countries() -> CountriesOfConcern:
    return load_countries()


# -- the checks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmelterCheck:
    smelter: ReportedSmelter
    findings: tuple[TemplateProblem, ...]
    status: str  #: a ``STATUSES`` key, "unlisted" (not in the list), "unidentified", or "" without a list

    @property
    def conformant(self) -> bool:
        return self.status == "conformant"

    def as_dict(self) -> dict[str, Any]:
        s = self.smelter
        return {
            "row": s.row,
            "metal": s.metal,
            "smelter_id": s.smelter_id,
            "name": s.name,
            "country": s.country,
            "source": s.source,
            "status": self.status,
            "conformant": self.conformant,
            "findings": [
                {"code": f.code, "params": dict(f.params), "message": english(f.code, dict(f.params))}
                for f in self.findings
            ],
        }


def lookup_index(lookup: Sequence[LookupEntry]) -> tuple[dict[str, LookupEntry], dict[str, set[str]]]:
    """The look-up list by smelter id: its standard entry and every name (standard or alias) of it."""
    names: dict[str, set[str]] = defaultdict(set)
    entries: dict[str, LookupEntry] = {}
    for entry in lookup:
        if entry.smelter_id:
            names[entry.smelter_id].update({normalised(entry.lookup_name), normalised(entry.standard_name)})
            entries.setdefault(entry.smelter_id, entry)
    return entries, names


def lookup_findings(
    smelter: ReportedSmelter,
    entries: Mapping[str, LookupEntry],
    names: Mapping[str, set[str]],
    *,
    sheet: str = "Smelter List",
) -> list[TemplateProblem]:
    """Against the template's own look-up list: unidentified, unknown id, a name or metal not its own."""
    smelter_id = smelter.smelter_id
    if not smelter_id:
        return [problem("not_identified", sheet=sheet, row=smelter.row, column="F", error=False)]
    entry = entries.get(smelter_id)
    if entry is None:
        return [
            problem(
                "unknown_id",
                {"smelter_id": smelter_id},
                sheet=sheet,
                row=smelter.row,
                column="F",
                error=False,
            )
        ]
    found = []
    if smelter.name and normalised(smelter.name) not in names[smelter_id]:
        params = {"name": smelter.name, "smelter_id": smelter_id, "standard": entry.standard_name}
        found.append(problem("name_mismatch", params, sheet=sheet, row=smelter.row, column="D", error=False))
    if smelter.metal and entry.metal.casefold() != smelter.metal.casefold():
        params = {"smelter_id": smelter_id, "listed": entry.metal, "metal": smelter.metal}
        found.append(problem("metal_mismatch", params, sheet=sheet, row=smelter.row, column="B", error=False))
    return found


def conformance_findings(
    smelter: ReportedSmelter, conformance: ConformanceList, *, sheet: str = "Smelter List"
) -> tuple[str, list[TemplateProblem]]:
    """The smelter's status by the conformance list, and what is to be said about it."""
    if not smelter.smelter_id:
        return "unidentified", []
    as_of = conformance.as_of.isoformat() if conformance.as_of else ""
    where: dict[str, Any] = {"sheet": sheet, "row": smelter.row, "column": "F", "error": False}
    listed = conformance.get(smelter.smelter_id)
    if listed is None:
        return "unlisted", [
            problem("not_in_list", {"smelter_id": smelter.smelter_id, "as_of": as_of}, **where)
        ]
    if listed.status == "active":
        return "active", [
            problem("status_active", {"smelter_id": smelter.smelter_id, "as_of": as_of}, **where)
        ]
    if listed.status != "conformant":
        params = {"smelter_id": smelter.smelter_id, "status": listed.status.replace("_", "-"), "as_of": as_of}
        return listed.status, [problem("status_not_conformant", params, **where)]
    return "conformant", []


def country_findings(
    smelter: ReportedSmelter, countries: CountriesOfConcern, *, sheet: str = "Smelter List"
) -> list[TemplateProblem]:
    sources = countries.sources_of(smelter.country) if smelter.country else ()
    if not sources:
        return []
    params = {"country": smelter.country, "source": "; ".join(sources)}
    return [problem("country_of_concern", params, sheet=sheet, row=smelter.row, column="E", error=False)]


def check_smelters(
    smelters: Iterable[ReportedSmelter],
    lookup: Sequence[LookupEntry],
    conformance: ConformanceList | None = None,
    countries: CountriesOfConcern | None = None,
    *,
    sheet: str = "Smelter List",
) -> list[SmelterCheck]:
    """Each smelter's findings: unknown to the look-up list, a name or metal not its own, not
    conformant or active by the conformance list, located in a country of concern."""
    countries = default_countries() if countries is None else countries
    entries, names = lookup_index(lookup)
    checks = []
    for smelter in smelters:
        found = lookup_findings(smelter, entries, names, sheet=sheet)
        status = "unidentified" if not smelter.smelter_id else ""
        if conformance is not None:
            status, more = conformance_findings(smelter, conformance, sheet=sheet)
            found += more
        found += country_findings(smelter, countries, sheet=sheet)
        checks.append(SmelterCheck(smelter, tuple(found), status))
    return checks


@dataclass(frozen=True)
class MetalShare:
    metal: str
    smelters: int  #: distinct smelters identified
    conformant: int

    @property
    def share(self) -> float | None:
        return self.conformant / self.smelters if self.smelters else None


def conformant_shares(checks: Iterable[SmelterCheck]) -> list[MetalShare]:
    """Per metal: distinct identified smelters and how many of them are conformant."""
    seen: dict[str, dict[str, bool]] = defaultdict(dict)
    for check in checks:
        if check.smelter.smelter_id and check.smelter.metal:
            seen[check.smelter.metal][check.smelter.smelter_id] = check.conformant
    return [MetalShare(metal, len(ids), sum(ids.values())) for metal, ids in sorted(seen.items())]
