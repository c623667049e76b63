"""Builds the shipped cloud factors (``cfit/cloud/factors/``) from the Cloud Carbon Footprint
coefficient set and the FOCUS column lists, as copied to ``../shared/data/cloud/`` (see its
PROVENANCE.md). Run ``python -m cfit.cloud.calibrate [DATA_DIR]`` after the coefficient set changes;
review the diff like code. Plain Python, no Django.

What it writes:

- ``regions.csv``: provider, region key (as FOCUS ``RegionId`` spells it, lower case without
  spaces), ISO 3166-1 country, from CCF's grid-emissions-factors tables (their "Country" or
  "Location" column, mapped to a country by ``LOCATIONS``);
- ``instances.csv``: provider, instance type, vCPUs and the embodied emissions of one instance-hour
  (kgCO2e): CCF's server platform total × instance vCPUs / platform vCPUs / 35,040 hours;
- ``providers.csv``: per provider the embodied emissions of one vCPU-hour across its instance
  types (10th percentile, median, 90th percentile) and the average min/max watts per vCPU of the
  2026 ``coefficients-*-use.csv`` outputs;
- ``focus-columns.csv``: the column ids of FOCUS 1.0, 1.1 and 1.2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

FACTORS_DIR = Path(__file__).parent / "factors"
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "cloud"
LIFESPAN_HOURS = 35_040  #: CCF's SERVER_EXPECTED_LIFESPAN: 4 years
#: The places CCF names (a country, a US state, a city) and their country.
LOCATIONS = {
    "United States": "US", "Virginia": "US", "Iowa": "US", "Georgia": "US", "Illinois": "US",
    "Texas": "US", "Wyoming": "US", "California": "US", "Washington": "US", "Arizona": "US",
    "South Carolina": "US", "Northern Virginia": "US", "Oregon": "US", "Los Angeles": "US",
    "Salt Lake City": "US", "Las Vegas": "US", "South Africa": "ZA", "Hong Kong": "HK", "India": "IN",
    "Pune": "IN", "Chennai": "IN", "Mumbai": "IN", "Japan": "JP", "South Korea": "KR", "Singapore": "SG",
    "Australia": "AU", "Canada": "CA", "China": "CN", "Germany": "DE", "Frankfurt": "DE", "Ireland": "IE",
    "England": "GB", "London": "GB", "Cardiff": "GB", "Italy": "IT", "France": "FR", "Paris": "FR",
    "Sweden": "SE", "Gavle": "SE", "Bahrain": "BH", "Brazil": "BR", "Netherlands": "NL", "Finland": "FI",
    "Helsinki": "FI", "Belgium": "BE", "Brussels": "BE", "Switzerland": "CH", "Taiwan": "TW",
    "Indonesia": "ID",
}  # fmt: skip
PROVIDERS = ("aws", "gcp", "azure")


def region_key(region: str) -> str:
    return region.lower().replace(" ", "")


def build_regions(data: Path) -> pl.DataFrame:
    rows = []
    for provider in PROVIDERS:
        table = pl.read_csv(
            data / "ccf" / f"grid-emissions-factors-{provider}.csv",
            infer_schema=False,
            truncate_ragged_lines=True,
        )
        place = "Country" if "Country" in table.columns else "Location"
        for region, location in table.select("Region", place).iter_rows():
            if region and location in LOCATIONS:
                rows.append((provider, region_key(region), LOCATIONS[location], location))
    return pl.DataFrame(rows, schema=["provider", "region", "country", "location"], orient="row").unique(
        ["provider", "region"], keep="first", maintain_order=True
    )


def build_instances(data: Path) -> pl.DataFrame:
    ccf = data / "ccf"
    aws = pl.read_csv(ccf / "aws-instances.csv", infer_schema=False).select(
        pl.lit("aws").alias("provider"),
        pl.col("Instance type").str.to_lowercase().alias("instance_type"),
        pl.col("Instance vCPU").cast(pl.Float64, strict=False).alias("vcpu"),
        pl.col("Platform Total Number of vCPU").cast(pl.Float64, strict=False).alias("platform_vcpu"),
    )
    aws_total = pl.read_csv(ccf / "coefficients-aws-embodied.csv").select(
        pl.col("type").str.to_lowercase().alias("instance_type"), "total"
    )
    gcp = pl.read_csv(ccf / "gcp-instances.csv", infer_schema=False).select(
        pl.lit("gcp").alias("provider"),
        pl.col("Machine type").str.to_lowercase().alias("instance_type"),
        pl.col("Instance vCPUs").cast(pl.Float64, strict=False).alias("vcpu"),
        pl.col("Platform vCPUs (highest vCPU possible)")
        .cast(pl.Float64, strict=False)
        .alias("platform_vcpu"),
    )
    gcp_total = pl.read_csv(ccf / "coefficients-gcp-embodied-mean.csv").select(
        pl.col("type").str.to_lowercase().alias("instance_type"), pl.col("total_mean").alias("total")
    )
    azure = pl.read_csv(ccf / "azure-instances.csv", infer_schema=False).select(
        pl.lit("azure").alias("provider"),
        pl.col("Virtual Machine").str.to_lowercase().str.replace_all(" ", "_").alias("instance_type"),
        pl.col("Instance vCPUs").cast(pl.Float64, strict=False).alias("vcpu"),
        pl.col("Platform vCPUs (highest vCPU possible)")
        .cast(pl.Float64, strict=False)
        .alias("platform_vcpu"),
    )
    azure_total = pl.read_csv(ccf / "coefficients-azure-embodied.csv").select(
        pl.col("type").str.to_lowercase().str.replace_all(" ", "_").alias("instance_type"), "total"
    )
    frames = []
    for specs, totals in ((aws, aws_total), (gcp, gcp_total), (azure, azure_total)):
        joined = specs.unique(["instance_type"], keep="first", maintain_order=True).join(
            totals.group_by("instance_type").agg(pl.col("total").mean()), on="instance_type"
        )
        frames.append(joined)
    return (
        pl.concat(frames)
        # A few rows of the source tables lack a platform or a total: no share can be formed.
        .filter(
            (pl.col("vcpu") >= 1) & (pl.col("platform_vcpu") >= pl.col("vcpu")) & pl.col("total").is_finite()
        )
        .with_columns(
            (pl.col("total") * pl.col("vcpu") / pl.col("platform_vcpu") / LIFESPAN_HOURS)
            .round(8)
            .alias("embodied_kg_per_hour")
        )
        .select("provider", "instance_type", pl.col("vcpu").cast(pl.Int64), "embodied_kg_per_hour")
        .sort("provider", "instance_type")
    )


def build_providers(data: Path, instances: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for provider in PROVIDERS:
        use = pl.read_csv(data / "ccf" / f"coefficients-{provider}-use.csv")
        per_vcpu = instances.filter(pl.col("provider") == provider).select(
            pl.col("embodied_kg_per_hour") / pl.col("vcpu")
        )["embodied_kg_per_hour"]
        rows.append(
            (
                provider,
                round(float(use["Min Watts"].mean()), 4),  # type: ignore[arg-type]
                round(float(use["Max Watts"].mean()), 4),  # type: ignore[arg-type]
                round(float(per_vcpu.quantile(0.1)), 8),  # type: ignore[arg-type]
                round(float(per_vcpu.median()), 8),  # type: ignore[arg-type]
                round(float(per_vcpu.quantile(0.9)), 8),  # type: ignore[arg-type]
            )
        )
    return pl.DataFrame(
        rows,
        schema=[
            "provider", "min_watts_per_vcpu", "max_watts_per_vcpu",
            "embodied_kg_per_vcpu_hour_low", "embodied_kg_per_vcpu_hour", "embodied_kg_per_vcpu_hour_high",
        ],
        orient="row",
    )  # fmt: skip


def build_focus_columns(data: Path) -> pl.DataFrame:
    return pl.read_csv(data / "focus" / "focus-columns.csv", infer_schema=False).select(
        "focus_version", "column_id", "feature_level"
    )


def main(argv: list[str]) -> None:
    data = Path(argv[0]) if argv else DEFAULT_DATA
    instances = build_instances(data)
    build_regions(data).write_csv(FACTORS_DIR / "regions.csv")
    instances.write_csv(FACTORS_DIR / "instances.csv")
    build_providers(data, instances).write_csv(FACTORS_DIR / "providers.csv")
    build_focus_columns(data).write_csv(FACTORS_DIR / "focus-columns.csv")


if __name__ == "__main__":
    main(sys.argv[1:])
