"""Builds the shipped cloud factors (``cfit/cloud/factors/``) from the Cloud Carbon Footprint
coefficient set and the FOCUS column lists, as copied to ``../shared/data/cloud/`` (see its
PROVENANCE.md). Run ``python -m cfit.cloud.calibrate [DATA_DIR]`` after the coefficient set changes;
review the diff like code. Plain Python, no Django.

What it writes:

- ``regions.csv``: provider, region key (as FOCUS ``RegionId`` spells it, lower case without
  spaces), ISO 3166-1 country, from CCF's grid-emissions-factors tables (their "Country" or
  "Location" column, mapped to a country by ``LOCATIONS``);
- ``instances.csv``: provider, instance type, its family, vCPUs, memory, CPU microarchitecture(s),
  CCF's watts per vCPU of that microarchitecture (the lowest idle, the mean idle, the mean full
  load and the highest full load over the generations a type runs on; empty: no coefficients) and
  the embodied emissions of one instance-hour (kgCO2e): CCF's server platform total × instance
  vCPUs / platform vCPUs / 35,040 hours. AWS types of CCF's 2026 list missing from the older list
  are added (``build_aws_2026``);
- ``providers.csv``: per provider the embodied emissions of one vCPU-hour across its instance
  types (10th percentile, median, 90th percentile) and the average min/max watts per vCPU of the
  2026 ``coefficients-*-use.csv`` outputs;
- ``focus-columns.csv``: the column ids of FOCUS 1.0, 1.1 and 1.2;
- ``region-pue.csv``: the PUE of the regions whose provider publishes one per region or campus.
"""

from __future__ import annotations

import re
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


#: The CPU of an AWS platform (CCF's "Platform CPU Name", both instance lists) to its
#: microarchitecture, first match wins (Intel ARK, AMD and AWS product pages). Names that match none
#: (the first Graviton, Apple, Nvidia Grace, "Intel Xeon Family") have no coefficients: their types
#: take the provider's fallback watts.
CPU_ARCHITECTURES = (
    ("graviton4", "Graviton4"), ("graviton3e", "Graviton3E"), ("graviton3", "Graviton3"),
    ("graviton2", "Graviton2"), ("9r45", "EPYC 5th Gen"), ("9r05", "EPYC 5th Gen"),
    ("9r14", "EPYC 4th Gen"), ("7r13", "EPYC 3rd Gen"), ("7r32", "EPYC 2nd Gen"), ("7571", "EPYC 1st Gen"),
    ("granite rapids", "Granite Rapids"), ("emerald rapids", "Emerald Rapids"),
    ("sapphire rapids", "Sapphire Rapids"), ("ice lake", "Ice Lake"), ("8375c", "Ice Lake"),
    ("cascade lake", "Cascade Lake"), ("8259", "Cascade Lake"), ("8275cl", "Cascade Lake"),
    ("8252c", "Cascade Lake"), ("8280l", "Cascade Lake"), ("skylake", "Skylake"), ("8175", "Skylake"),
    ("8124m", "Skylake"), ("8151", "Skylake"), ("8176m", "Skylake"), ("v4", "Broadwell"),
    ("broadwell", "Broadwell"), ("v3", "Haswell"), ("8880v3", "Haswell"), ("v2", "Ivy Bridge"),
    ("e5-2650", "Sandy Bridge"), ("e5-2665", "Sandy Bridge"), ("e5-2670", "Sandy Bridge"),
    ("i7-8700b", "Coffee Lake"),
)  # fmt: skip


def cpu_architecture(cpu: str | None) -> str:
    name = (cpu or "").lower()
    return next((arch for fragment, arch in CPU_ARCHITECTURES if fragment in name), "")


def instance_family(provider: str, instance_type: str) -> str:
    """The family of an instance type as the provider names it: AWS ``m5`` (``m5.xlarge``), Google
    ``n2`` (``n2-standard-4``), Azure ``ds_v3`` (``d4s_v3``: the size digits taken out)."""
    if provider == "aws":
        parts = instance_type.split(".")
        # Managed-service types keep their prefix: ``db.r5.large`` is the family ``db.r5``.
        return ".".join(parts[:2]) if parts[0] in ("db", "cache") and len(parts) > 2 else parts[0]
    if provider == "gcp":
        return instance_type.split("-")[0]
    match = re.match(r"^([a-z]+)(\d+)(?:-\d+)?([a-z]*)(_v\d+)?", instance_type)
    return match.group(1) + match.group(3) + (match.group(4) or "") if match else instance_type


def architecture_watts(data: Path) -> dict[str, dict[str, tuple[float, float]]]:
    """Per provider and microarchitecture: CCF's W per vCPU at idle and at full load (2026
    ``coefficients-*-use.csv``). A microarchitecture missing from a provider's table (Google's
    Haswell, Ivy Bridge, Sandy Bridge) takes the AWS table's figure: the same SPECpower results."""
    tables = {}
    for provider in PROVIDERS:
        use = pl.read_csv(data / "ccf" / f"coefficients-{provider}-use.csv")
        tables[provider] = {
            r["Architecture"]: (float(r["Min Watts"]), float(r["Max Watts"]))
            for r in use.iter_rows(named=True)
        }
    return {p: {**tables["aws"], **tables[p]} for p in PROVIDERS}


def build_instances(data: Path) -> pl.DataFrame:
    ccf = data / "ccf"
    watts = architecture_watts(data)
    aws_old = pl.read_csv(ccf / "aws-instances.csv", infer_schema=False).select(
        pl.lit("aws").alias("provider"),
        pl.col("Instance type").str.to_lowercase().alias("instance_type"),
        pl.col("Instance vCPU").cast(pl.Float64, strict=False).alias("vcpu"),
        pl.col("Instance Memory (in GB)").cast(pl.Float64, strict=False).alias("memory_gb"),
        pl.col("Platform Total Number of vCPU").cast(pl.Float64, strict=False).alias("platform_vcpu"),
        pl.col("Platform CPU Name")
        .map_elements(cpu_architecture, return_dtype=pl.String)
        .alias("architecture"),
    )
    aws_total = pl.read_csv(ccf / "coefficients-aws-embodied.csv").select(
        pl.col("type").str.to_lowercase().alias("instance_type"), "total"
    )
    gcp = pl.read_csv(ccf / "gcp-instances.csv", infer_schema=False).select(
        pl.lit("gcp").alias("provider"),
        pl.col("Machine type").str.to_lowercase().alias("instance_type"),
        pl.col("Instance vCPUs").cast(pl.Float64, strict=False).alias("vcpu"),
        pl.col("Instance Memory").cast(pl.Float64, strict=False).alias("memory_gb"),
        pl.col("Platform vCPUs (highest vCPU possible)")
        .cast(pl.Float64, strict=False)
        .alias("platform_vcpu"),
        pl.col("Microarchitecture").alias("architecture"),
    )
    gcp_total = pl.read_csv(ccf / "coefficients-gcp-embodied-mean.csv").select(
        pl.col("type").str.to_lowercase().alias("instance_type"), pl.col("total_mean").alias("total")
    )
    azure = pl.read_csv(ccf / "azure-instances.csv", infer_schema=False).select(
        pl.lit("azure").alias("provider"),
        pl.col("Virtual Machine").str.to_lowercase().str.replace_all(" ", "_").alias("instance_type"),
        pl.col("Instance vCPUs").cast(pl.Float64, strict=False).alias("vcpu"),
        pl.col("Instance Memory").cast(pl.Float64, strict=False).alias("memory_gb"),
        pl.col("Platform vCPUs (highest vCPU possible)")
        .cast(pl.Float64, strict=False)
        .alias("platform_vcpu"),
        pl.col("Microarchitecture").alias("architecture"),
    )
    azure_total = pl.read_csv(ccf / "coefficients-azure-embodied.csv").select(
        pl.col("type").str.to_lowercase().str.replace_all(" ", "_").alias("instance_type"), "total"
    )
    frames = []
    for specs, totals in ((aws_old, aws_total), (gcp, gcp_total), (azure, azure_total)):
        joined = (
            specs.group_by("provider", "instance_type", maintain_order=True)
            .agg(
                pl.col("vcpu").first(),
                pl.col("memory_gb").first(),
                pl.col("platform_vcpu").first(),
                # A type Google or Azure runs on several CPU generations: all of them.
                pl.col("architecture").unique(maintain_order=True).sort(),
            )
            .join(totals.group_by("instance_type").agg(pl.col("total").mean()), on="instance_type")
            # A few rows of the source tables lack a platform or a total: no share can be formed.
            .filter(
                (pl.col("vcpu") >= 1)
                & (pl.col("platform_vcpu") >= pl.col("vcpu"))
                & pl.col("total").is_finite()
            )
            .with_columns(
                (pl.col("total") * pl.col("vcpu") / pl.col("platform_vcpu") / LIFESPAN_HOURS).alias(
                    "embodied_kg_per_hour"
                ),
                pl.lit("ccf-coefficients").alias("source"),
            )
        )
        frames.append(joined.select(*INSTANCE_SPEC, "embodied_kg_per_hour", "source"))
    frames.append(build_aws_2026(ccf, known=set(frames[0].get_column("instance_type").to_list())))
    table = pl.concat(frames)
    rows = []
    for row in table.iter_rows(named=True):
        archs = list(row["architecture"])
        known = bool(archs) and all(a in watts[row["provider"]] for a in archs)
        pairs = [watts[row["provider"]][a] for a in archs] if known else []
        rows.append(
            {
                **{k: row[k] for k in ("provider", "instance_type")},
                "family": instance_family(row["provider"], row["instance_type"]),
                "vcpu": int(row["vcpu"]),
                "memory_gb": row["memory_gb"],
                "architecture": ";".join(row["architecture"]) if known else "",
                # idle and full load of the least and most demanding generation; min and max of
                # their mean (the value lies between these at the average utilisation)
                "watts_idle": round(min(p[0] for p in pairs), 4) if pairs else None,
                "watts_min": round(sum(p[0] for p in pairs) / len(pairs), 4) if pairs else None,
                "watts_max": round(sum(p[1] for p in pairs) / len(pairs), 4) if pairs else None,
                "watts_full": round(max(p[1] for p in pairs), 4) if pairs else None,
                "embodied_kg_per_hour": None
                if row["embodied_kg_per_hour"] is None
                else round(row["embodied_kg_per_hour"], 8),
                "source": row["source"],
            }
        )
    return pl.DataFrame(rows, schema=INSTANCE_COLUMNS, orient="row").sort("provider", "instance_type")


#: What the calibration reads of each instance list before the watts are looked up.
INSTANCE_SPEC = ("provider", "instance_type", "vcpu", "memory_gb", "architecture")
INSTANCE_COLUMNS = {
    "provider": pl.String, "instance_type": pl.String, "family": pl.String, "vcpu": pl.Int64,
    "memory_gb": pl.Float64, "architecture": pl.String, "watts_idle": pl.Float64, "watts_min": pl.Float64,
    "watts_max": pl.Float64, "watts_full": pl.Float64, "embodied_kg_per_hour": pl.Float64, "source": pl.String,
}  # fmt: skip


def build_aws_2026(ccf: Path, *, known: set[str]) -> pl.DataFrame:
    """The AWS types of CCF's 2026 instance list that the older list lacks (m6a, m7g, m7i, …). The
    2026 list gives the platform's embodied emissions but not its vCPUs: as CCF does for Google and
    Azure, the platform is taken to be the family's largest instance (``metal``)."""
    latest = (
        pl.read_csv(ccf / "aws-instances-latest-2026.csv", infer_schema=False)
        .select(
            pl.lit("aws").alias("provider"),
            pl.col("Instance Type").str.to_lowercase().alias("instance_type"),
            pl.col("vCPUs").cast(pl.Float64, strict=False).alias("vcpu"),
            pl.col("Memory (GiB)").cast(pl.Float64, strict=False).alias("memory_gb"),
            pl.col("Platform CPU Name")
            .map_elements(cpu_architecture, return_dtype=pl.String)
            .alias("architecture"),
            (pl.col("Platform Embedded Emissions (mtCo2eq)").cast(pl.Float64, strict=False) * 1000).alias(
                "total"
            ),
        )
        .filter(pl.col("vcpu") >= 1)
        .unique("instance_type", keep="first", maintain_order=True)
        .with_columns(pl.col("instance_type").str.split(".").list.first().alias("family"))
        .with_columns(pl.col("vcpu").max().over("family").alias("platform_vcpu"))
        .filter(~pl.col("instance_type").is_in(sorted(known)))
    )
    return latest.select(
        "provider",
        "instance_type",
        "vcpu",
        "memory_gb",
        pl.concat_list(pl.col("architecture")).alias("architecture"),
        (pl.col("total") * pl.col("vcpu") / pl.col("platform_vcpu") / LIFESPAN_HOURS).alias(
            "embodied_kg_per_hour"
        ),
        pl.lit("ccf-instances-2026").alias("source"),
    )


def build_providers(data: Path, instances: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for provider in PROVIDERS:
        use = pl.read_csv(data / "ccf" / f"coefficients-{provider}-use.csv")
        per_vcpu = instances.filter(
            (pl.col("provider") == provider) & (pl.col("source") == "ccf-coefficients")
        ).select(pl.col("embodied_kg_per_hour") / pl.col("vcpu"))["embodied_kg_per_hour"]
        rows.append(
            (
                provider,
                round(float(use["Min Watts"].mean()), 4),  # type: ignore[arg-type]
                round(float(use["Max Watts"].mean()), 4),  # type: ignore[arg-type]
                round(float(use["Min Watts"].min()), 4),  # type: ignore[arg-type]
                round(float(use["Max Watts"].max()), 4),  # type: ignore[arg-type]
                round(float(per_vcpu.quantile(0.1)), 8),  # type: ignore[arg-type]
                round(float(per_vcpu.median()), 8),  # type: ignore[arg-type]
                round(float(per_vcpu.quantile(0.9)), 8),  # type: ignore[arg-type]
            )
        )
    return pl.DataFrame(
        rows,
        schema=[
            "provider", "min_watts_per_vcpu", "max_watts_per_vcpu", "idle_watts_lowest", "full_watts_highest",
            "embodied_kg_per_vcpu_hour_low", "embodied_kg_per_vcpu_hour", "embodied_kg_per_vcpu_hour_high",
        ],
        orient="row",
    )  # fmt: skip


def build_region_pue(data: Path) -> pl.DataFrame:
    """The PUE of the regions whose provider publishes one: Google's trailing twelve-month PUE per
    data-centre campus, as CCF keeps it per Google Cloud region (``PUE_TRAILING_TWELVE_MONTH``)."""
    constants = pl.read_csv(data / "ccf" / "ccf-provider-constants.csv", infer_schema=False)
    return (
        constants.filter(pl.col("constant") == "PUE_TRAILING_TWELVE_MONTH")
        .select(
            "provider",
            pl.col("key").str.to_lowercase().str.replace_all(" ", "", literal=True).alias("region"),
            pl.col("value").cast(pl.Float64).alias("pue"),
            pl.lit("pue-gcp-regions").alias("pue_source"),
        )
        .sort("provider", "region")
    )


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
    build_region_pue(data).write_csv(FACTORS_DIR / "region-pue.csv")


if __name__ == "__main__":
    main(sys.argv[1:])
