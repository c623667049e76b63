"""Demo registers for `make demo`: a few hundred asset lines per demo buyer, ten years of purchases,
retirements with their end-of-use routes, so that the fleet pages show something real-looking.

The models are real product names with their public specs; the lines, dates and routes are made up
(a seeded random generator, so every demo is the same)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl

from cfit.accounts.models import Organisation
from cfit.fleet.actions import store_register
from cfit.fleet.models import Asset
from cfit.impact.actions import load_shipped_footprints
from cfit.impact.register import ALL_COLUMNS, RawTable, check_register

#: product group, manufacturer, model, weight (kg), screen (inch), share of the lines
MODELS = [
    ("notebooks", "Dell", "Latitude 5420", "1.36", "14", 10),
    ("notebooks", "HP", "EliteBook 840 G8 Notebook PC", "1.33", "14", 9),
    ("notebooks", "Lenovo", "ThinkPad T14 Gen 2", "1.46", "14", 8),
    ("notebooks", "Apple", "MacBook Air (M1, 2020)", "1.29", "13", 3),
    ("notebooks", "Fujitsu", "Lifebook U7411", "1.41", "14", 3),
    ("desktops", "Dell", "OptiPlex 7090 Micro", "1.2", "", 4),
    ("desktops", "HP", "EliteDesk 800 G6 Desktop Mini PC", "1.3", "", 3),
    ("thin-clients", "HP", "t640 Thin Client", "1.0", "", 2),
    ("monitors", "Dell", "P2422H Monitor", "5.5", "24", 9),
    ("monitors", "HP", "E24 G4", "5.0", "24", 6),
    ("monitors", "Lenovo", "T27p-10", "6.3", "27", 3),
    ("smartphones", "Apple", "iPhone 12", "0.16", "6.1", 6),
    ("smartphones", "Samsung", "Galaxy A52", "0.19", "6.5", 4),
    ("smartphones", "Fairphone", "Fairphone 4", "0.23", "6.3", 2),
    ("tablets", "Apple", "iPad (9th generation)", "0.49", "10.2", 3),
    ("tablets", "Microsoft", "Surface Go 3", "0.54", "10.5", 1),
    ("servers", "Dell", "PowerEdge R650", "17", "", 1),
]
ROUTES = ["internal_reuse", "reuse", "refurbished", "recycled", "recycled", "lost"]
ROUTE_WEIGHTS = [18, 30, 17, 30, 0, 1]
DEMO_BUYERS = {"rijkswaterstaat": 320, "city-of-ghent": 180, "ville-de-lyon": 220, "uni-freiburg": 260}
TODAY = date(2026, 11, 1)


def demo_register(organisation: Organisation, lines: int) -> pl.DataFrame:
    rng = random.Random(f"cfit-demo-{organisation.slug}")
    weights = [m[5] for m in MODELS]
    rows: list[dict[str, str]] = []
    for n in range(lines):
        group, maker, model, weight, screen, _ = rng.choices(MODELS, weights)[0]
        bought = date(2016, 1, 1) + timedelta(days=rng.randrange(0, (TODAY - date(2016, 1, 1)).days))
        life = timedelta(days=int(365 * rng.uniform(2.5, 7.5)))
        retired = bought + life <= TODAY and rng.random() < 0.85
        rows.append(
            {
                "asset_key": f"{organisation.slug[:3].upper()}-{n + 1:05d}",
                "product_group": group,
                "manufacturer": maker,
                "model": model,
                "quantity": str(rng.choice([1, 1, 2, 5, 10, 20, 40, 80])),
                "purchase_date": bought.isoformat(),
                "condition": "refurbished" if rng.random() < 0.08 else "new",
                "acquisition": rng.choices(["bought", "leased", "service"], [80, 15, 5])[0],
                "country": organisation.country,
                "status": "retired"
                if retired
                else rng.choices(["in_use", "in_stock", "in_repair"], [90, 8, 2])[0],
                "retired_date": (bought + life).isoformat() if retired else "",
                "end_of_use_route": rng.choices(ROUTES, ROUTE_WEIGHTS)[0] if retired else "",
                "weight_kg": weight if rng.random() < 0.7 else "",
                "screen_size_in": screen if rng.random() < 0.7 else "",
                "sanitisation_certificate": f"WIPE-{bought.year}-{rng.randrange(10000):04d}"
                if retired
                else "",
            }
        )
    frame = pl.DataFrame(
        {c: [r.get(c, "") for r in rows] for c in ALL_COLUMNS}, schema=dict.fromkeys(ALL_COLUMNS, pl.String)
    )
    return check_register(RawTable("demo.csv", list(ALL_COLUMNS), frame, 2), today=TODAY)


def create_demo_fleets(organisations: dict[str, Organisation]) -> None:
    """The shipped manufacturers' footprints, so that the demo lines match real declarations, and a
    register per demo buyer. Idempotent: loaded footprints and a buyer's asset lines are kept."""
    load_shipped_footprints()
    for slug, lines in DEMO_BUYERS.items():
        organisation = organisations.get(slug)
        if organisation is None or Asset.unscoped.filter(organisation=organisation).exists():
            continue
        store_register(organisation, demo_register(organisation, lines), None)
