"""A supplier's factory disclosure as a table (CSV or XLSX), read into rows or refused with every problem
by row and column. Plain Python.

The columns follow what Electronics Watch's factory disclosure asks per product model: the factory's
name, address and country, whether it makes the final assembly or a component, the products or models
made there, and optionally its number of workers; ``os_id`` is the factory's Open Supply Hub id where
the supplier knows it. One row per factory and model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cfit.contracts.rows import Collector, read_rows, required_text, text
from cfit.factories.core import factory_key
from cfit.impact.vocabulary import Vocabulary, load_vocabulary
from cfit.tabular import NotANumber, parse_number

#: Accepted headers (as ``rows.header_key`` reads them) and the column each stands for.
COLUMNS = {
    "factory_name": "factory_name",
    "factory": "factory_name",
    "name": "factory_name",
    "address": "address",
    "factory_address": "address",
    "country": "country",
    "factory_type": "factory_type",
    "type": "factory_type",
    "manufacturer": "manufacturer",
    "brand": "manufacturer",
    "model": "model",
    "product_model": "model",
    "product_group": "product_group",
    "workers": "workers",
    "workers_count": "workers",
    "number_of_workers": "workers",
    "os_id": "os_id",
    "open_supply_hub_id": "os_id",
}
REQUIRED = ("factory_name", "address", "country", "factory_type", "manufacturer", "model")
FINAL_ASSEMBLY = "final_assembly"
COMPONENT = "component"
#: The words a factory type may be written with.
FACTORY_TYPES = {
    "final_assembly": FINAL_ASSEMBLY,
    "final assembly": FINAL_ASSEMBLY,
    "assembly": FINAL_ASSEMBLY,
    "component": COMPONENT,
    "components": COMPONENT,
}
#: Rows of a disclosure: a supplier's models times their factories; far more is not a disclosure.
MAX_ROWS = 5000
MAX_WORKERS = 2_000_000  #: the largest factories employ a few hundred thousand


@dataclass(frozen=True)
class DisclosureRow:
    row: int
    factory_name: str
    address: str
    country: str
    kind: str  #: FINAL_ASSEMBLY or COMPONENT
    manufacturer: str
    model: str
    product_group: str  #: "" for any
    workers: int | None
    os_id: str


def factory_type(word: str) -> str | None:
    return FACTORY_TYPES.get(" ".join(word.strip().lower().replace("-", " ").replace("_", " ").split()))


def read_disclosure(source: bytes | Path, filename: str) -> list[DisclosureRow]:
    """The rows of a disclosure, or ``RowsRefused`` with every problem (nothing is half-read)."""
    records, problems = read_rows(source, filename, columns=COLUMNS, required=REQUIRED, max_rows=MAX_ROWS)
    vocabulary = load_vocabulary()
    groups = vocabulary.codes("product_group")
    rows: list[DisclosureRow] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, record in records:
        before = problems.count
        name = required_text(record, "factory_name", number, problems)
        address = required_text(record, "address", number, problems, limit=500)
        manufacturer = required_text(record, "manufacturer", number, problems)
        model = required_text(record, "model", number, problems, limit=300)
        country_word = required_text(record, "country", number, problems)
        country = factory_country(country_word, vocabulary) if country_word else ""
        if country_word and country is None:
            problems.add(number, "country", "not_country")
        type_word = required_text(record, "factory_type", number, problems)
        kind = factory_type(type_word) if type_word else ""
        if type_word and kind is None:
            problems.add(number, "factory_type", "unknown_value", codes=f"{FINAL_ASSEMBLY}, {COMPONENT}")
        group_word = text(record, "product_group")
        group = vocabulary.code("product_group", group_word) if group_word else ""
        if group_word and group is None:
            problems.add(number, "product_group", "unknown_value", codes=", ".join(groups))
        workers = _workers(record, number, problems)
        os_id = text(record, "os_id").upper()
        if len(os_id) > 40:
            problems.add(number, "os_id", "too_long", limit=40)
        if problems.count > before:
            continue
        # the factory as it is stored (``factory_key``): "Compal Electronics (Kunshan) Co., Ltd." and
        # "COMPAL ELECTRONICS KUNSHAN" are one factory, and one model made there is one row
        key = (factory_key(name), str(country), str(kind), manufacturer.casefold(), model.casefold())
        if key in seen:
            problems.add(number, "-", "duplicate_row", other=seen[key])
            continue
        seen[key] = number
        rows.append(
            DisclosureRow(
                number, name, address, str(country), str(kind), manufacturer, model, str(group or ""),
                workers, os_id,
            )
        )  # fmt: skip
    problems.raise_if_any()
    return rows


def factory_country(word: str, vocabulary: Vocabulary | None = None) -> str | None:
    """The country of a factory as suppliers write it: the register's words (ISO codes, the pact's
    countries in its languages), else an ISO 3166 name, common name or three-letter code, as the
    countries where electronics are made are written ("Vietnam", "Taiwan", "South Korea", "MYS")."""
    return (vocabulary or load_vocabulary()).country(word)


def _workers(record: dict[str, object], number: int, problems: Collector) -> int | None:
    written = text(record, "workers")
    if not written:
        return None
    try:
        value = parse_number(written)
    except NotANumber:
        problems.add(number, "workers", "not_number")
        return None
    if not value.is_integer():
        problems.add(number, "workers", "not_whole")
    elif not 1 <= value <= MAX_WORKERS:
        problems.add(number, "workers", "out_of_range", low=1, high=MAX_WORKERS)
    else:
        return int(value)
    return None
