"""Manufacturers' footprints read from the Boavizta data set, and register models matched to them.

The real data set is not part of the project (ODbL, see its PROVENANCE.md): the tests that read it are
skipped where ``../shared/data`` does not hold it; the other tests use small hand-written files.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import polars as pl
import pytest

from cfit.impact.families import DIFFERENCES
from cfit.impact.matching import NO_MATCH, ModelIndex, alternates, normalise_manufacturer
from cfit.impact.pcf import PCF_COLUMNS, SUBCATEGORIES, PcfReport, parse_storage_gb, read_pcf_csv, unescape
from cfit.uploads import ImportRefused, Problem

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "boavizta-pcf" / "boavizta-data-us.csv"
HEADER = (
    "manufacturer,name,subcategory,gwp_total,gwp_use_ratio,gwp_error_ratio,hard_drive,report_date,sources\n"
)


@pytest.fixture(scope="module")
def real() -> tuple[pl.DataFrame, PcfReport]:
    if not DATA.exists():
        pytest.skip(f"the Boavizta data set is not at {DATA}")
    return read_pcf_csv(DATA.read_bytes(), DATA.name)


@pytest.fixture(scope="module")
def raw_rows() -> dict[int, dict[str, str]]:
    """The data set's rows as text, by file row (the header is row 1)."""
    if not DATA.exists():
        pytest.skip(f"the Boavizta data set is not at {DATA}")
    with DATA.open(encoding="utf-8-sig", newline="") as file:
        return dict(enumerate(csv.DictReader(file), start=2))


def refusal(text: str) -> list[Problem]:
    with pytest.raises(ImportRefused) as refused:
        read_pcf_csv(text.encode(), "pcf.csv")
    return refused.value.problems


# --- the real data set ---------------------------------------------------------------------------------


def test_the_real_data_set_keeps_the_rows_of_the_registers_product_groups(
    real: tuple[pl.DataFrame, PcfReport],
) -> None:
    table, report = real

    assert report.kept == {
        "notebooks": 364,
        "desktops": 204,
        "monitors": 239,
        "smartphones": 38,
        "tablets": 18,
        "servers": 45,
        "thin-clients": 12,
        "printers": 9,
    }
    assert table.height == sum(report.kept.values()) == 929
    assert dict(table.group_by("product_group").len().iter_rows()) == report.kept


def test_the_real_data_set_reports_the_subcategories_it_skips(
    real: tuple[pl.DataFrame, PcfReport], raw_rows: dict[int, dict[str, str]]
) -> None:
    _, report = real

    assert report.skipped["IoT"] == 25
    assert report.skipped["Hard drive"] == 11
    assert not set(map(str.lower, report.skipped)) & set(SUBCATEGORIES)
    assert sum(report.kept.values()) + sum(report.skipped.values()) == len(raw_rows) == 981


def test_the_real_data_sets_odd_error_ratios_are_counted_and_not_used(
    real: tuple[pl.DataFrame, PcfReport], raw_rows: dict[int, dict[str, str]]
) -> None:
    table, report = real
    odd = [n for n, r in raw_rows.items() if r["gwp_error_ratio"].strip() and float(r["gwp_error_ratio"]) > 1]

    odd_rows = table.filter(pl.col("row").is_in(odd))

    assert report.odd_error_ratio == len(odd) == 16
    assert odd_rows.height == 16
    assert odd_rows.get_column("error_ratio").null_count() == 16
    assert table.get_column("error_ratio").drop_nulls().is_between(0, 1, closed="right").all()


def test_the_real_data_set_counts_the_rows_whose_use_share_was_assumed(
    real: tuple[pl.DataFrame, PcfReport],
) -> None:
    table, report = real

    assumed = table.filter(pl.col("use_ratio_assumed"))

    assert report.assumed_use_ratio == assumed.height == table.get_column("use_ratio").null_count() == 54
    assert dict(assumed.group_by("product_group").len().iter_rows()) == {
        "notebooks": 22,
        "desktops": 4,
        "monitors": 28,
    }


def test_the_real_embodied_footprint_is_the_total_without_the_declared_use_share(
    real: tuple[pl.DataFrame, PcfReport],
) -> None:
    table, _ = real

    declared = table.filter(~pl.col("use_ratio_assumed"))

    expected = declared.get_column("gwp_total") * (1 - declared.get_column("use_ratio"))
    assert declared.get_column("embodied").to_list() == pytest.approx(expected.to_list(), rel=1e-12)
    assert (table.get_column("embodied") > 0).all()
    assert (table.get_column("embodied") <= table.get_column("gwp_total")).all()


def test_where_the_use_share_is_assumed_the_groups_median_share_is_taken(
    real: tuple[pl.DataFrame, PcfReport],
) -> None:
    table, _ = real
    medians = dict(table.group_by("product_group").agg(pl.col("use_ratio").median()).iter_rows())

    assumed = table.filter(pl.col("use_ratio_assumed"))

    for group, total, embodied in assumed.select("product_group", "gwp_total", "embodied").iter_rows():
        assert embodied == pytest.approx(total * (1 - medians[group]))


def test_the_real_data_sets_names_are_unescaped(real: tuple[pl.DataFrame, PcfReport]) -> None:
    table, _ = real

    lenovo = table.filter(pl.col("manufacturer") == "Lenovo").get_column("model").to_list()

    assert 'Legion 5 15"' in lenovo
    assert not table.get_column("model").str.contains(r"\\x", literal=True).any()


def test_the_real_data_sets_drive_descriptions_give_the_storage(
    real: tuple[pl.DataFrame, PcfReport], raw_rows: dict[int, dict[str, str]]
) -> None:
    table, _ = real
    rows = [n for n, r in raw_rows.items() if r["hard_drive"] == "x4 1TB 2.5in HDD  x2 300GB 2.5in HDD"]

    storage = table.filter(pl.col("row").is_in(rows)).get_column("storage_gb").to_list()

    assert storage == [4600.0, 4600.0]


def test_the_real_table_has_the_pcf_columns_and_types(real: tuple[pl.DataFrame, PcfReport]) -> None:
    table, _ = real

    assert dict(table.schema) == PCF_COLUMNS
    assert table.select(pl.col("manufacturer", "model", "product_group", "gwp_total").null_count()).row(
        0
    ) == (
        0,
        0,
        0,
        0,
    )


# --- small files, every value known ----------------------------------------------------------------------


def test_a_small_file_gives_embodied_footprints_and_a_report() -> None:
    text = HEADER + (
        "Dell,Latitude 5420,Laptop,300,0.2,0.1,SSD 512GB,May 2021,https://dell.example/a.pdf https://b\n"
        "HP,E24,Monitor,400,,,,,\n"
        "HP,E27,Monitor,500,0.5,0,,,\n"
        "HP,E28,monitor,100,0.3,2.5,,,\n"
        "Acme,Sensor,IoT,5,,,,,\n"
        "Acme,Thing,,5,,,,,\n"
    )

    table, report = read_pcf_csv(text.encode(), "pcf.csv")

    assert table.select("model", "product_group", "embodied", "use_ratio_assumed", "error_ratio").rows() == [
        ("Latitude 5420", "notebooks", pytest.approx(240.0), False, 0.1),
        ("E24", "monitors", pytest.approx(400 * (1 - 0.4)), True, None),  # median of 0.5 and 0.3
        ("E27", "monitors", pytest.approx(250.0), False, None),  # an error of 0 is "not stated"
        ("E28", "monitors", pytest.approx(70.0), False, None),  # an error above 1 is not used
    ]
    assert (
        table.row(0, named=True).items()
        >= {
            "storage_gb": 512.0,
            "year": 2021.0,
            "source_url": "https://dell.example/a.pdf",
            "row": 2,
        }.items()
    )
    assert report == PcfReport(
        kept={"notebooks": 1, "monitors": 3},
        skipped={"IoT": 1, "(none)": 1},
        assumed_use_ratio=1,
        odd_error_ratio=1,
    )


def test_a_file_with_no_footprint_of_a_known_group_is_refused() -> None:
    assert refusal(HEADER + "Acme,Sensor,IoT,5,,,,,\n") == [
        Problem("file", "-", "no footprint of a known product group")
    ]


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("Dell,Latitude 5420,Laptop,lots,0.2,,,,", "gwp_total", "not a number: 'lots'"),
        ("Dell,Latitude 5420,Laptop,,0.2,,,,", "gwp_total", "required: the cell is empty"),
        ("Dell,Latitude 5420,Laptop,0,0.2,,,,", "gwp_total", "a footprint of 0 kgCO2e"),
        ("Dell,Latitude 5420,Laptop,-3,0.2,,,,", "gwp_total", "not a positive number: '-3'"),
        ("Dell,Latitude 5420,Laptop,inf,0.2,,,,", "gwp_total", "not a number: 'inf'"),
        (
            "Dell,Latitude 5420,Laptop,300,1.2,,,,",
            "gwp_use_ratio",
            "a share must be between 0 and 1, got 1.2",
        ),
        ("Dell,Latitude 5420,Laptop,300,a fifth,,,,", "gwp_use_ratio", "not a number: 'a fifth'"),
        (",Latitude 5420,Laptop,300,0.2,,,,", "manufacturer", "required: the cell is empty"),
        ("  ,Latitude 5420,Laptop,300,0.2,,,,", "manufacturer", "required: the cell is empty"),
        ("Dell,,Laptop,300,0.2,,,,", "name", "required: the cell is empty"),
    ],
)
def test_a_bad_footprint_row_is_refused_naming_its_row_and_column(
    line: str, column: str, message: str
) -> None:
    text = HEADER + "HP,E24,Monitor,400,0.3,,,,\n" + line + "\n" + "HP,E27,Monitor,500,0.5,,,,\n"

    assert refusal(text) == [Problem("row 3", column, message)]


def test_every_bad_footprint_row_is_named_and_nothing_is_returned() -> None:
    text = HEADER + "HP,E24,Monitor,x,,,,,\nHP,E27,Monitor,500,0.5,,,,\n,E28,Monitor,500,7,,,,\n"

    problems = refusal(text)

    assert problems == [
        Problem("row 2", "gwp_total", "not a number: 'x'"),
        Problem("row 4", "gwp_use_ratio", "a share must be between 0 and 1, got 7.0"),
        Problem("row 4", "manufacturer", "required: the cell is empty"),
    ]


@pytest.mark.parametrize("missing", ["manufacturer", "name", "subcategory", "gwp_total"])
def test_a_file_without_a_required_column_is_refused_on_row_1(missing: str) -> None:
    headers = [
        h for h in ("manufacturer", "name", "subcategory", "gwp_total", "gwp_use_ratio") if h != missing
    ]
    text = ",".join(headers) + "\n" + ",".join("1" for _ in headers) + "\n"

    assert refusal(text) == [Problem("row 1", missing, "required column missing")]


def test_a_file_saved_by_windows_in_cp1252_is_read_as_such() -> None:
    # Every import reads text the same way (cfit.tabular): cp1252 where the bytes are not UTF-8.
    data = (HEADER + "Société,Écran,Monitor,400,0.3,,,,\n").encode("cp1252")

    table, _ = read_pcf_csv(data, "pcf.csv")

    assert table.get_column("manufacturer").to_list() == ["Société"]


@pytest.mark.parametrize(
    ("text", "gigabytes"),
    [
        ("x4 1TB 2.5in HDD  x2 300GB 2.5in HDD", 4600.0),
        ("x4 1TB 2.5in HDD   x2 300GB 2.5in HDD", 4600.0),
        ("x1 480GB 2.5in SSD x1 960GB 2.5in SSD", 1440.0),
        ("x2 1.2TB 2.5in HDD", 2400.0),
        ("SSD 512GB", 512.0),
        ("512GB", 512.0),
        ("1.6TB SSD", 1600.0),
        ("14TB HDD", 14000.0),
        ("ssd 256gb", 256.0),
        ("42ppm", None),
        ("No Hard Drive", None),
        ("x4 2.5in HDD Blank", None),
        ("", None),
    ],
)
def test_parse_storage_gb_adds_up_the_drives(text: str, gigabytes: float | None) -> None:
    assert parse_storage_gb(text) == gigabytes


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Legion 5 15\\xe2\\x80\\x9d", 'Legion 5 15"'),
        ("ThinkPad X1 \\xe2\\x80\\x93 Gen 9", "ThinkPad X1 - Gen 9"),
        ("Latitude 5420", "Latitude 5420"),
        ("broken \\xff escape", "broken \\xff escape"),
    ],
)
def test_unescape_undoes_the_byte_escapes_left_by_scraping(text: str, name: str) -> None:
    assert unescape(text) == name


# --- matching register models to footprint models --------------------------------------------------------


FOOTPRINTS = [
    ("HP", "EliteBook 840 G8", "notebooks"),
    ("Dell", "Latitude 5420", "notebooks"),
    ("Lenovo", "ThinkPad E14.ThinkPad R14", "notebooks"),
    ("Lenovo", "C22-10/D22-10", "monitors"),
    ("Dell", "OptiPlex 7090 Tower", "desktops"),
    ("Hewlett-Packard", "Z2 G9", "desktops"),
    ("Apple", "iPad Air", "tablets"),
]


@pytest.fixture(scope="module")
def index() -> ModelIndex:
    manufacturers, models, groups = zip(*FOOTPRINTS, strict=True)
    return ModelIndex(manufacturers, models, groups)


@pytest.mark.parametrize(
    ("manufacturer", "model", "group", "footprint"),
    [
        ("HP", "EliteBook 840 G8", "notebooks", "EliteBook 840 G8"),
        ("HP Inc.", "EliteBook 840 G8", "notebooks", "EliteBook 840 G8"),
        ("Hewlett-Packard", "HP EliteBook 840 G8 Notebook PC", "notebooks", "EliteBook 840 G8"),
        ("hewlett packard", "elitebook 840 g8", "notebooks", "EliteBook 840 G8"),
        ("Dell Inc.", "Latitude 5420", "notebooks", "Latitude 5420"),
        ("DELL", "latitude-5420", "notebooks", "Latitude 5420"),
        ("Dell Technologies", "Dell Latitude 5420 Laptop", "notebooks", "Latitude 5420"),
        ("HP", "Z2 G9", "desktops", "Z2 G9"),  # the footprint's maker is "Hewlett-Packard"
        ("apple", "IPAD AIR", "tablets", "iPad Air"),
        ("Apple Inc.", "iPad Air tablet", "tablets", "iPad Air"),
    ],
)
def test_the_same_model_after_normalisation_matches_with_confidence_1(
    index: ModelIndex, manufacturer: str, model: str, group: str, footprint: str
) -> None:
    match = index.match(manufacturer, model, group)

    assert (match.name, match.confidence) == (footprint, 1.0)


@pytest.mark.parametrize(
    ("model", "group", "footprint"),
    [
        ("ThinkPad E14", "notebooks", "ThinkPad E14.ThinkPad R14"),
        ("ThinkPad R14", "notebooks", "ThinkPad E14.ThinkPad R14"),
        ("C22-10", "monitors", "C22-10/D22-10"),
        ("D22-10", "monitors", "C22-10/D22-10"),
    ],
)
def test_each_model_of_a_sheet_covering_several_matches_it(
    index: ModelIndex, model: str, group: str, footprint: str
) -> None:
    match = index.match("Lenovo", model, group)

    assert (match.name, match.confidence) == (footprint, 1.0)
    assert match.index == [m for _, m, _ in FOOTPRINTS].index(footprint)


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("ThinkPad E14.ThinkPad R14", ["ThinkPad E14", "ThinkPad R14"]),
        ("C22-10/D22-10", ["C22-10", "D22-10"]),
        ("Latitude 5420", ["Latitude 5420"]),
        ("Precision 3.5in", ["Precision 3.5in"]),
    ],
)
def test_alternates_splits_a_sheet_into_its_models(name: str, parts: list[str]) -> None:
    assert alternates(name) == parts


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("HP Inc.", "hp"),
        ("Hewlett-Packard", "hp"),
        ("Hewlett Packard Enterprise", "hpe"),
        ("Dell Inc.", "dell"),
        ("Dell EMC", "dell"),
        ("Lenovo Group Ltd.", "lenovo"),
        ("Fujitsu Technology Solutions GmbH", "fujitsu"),
        ("Acer", "acer"),
    ],
)
def test_manufacturer_names_are_normalised(name: str, normalised: str) -> None:
    assert normalise_manufacturer(name) == normalised


def test_another_form_factor_is_no_match_but_the_nearest_sibling_saying_what_differs() -> None:
    index = ModelIndex(
        ["Dell", "Dell"],
        ["OptiPlex 7090 Tower", "OptiPlex 5080 Small Form Factor"],
        ["desktops", "desktops"],
        values=[250.0, 230.0],
    )
    weights = [1.0] * len(DIFFERENCES)

    found = index.siblings(
        [("Dell", "OptiPlex 7090 Micro", "desktops", None, None)], weights, 0.05, 1, explain=True
    )

    assert index.match("Dell", "OptiPlex 7090 Micro", "desktops") == NO_MATCH
    assert index.names[found.nearest[0]] == "OptiPlex 7090 Tower"
    assert found.differs[0] == ("form",) and found.distance[0] > 0
    assert found.log_value[0] == pytest.approx(math.log(250.0))


@pytest.mark.parametrize(
    ("manufacturer", "model", "group"),
    [
        ("Dell", "Latitude 5430", "notebooks"),
        ("Dell", "Latitude 7420", "notebooks"),
        ("HP", "EliteBook 840 G9", "notebooks"),
        ("HP", "EliteBook 850 G8", "notebooks"),
        ("Lenovo", "ThinkPad E15", "notebooks"),
        ("Dell", "OptiPlex 7080 Tower", "desktops"),
    ],
)
def test_a_different_model_number_never_matches(
    index: ModelIndex, manufacturer: str, model: str, group: str
) -> None:
    assert index.match(manufacturer, model, group) == NO_MATCH


def test_another_generation_of_the_same_line_never_matches() -> None:
    index = ModelIndex(["Lenovo"], ["ThinkPad T14 Gen 2"], ["notebooks"])

    assert index.match("Lenovo", "ThinkPad T14 Gen 3", "notebooks") == NO_MATCH


@pytest.mark.parametrize(
    ("manufacturer", "model", "group"),
    [
        ("Lenovo", "Latitude 5420", "notebooks"),
        ("Dell", "Latitude 5420", "desktops"),
        ("HP", "EliteBook 840 G8", "monitors"),
        ("Hewlett Packard Enterprise", "EliteBook 840 G8", "notebooks"),
        ("Unknown Maker", "Latitude 5420", "notebooks"),
    ],
)
def test_another_manufacturer_or_product_group_never_matches(
    index: ModelIndex, manufacturer: str, model: str, group: str
) -> None:
    assert index.match(manufacturer, model, group) == NO_MATCH


@pytest.mark.parametrize("model", ["EliteBook 840G8", "Elitebook 840g8", "HP EliteBook 840G8 Notebook PC"])
def test_a_glued_model_number_matches_the_spaced_one(index: ModelIndex, model: str) -> None:
    match = index.match("HP", model, "notebooks")

    assert (match.name, match.confidence) == ("EliteBook 840 G8", 1.0)


def test_a_glued_model_number_in_the_footprint_matches_a_spaced_query() -> None:
    index = ModelIndex(["HP"], ["EliteBook 840G8"], ["notebooks"])

    assert index.match("HP", "EliteBook 840 G8", "notebooks").confidence == 1.0


@pytest.mark.parametrize("model", ["", "Notebook PC", "Dell"])
def test_a_name_without_identifying_words_never_matches(index: ModelIndex, model: str) -> None:
    assert index.match("Dell", model, "notebooks") == NO_MATCH


def test_match_all_matches_each_row_in_order(index: ModelIndex) -> None:
    rows = [
        ("Dell", "Latitude 5420", "notebooks"),
        ("Dell", "Latitude 5430", "notebooks"),
        ("HP", "Z2 G9", "desktops"),
    ]

    names = [m.name for m in index.match_all(rows)]

    assert names == ["Latitude 5420", "", "Z2 G9"]


def test_every_model_of_the_real_data_set_finds_a_sheet_of_its_own_name(
    real: tuple[pl.DataFrame, PcfReport],
) -> None:
    table, _ = real
    index = ModelIndex(
        table.get_column("manufacturer").to_list(),
        table.get_column("model").to_list(),
        table.get_column("product_group").to_list(),
    )
    queries = [
        (maker, model, group)
        for maker, name, group in table.select("manufacturer", "model", "product_group").iter_rows()
        for model in alternates(name)
    ]

    matches = index.match_all(queries)

    assert len(matches) == len(queries) >= 981  # 929 sheets, some naming several models
    assert [q for q, m in zip(queries, matches, strict=True) if m.confidence != 1.0] == []


@pytest.mark.parametrize(
    ("maker", "group", "models", "query"),
    [
        (
            "Apple",
            "smartphones",
            ["iPhone 13 mini with 128GB", "iPhone 13 with 128GB"],
            "iPhone 13 with 128GB",
        ),
        (
            "Apple",
            "smartphones",
            ["iPhone 13 with 128GB", "iPhone 13 mini with 128GB"],
            "iPhone 13 mini with 128GB",
        ),
        ("Microsoft", "tablets", ["Surface Pro 7", "Surface Pro 7+"], "Surface Pro 7+"),
    ],
)
def test_a_variant_named_by_a_word_or_sign_matches_its_own_sheet(
    maker: str, group: str, models: list[str], query: str
) -> None:
    index = ModelIndex([maker] * len(models), models, [group] * len(models))

    assert index.match(maker, query, group).name == query
