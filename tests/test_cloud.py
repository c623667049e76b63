"""The cloud footprint core (``cfit.cloud``): reading and checking FOCUS files, the computation per
kind against hand-computed figures, refusals named by row and column, the rules that always hold,
and the FOCUS sample data of ``../shared/data/cloud``. Database-free.

Golden figures: the shipped coefficients (``cfit/cloud/factors/``, method ``cfit-cloud-2``): AWS
watts per vCPU of an unknown type 0.4556 (lowest idle, EPYC 3rd Gen) to 8.9614 (highest full load,
EPYC 5th Gen), 2.41205 at CCF's 50 % utilisation of the average (1.0113 to 3.8128); AWS PUE 1.15
(AWS 2024); AWS embodied 0.00047885 / 0.00068695 / 0.00130783 kgCO2e per vCPU-hour; memory 0.000392 kWh
per GB-hour; HDD 0.65 and SSD 1.2 Wh per TB-hour; S3 six copies; network 0.001 kWh per GB. The grid
is the test's own: US 380 / 400 / 420 gCO2e/kWh.
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zlib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.cloud import cli
from cfit.cloud.focus import read_focus
from cfit.cloud.footprint import KINDS, CloudFootprint, compute_footprint
from cfit.cloud.reference import CloudReference, load_cloud_factors
from cfit.impact.figures import Source, Span
from cfit.impact.reference import GridFactor
from cfit.uploads import ImportRefused, Problem
from tests.tender_helpers import shared

COLUMNS = [
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodStart",
    "ConsumedQuantity", "ConsumedUnit", "ProviderName", "RegionId", "ServiceCategory", "ServiceName",
    "BilledCost",
]  # fmt: skip
ROW = {
    "BillingPeriodStart": "2024-09-01T00:00:00Z",
    "ChargeCategory": "Usage",
    "ChargeClass": "",
    "ChargeDescription": "",
    "ChargePeriodStart": "2024-09-18T22:00:00Z",
    "ConsumedQuantity": "1",
    "ConsumedUnit": "Hours",
    "ProviderName": "AWS",
    "RegionId": "us-east-1",
    "ServiceCategory": "Compute",
    "ServiceName": "Amazon Elastic Compute Cloud",
    "BilledCost": "1.0",
}
GRID = {
    "US": GridFactor("US", "United States", 2024, Span(380.0, 400.0, 420.0), "test-grid"),
    "SE": GridFactor("SE", "Sweden", 2024, Span(20.0, 30.0, 40.0), "test-grid"),
    "WORLD": GridFactor("WORLD", "World", 2024, Span(450.0, 475.0, 500.0), "test-grid"),
}
#: A damaged Parquet export (zlib, base64) on which polars 1.44 aborts the whole process: its metadata
#: asks for an allocation of 2.3 exabytes.
ABORTING_PARQUET = (
    "eNq9V31oU1cUvy9tk9Z22q97+yJPjbVeRe2Spna2MoYvST+tNU2bpg0T+poXk6z5WpKmHzAQEWHiOuY+/nAwRESGiIhs4j6QOYqT"
    "UVRkkzH8aysOnH+MMRhIJ7v35b3ktaavaudCct+553fPOb9z7n333jh5VwMshBZo64Y6CADY+rn5HxN7DYBq0rFarDvrLS31loZ+"
    "i2W39PVCAMth7Q4okoce6rlXwNbqfOPYvFolQjEPgI50RAaIsMzYBPTlRrbSFgqHQ9GA058IxcS+lJBIwTIkonsMOqTDIi5+5mAk"
    "tUpYp06tpBOAItJxJ4WAP08uRRLAZh6abFfbg0Ii4LcLKX8glpiUmB5m0FkGzxfgqwV5nBE2AFZ2k0ZxDBiiBXA1NKlIiApqaJHD"
    "kkFK1FI5alhIJqWQLpTGR/X45yLJ8L8IUZEJ4fAnfYlQPBWKRbOBZg34lEEJtMyiaWjut1qfYtGox7F5tZrTILPNv2ZuluA/i585"
    "GsltphA+YLoJXzn2cC04UACsM6tKL/7IiOP41sXTB/3jJ64du39h5hZpjtDGITXN209+Zass7Cw3m/74sKF2/J237zXhX24Pvp/4"
    "7uSNdaO1f98erPpCJfo+JuLIXO27/ChOX+9+uLYUD3fWkYqJML2gYkwLy1iUWljfY+Ra6NfsMZU5BK7j9I7uX1911u3r9x8YPBt5"
    "/be3hrdOi6FPgucuhH+/Gt9B9dmqldtj0eRYxC/2jgnRVCiVWb7zReizAnxpNT5XpgpIysHCbeqpLhMAKCaddlt9R2wskcwzvcUK"
    "xmYlzWksUwi5o6HMDH7AoCsMPl6Bb5Qv6ZBQIwtbTY0u6ALS4T19Cqs3c6wKiJqljTYXZyKWDon+RI8Q8Utc0ugkg69U4ceVi7wQ"
    "AmvhDjWBl0IAlJDOWLLeLyRT9Q15ilOSBdmcqEmp2OUPkBexU5TonGTQVQZfh/gQ1HBHuCG4Vc2tdAgAA+nYY5H4WIpuf4ZFzAwy"
    "xCqCJqs1ff5EOuRbuAdOM+gSgx/V4Cs1S3gkxPZAl5qYiWEAR2ctIkzFoqZWsrulQj6TbGGyh2NjYp46clrjWU1UM69SOa/s/B/X"
    "oYs6fHctfmBccdyl12zDy5Y8SRYQNUsbTcqr6NnpF+2xZCq3Yk+tx/fXLfJhrNAZ8x+XS6ghMCLZLHOQKU8FYIwsA+iPKsR8CnVE"
    "9Va7hFoVkbGQX4tKkX35VaIKpm9lplUpcy+FWlYNUJZmTlKBmtO5FLxLWbM5ZqT6mVZWckiEZxgiUXG+AAZl8agedsnirCEr3izJ"
    "Db60Gp5X5OMVMCWLV6rgsCxeh3BCFh/VwLgs3l0LZxS7U+szg6HOeK+jMBGLpSBLrgCbdfluYZtBN307JXjRtUcNqe8mav2TF4o8"
    "6BLhnjio1OCCQ2MBoN7B1UB2H1UrF29jC3JSbQVqvep9k9VINHLGWTyn417ghRb9tRkiNLcBRgE+XcSt4DKKjmHi6Y4JWgGe13NP"
    "e8FEp6jZkY2wFuBvi7lnuzSiy9T4rGR8s5R7kXc4NIshi25spIW6X8E918UHzVEfl2sp3ZlKboV3FTRPk/+pFr4G8J1q7nluG+jE"
    "FuLio01wG8BHargV3Q7Qp9TXN5ugDeDzRm6lZzq6St0droO7AT66jvt/jlL0wxYyQV/XwWkG4C83cM9+GqKHlPb3m0lF0XQVIq8k"
    "ulNVTXdItox3ufZ7did9QX9EYM8YzPSza5+d5/lW8uOb06Q/0ctn+pJqL88nebv07OW3Owk+Pk71nTwfkMdJ/WbatVN1T8BGpAAZ"
    "zgsUdvCk72imgyZp00XtbKNU7KENHcg7AuaDZnM77dp42T/5uCQuWdxOTVu74iPtE2Fva0/a10jxqe1mc/MQrySR4WVr45WPhHdT"
    "yW0dmBQj4Te87qbgiMfN73fuIvkGFBI0T+rFrVhK+Dilbuv3DnZZBU9PuNfaZvF6xLQvOsoLy9hL+LiUbx+xiY9Ym7q8EmJ3m9Na"
    "+WZwBxXbbJMjjd64t31gsj/SlvJKQxyt2vYZXLIndRqJ9jSMeAZGBzxNcTGDW5axl/DWRfbuwYHgSNQVFzuk6eP30vWgkX8Gp15s"
    "DqG9bdJrHegldSR1cPWLpC9xaZsya85fBndJQazBoC8ihl3tA1NDjV1xX4eL+NpJI/fSpaxRTwm3j0v5xIYGu6Jed09yaLBniu9e"
    "Jn4G36+Or14D/H4JT2aD2nL2xF8fLQ15umS/++T6NlM+NjrERq1sdsEzkRQ8TVE3mWfB0zLqbnQFfdFeHrB6ZywskNvhLDmSl/2C"
    "x+RfrJN3NfwLDZx67Q=="
)
GRAM = 0.0005  # kg: results match hand-computed ones to the gram


@cache
def reference() -> CloudReference:
    return load_cloud_factors(grid=GRID, grid_sources={"test-grid": Source("test-grid", "the test's grid")})


def focus_csv(rows: Sequence[Mapping[str, str]], columns: Sequence[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    out.write(",".join(columns) + "\n")
    for row in rows:
        cells = [{**ROW, **row}.get(c, "") for c in columns]
        out.write(",".join(f'"{c}"' if "," in c else c for c in cells) + "\n")
    return out.getvalue().encode()


def footprint(rows: Sequence[Mapping[str, str]], columns: Sequence[str] = COLUMNS) -> CloudFootprint:
    data = focus_csv(rows, columns)
    focus = read_focus(data, "cloud.csv", reference().focus_columns, vcpu_per_ocpu=2)
    return compute_footprint(focus, reference())


def refusal(
    rows: Sequence[Mapping[str, str]], columns: Sequence[str] = COLUMNS, **kwargs: int
) -> list[Problem]:
    with pytest.raises(ImportRefused) as refused:
        read_focus(focus_csv(rows, columns), "cloud.csv", reference().focus_columns, **kwargs)  # type: ignore[arg-type]
    return refused.value.problems


def close(span: Span, low: float, value: float, high: float) -> None:
    assert span.low == pytest.approx(low, abs=GRAM)
    assert span.value == pytest.approx(value, abs=GRAM)
    assert span.high == pytest.approx(high, abs=GRAM)


# -- a hand-computed case per kind --------------------------------------------------------------------


def test_it_computes_vcpu_hours_with_watts_between_idle_and_full_load_and_the_embodied_share() -> None:
    result = footprint([{"ConsumedQuantity": "1000", "ConsumedUnit": "vCPU-Hours"}])

    # 1000 vCPU-h × 0.4556 / 2.41205 / 8.9614 W ÷ 1000 × PUE 1.15: no type named, the provider's
    # average and its wider range
    close(result.energy_kwh, 0.52394, 2.7738575, 10.30561)
    # energy × 380 / 400 / 420 g ÷ 1000, plus 1000 vCPU-h × 0.00047885 / 0.00068695 / 0.00130783 kg
    close(result.emissions_kgco2e, 0.6779472, 1.796493, 5.6361862)
    close(result.embodied_kgco2e, 0.47885, 0.68695, 1.30783)
    assert set(result.by_kind) == {"compute"}


def test_it_counts_an_instance_hour_as_its_vcpus_with_the_instance_s_own_embodied_share() -> None:
    result = footprint(
        [
            {
                "ConsumedQuantity": "100",
                "ConsumedUnit": "Hours",
                "ChargeDescription": "$0.0464 per On Demand Linux t2.medium Instance Hour",
            }
        ]
    )

    # t2.medium: 2 vCPUs, Haswell 1.8574 W idle, 5.5954 W full load (3.7264 W at 50 %), 0.00175697
    # kgCO2e per instance-hour (instances.csv); 200 vCPU-h × W ÷ 1000 × PUE 1.15
    close(result.energy_kwh, 0.427202, 0.857072, 1.286942)
    close(result.embodied_kgco2e, 0.175697, 0.175697, 0.175697)
    close(result.emissions_kgco2e, 0.33803376, 0.5185258, 0.71621264)
    assert set(result.by_family) == {"aws t2"}


def test_it_computes_storage_as_tb_hours_times_the_medium_s_watt_hours_and_the_copies_kept() -> None:
    result = footprint(
        [
            {
                "ConsumedQuantity": "1000",
                "ConsumedUnit": "GB-Months",
                "ServiceCategory": "Storage",
                "ServiceName": "Amazon Simple Storage Service",
                "ChargeDescription": "$0.023 per GB - first 50 TB / month of storage used",
            }
        ]
    )

    # 1000 GB-months = 730 TB-h × 0.65 Wh (HDD) × 6 copies ÷ 1000 × PUE 1.15 = 3.27405 kWh
    close(result.energy_kwh, 3.27405, 3.27405, 3.27405)
    close(result.emissions_kgco2e, 1.244139, 1.30962, 1.375101)
    close(result.embodied_kgco2e, 0, 0, 0)


def test_it_spans_hdd_and_ssd_for_storage_of_an_unknown_medium() -> None:
    result = footprint(
        [
            {
                "ConsumedQuantity": "1000",
                "ConsumedUnit": "GB-Hours",
                "ServiceCategory": "Storage",
                "ServiceName": "Amazon Elastic Block Store",
            }
        ]
    )

    # 1 TB-h × 0.65 / 0.925 / 1.2 Wh × 2 copies ÷ 1000 × 1.15
    close(result.energy_kwh, 0.001495, 0.0021275, 0.00276)


def test_it_computes_memory_as_gb_hours_times_kwh_per_gb_hour() -> None:
    result = footprint([{"ConsumedQuantity": "1000", "ConsumedUnit": "GB-Hours"}])

    # 1000 GB-h × 0.000392 kWh × 1.15 = 0.4508 kWh; × 0.38 / 0.4 / 0.42 kg per kWh
    close(result.energy_kwh, 0.4508, 0.4508, 0.4508)
    close(result.emissions_kgco2e, 0.171304, 0.18032, 0.189336)
    assert set(result.by_kind) == {"memory"}


def test_it_computes_network_as_gb_transferred_times_kwh_per_gb() -> None:
    result = footprint([{"ConsumedQuantity": "500", "ConsumedUnit": "GB", "ServiceCategory": "Networking"}])

    # 500 GB × 0.001 kWh × 1.15 = 0.575 kWh
    close(result.energy_kwh, 0.575, 0.575, 0.575)
    close(result.emissions_kgco2e, 0.2185, 0.23, 0.2415)


def test_it_takes_a_wider_grid_range_for_a_region_it_does_not_know() -> None:
    known = footprint([{"ConsumedQuantity": "500", "ConsumedUnit": "GB", "ServiceCategory": "Networking"}])
    unknown = footprint(
        [
            {
                "ConsumedQuantity": "500",
                "ConsumedUnit": "GB",
                "ServiceCategory": "Networking",
                "RegionId": "mars-north-1",
            }
        ]
    )

    region = unknown.by_region["mars-north-1"]
    assert region.country is None
    # the world's value, spanning the lowest and highest grid of AWS's known regions (SE to WORLD)
    assert (region.grid_gco2e_per_kwh.low, region.grid_gco2e_per_kwh.value) == (20.0, 475.0)
    assert region.grid_gco2e_per_kwh.high == 500.0
    assert unknown.emissions_kgco2e.high - unknown.emissions_kgco2e.low > (
        known.emissions_kgco2e.high - known.emissions_kgco2e.low
    )


def test_it_gives_a_provider_without_coefficients_the_industry_pue_range() -> None:
    result = footprint(
        [
            {
                "ProviderName": "Oracle",
                "ConsumedQuantity": "500",
                "ConsumedUnit": "GB",
                "ServiceCategory": "Networking",
            }
        ]
    )

    # 0.5 kWh × PUE 1.1 / 1.56 / 1.56 (Uptime Institute 2024)
    close(result.energy_kwh, 0.55, 0.78, 0.78)
    assert "pue-uptime" in {s.id for s in result.sources}


def test_it_groups_by_service_region_and_month_and_names_every_source() -> None:
    result = footprint(
        [
            {"ConsumedQuantity": "1000", "ConsumedUnit": "GB-Hours"},
            {"ConsumedQuantity": "500", "ConsumedUnit": "GB", "ServiceCategory": "Networking",
             "ServiceName": "AWS Data Transfer", "ChargePeriodStart": "2024-10-02T00:00:00Z"},
        ]
    )  # fmt: skip

    assert set(result.by_month) == {"2024-09", "2024-10"}
    assert set(result.by_service) == {"Amazon Elastic Compute Cloud", "AWS Data Transfer"}
    assert result.by_region["us-east-1"].country == "US"
    close(result.by_month["2024-10"].energy_kwh, 0.575, 0.575, 0.575)
    assert {"ccf-method", "ccf-regions", "pue-aws", "test-grid"} <= {s.id for s in result.sources}


def test_it_leaves_out_what_is_no_usage_and_says_why() -> None:
    result = footprint(
        [
            {"ConsumedQuantity": "1000", "ConsumedUnit": "Requests"},
            {"ChargeCategory": "Tax", "ConsumedQuantity": "", "ConsumedUnit": ""},
            {"ConsumedQuantity": "-2", "ConsumedUnit": "GB-Hours", "BilledCost": "-0.5"},
            {"ConsumedQuantity": "5", "ConsumedUnit": "Hours", "ChargeDescription": "a mystery machine"},
        ]
    )

    assert result.rows == 4
    assert result.counted_rows == 0
    assert sum(result.not_counted.values()) == 4
    assert "correction or reversal of an earlier charge" in result.not_counted


# -- refusals, by row and column ----------------------------------------------------------------------


def test_it_refuses_a_file_without_a_column_it_needs() -> None:
    columns = [c for c in COLUMNS if c != "ConsumedUnit"]

    assert Problem("header", "ConsumedUnit", "required column missing") in refusal([{}], columns)


def test_it_refuses_a_column_no_focus_version_defines_but_takes_custom_x_columns() -> None:
    problems = refusal([{}], [*COLUMNS, "CostCentre"])

    assert [(p.where, p.field) for p in problems] == [("header", "CostCentre")]
    assert footprint([{"ConsumedUnit": "GB-Hours"}], [*COLUMNS, "x_CostCentre"]).counted_rows == 1


def test_it_refuses_a_file_of_focus_0_5() -> None:
    columns = [("UsageQuantity" if c == "ConsumedQuantity" else c) for c in COLUMNS]

    (problem,) = refusal([{}], columns)

    assert "FOCUS 0.5 or earlier" in problem.message


def test_it_names_the_version_by_the_columns_of_the_file() -> None:
    assert footprint([{}]).focus_version == "1.0"
    assert footprint([{}], [*COLUMNS, "ServiceSubcategory"]).focus_version == "1.1"
    assert footprint([{}], [*COLUMNS, "InvoiceId"]).focus_version == "1.2"


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({"ConsumedUnit": "GB-Fortnights"}, "ConsumedUnit", "not per “fortnights”"),
        ({"ConsumedUnit": "vCPU-Lightyears"}, "ConsumedUnit", "not per “lightyears”"),
        ({"ConsumedUnit": ""}, "ConsumedUnit", "needs its unit"),
        ({"ConsumedQuantity": "-3"}, "ConsumedQuantity", "negative usage"),
        ({"ConsumedQuantity": "lots"}, "ConsumedQuantity", "not a number"),
        ({"ConsumedQuantity": "inf"}, "ConsumedQuantity", "not a number"),
        ({"ChargePeriodStart": "18/09/2024"}, "ChargePeriodStart", "not a FOCUS date-time"),
        ({"ChargeCategory": "Refund"}, "ChargeCategory", "none of"),
        ({"ServiceName": ""}, "ServiceName", "missing"),
    ],
)
def test_it_refuses_a_bad_row_naming_its_row_and_column(row: dict[str, str], field: str, words: str) -> None:
    problems = refusal([{}, row, {}])

    assert [(p.where, p.field) for p in problems] == [("row 3", field)]
    assert words in problems[0].message


def test_it_refuses_all_or_nothing_and_counts_every_bad_row() -> None:
    with pytest.raises(ImportRefused) as refused:
        read_focus(focus_csv([{"ConsumedQuantity": "-1"}] * 250 + [{}]), "big.csv", reference().focus_columns)

    assert refused.value.count == 250
    assert len(refused.value.problems) == 200


def test_it_refuses_a_file_over_the_import_limit() -> None:
    (problem,) = refusal([{}] * 10, limit=100)

    assert "larger than" in problem.message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("noise.parquet", bytes(range(256)) * 20),
        ("truncated.parquet", b"PAR1" + bytes(range(256)) * 4 + b"PAR1"),
        ("empty.csv", b""),
        ("utf16.csv", focus_csv([{}]).decode().encode("utf-16")),
        ("quote.csv", focus_csv([{}]) + b'"never closed,\n'),
        ("wide.csv", focus_csv([{}]) + b",".join([b"x"] * 40) + b"\n"),
    ],
)
def test_it_refuses_a_file_that_is_no_focus_export_by_name(name: str, data: bytes) -> None:
    with pytest.raises(ImportRefused) as refused:
        read_focus(data, name, reference().focus_columns)

    assert refused.value.problems[0].where == "file"


@cache
def parquet_export() -> bytes:
    rows = [{"ConsumedQuantity": str(n), "ConsumedUnit": "GB-Hours"} for n in range(50)]
    out = io.BytesIO()
    pl.read_csv(focus_csv(rows), infer_schema=False).write_parquet(out)
    return out.getvalue()


@settings(max_examples=40, deadline=None)
@given(st.booleans(), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_damaged_file_is_computed_or_refused_never_a_crash(
    parquet: bool, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(parquet_export() if parquet else focus_csv([{"ConsumedUnit": "GB-Hours"}] * 20))
    for position, byte in flips:
        data[position % len(data)] = byte

    try:
        # Apart, as the API reads an upload: in process, polars may abort on a damaged Parquet file.
        name = "cloud.parquet" if parquet else "cloud.csv"
        focus = read_focus(bytes(data), name, reference().focus_columns, isolate_parquet=True)
        compute_footprint(focus, reference())
    except ImportRefused:
        pass


def test_it_reads_an_uploaded_parquet_file_apart_so_a_reader_abort_refuses_it() -> None:
    data = zlib.decompress(base64.b64decode(ABORTING_PARQUET))

    with pytest.raises(ImportRefused) as refused:
        read_focus(data, "damaged.parquet", reference().focus_columns, isolate_parquet=True)

    assert "not a readable FOCUS file" in refused.value.problems[0].message


def test_it_reads_a_sound_parquet_file_apart_as_it_reads_it_in_process() -> None:
    apart = read_focus(parquet_export(), "sound.parquet", reference().focus_columns, isolate_parquet=True)

    assert apart.usage.equals(read_focus(parquet_export(), "sound.parquet", reference().focus_columns).usage)


def test_it_refuses_a_parquet_column_of_nested_values_by_name() -> None:
    frame = pl.read_csv(focus_csv([{}]), infer_schema=False).with_columns(
        pl.col("ConsumedQuantity").map_elements(lambda q: [q], return_dtype=pl.List(pl.String))
    )
    out = io.BytesIO()
    frame.write_parquet(out)

    with pytest.raises(ImportRefused) as refused:
        read_focus(out.getvalue(), "nested.parquet", reference().focus_columns)

    assert [(p.where, p.field) for p in refused.value.problems] == [("header", "ConsumedQuantity")]


def test_it_names_a_row_that_lacks_cells_by_its_column() -> None:
    data = focus_csv([{}]) + b"2024-09-01T00:00:00Z,Usage\n"

    with pytest.raises(ImportRefused) as refused:
        read_focus(data, "short.csv", reference().focus_columns)

    assert ("row 3", "ChargePeriodStart") in {(p.where, p.field) for p in refused.value.problems}


def test_it_reads_parquet_as_it_reads_csv() -> None:
    rows = [
        {"ConsumedQuantity": "1000", "ConsumedUnit": "vCPU-Hours"},
        {"ConsumedQuantity": "500", "ConsumedUnit": "GB", "ServiceCategory": "Networking"},
    ]
    frame = pl.read_csv(focus_csv(rows), infer_schema=False).with_columns(
        pl.col("ConsumedQuantity").cast(pl.Float64),
        pl.col("ChargePeriodStart").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC"),
    )
    out = io.BytesIO()
    frame.write_parquet(out)

    parquet = compute_footprint(
        read_focus(out.getvalue(), "cloud.parquet", reference().focus_columns), reference()
    )

    assert parquet.as_dict() == footprint(rows).as_dict()


# -- rules that always hold ---------------------------------------------------------------------------

USAGE = st.fixed_dictionaries(
    {
        "ConsumedUnit": st.sampled_from(["vCPU-Hours", "GB-Hours", "GB-Months", "GB", "OCPU Hours", "Hours"]),
        "ConsumedQuantity": st.floats(0, 1e6, allow_nan=False).map(lambda q: f"{q:.6f}"),
        "ProviderName": st.sampled_from(["AWS", "Google Cloud", "Microsoft", "Oracle"]),
        "RegionId": st.sampled_from(["us-east-1", "eu-north-1", "eastus", "nowhere-1", ""]),
        "ServiceCategory": st.sampled_from(["Compute", "Storage", "Networking", "Databases"]),
        "ChargeDescription": st.sampled_from(["", "t3.medium", "gp3 SSD", "snapshot", "data transfer"]),
    }
)


def spans(result: CloudFootprint) -> list[Span]:
    out = [result.energy_kwh, result.emissions_kgco2e, result.embodied_kgco2e]
    for group in (result.by_kind, result.by_service, result.by_region, result.by_month):
        out += [s for figures in group.values() for s in (figures.energy_kwh, figures.emissions_kgco2e)]
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(USAGE, min_size=1, max_size=6), st.integers(0, 5), st.floats(1.0, 100.0))
def test_more_usage_never_gives_less_energy_and_low_value_high_always_hold(
    rows: list[dict[str, str]], pick: int, more: float
) -> None:
    grown = [dict(r) for r in rows]
    target = grown[pick % len(grown)]
    target["ConsumedQuantity"] = f"{float(target['ConsumedQuantity']) * more + 1:.6f}"

    before, after = footprint(rows), footprint(grown)

    for span in spans(before) + spans(after):
        assert span.low <= span.value <= span.high
    for bound in ("low", "value", "high"):
        for name in ("energy_kwh", "emissions_kgco2e"):
            assert getattr(getattr(after, name), bound) >= getattr(getattr(before, name), bound) * (1 - 1e-12)


# -- the command line, the core's independence, the sample data ---------------------------------------


def test_it_keeps_the_core_free_of_django() -> None:
    code = (
        "import sys, cfit.cloud.focus, cfit.cloud.footprint, cfit.cloud.reference, cfit.cloud.cli, "
        "cfit.cloud.calibrate; print('django' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "False"


def test_it_prints_the_footprint_of_a_file_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cloud.csv"
    path.write_bytes(focus_csv([{"ConsumedQuantity": "1000", "ConsumedUnit": "GB-Hours"}]))

    assert cli.main(["footprint", str(path), "--format", "json"]) == 0

    printed = json.loads(capsys.readouterr().out)
    assert {
        "rows",
        "energy_kwh",
        "emissions_kgco2e",
        "by_service",
        "by_region",
        "by_month",
        "sources",
    } <= set(printed)
    assert set(printed["energy_kwh"]) == {"low", "value", "high"}


def test_it_names_the_problems_of_a_refused_file_on_standard_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cloud.csv"
    path.write_bytes(focus_csv([{"ConsumedQuantity": "-1"}]))

    assert cli.main(["footprint", str(path)]) == 1

    assert "row 2, ConsumedQuantity: negative usage" in capsys.readouterr().err


def test_it_reads_and_computes_the_focus_sample_data() -> None:
    path = shared("cloud", "focus", "focus_sample_1000.csv")

    result = cli.footprint_file(path, load_cloud_factors())

    assert (result.rows, result.focus_version) == (1000, "1.0")
    assert set(result.by_kind) == set(KINDS)
    assert result.counted_rows + sum(result.not_counted.values()) == 1000
    assert result.by_month.keys() == {"2024-09"}
    assert result.by_region["us-west-2"].country == "US"
    assert 0 < result.emissions_kgco2e.low <= result.emissions_kgco2e.value <= result.emissions_kgco2e.high


def test_it_refuses_the_specification_s_partial_examples_naming_each_problem() -> None:
    """The specification's worked examples illustrate a few columns each, with dates like
    "4/1/25": none is a complete export, and each is refused by name rather than by a traceback."""
    folder = shared("cloud", "focus", "spec-examples")
    reference_ = load_cloud_factors()
    for path in sorted(folder.glob("*.csv")):
        with pytest.raises(ImportRefused) as refused:
            cli.footprint_file(path, reference_)

        assert all(p.where and p.field and p.message for p in refused.value.problems), path.name
