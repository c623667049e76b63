"""The cloud footprint through the JSON API (``POST /api/v1/cloud/footprint``) and the ``cfit cloud``
management command: the same figures as the Django-free entry point, refusals named by row and
column, signed-in users only.

Personas: Pia, procurer at Rijkswaterstaat, who uploads her organisation's FOCUS export; an
anonymous visitor. These tests need the ``cfit.cloud`` app installed and its router mounted under
``/api/v1/``; until then they are skipped with that reason.
"""

from __future__ import annotations

import base64
import json
import zlib
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import Resolver404, resolve

from cfit.cloud import cli
from cfit.cloud.reference import load_cloud_factors
from tests.test_cloud import ABORTING_PARQUET, focus_csv, parquet_export

from .conftest import Persona

URL = "/api/v1/cloud/footprint"


def _mounted() -> bool:
    try:
        resolve(URL)
    except Resolver404:
        return False
    return True


needs_app = pytest.mark.skipif(
    not apps.is_installed("cfit.cloud"), reason="cfit.cloud is not in INSTALLED_APPS yet"
)
needs_router = pytest.mark.skipif(not _mounted(), reason="the cloud router is not mounted under /api/v1/ yet")

USAGE = [
    {"ConsumedQuantity": "1000", "ConsumedUnit": "vCPU-Hours"},
    {"ConsumedQuantity": "1000", "ConsumedUnit": "GB-Months", "ServiceCategory": "Storage",
     "ServiceName": "Amazon Simple Storage Service"},
    {"ConsumedQuantity": "500", "ConsumedUnit": "GB", "ServiceCategory": "Networking"},
]  # fmt: skip


def upload(data: bytes, name: str = "focus.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@needs_router
def test_it_computes_an_uploaded_focus_file_as_the_command_line_does(
    client: Client, procurer: Persona, tmp_path: Path
) -> None:
    path = tmp_path / "focus.csv"
    path.write_bytes(focus_csv(USAGE))
    client.force_login(procurer.user)

    response = client.post(URL, {"file": upload(path.read_bytes())})

    assert response.status_code == 200, response.content
    # The platform's grid table holds the shipped factors until the secretariat edits them.
    expected = cli.footprint_file(path, load_cloud_factors()).as_dict()
    got = response.json()
    assert got["energy_kwh"] == expected["energy_kwh"]
    assert got["by_kind"].keys() == {"compute", "storage", "network"}
    assert {"rows", "by_service", "by_region", "by_month", "sources"} <= got.keys()


@needs_router
def test_it_refuses_a_bad_file_naming_row_and_column(client: Client, procurer: Persona) -> None:
    client.force_login(procurer.user)

    response = client.post(URL, {"file": upload(focus_csv([{}, {"ConsumedQuantity": "-4"}]))})

    assert response.status_code == 422
    assert response.json()["problems"] == [
        "row 3, ConsumedQuantity: negative usage (-4) in a charge that is neither a correction nor a reversal"
    ]


@needs_router
def test_it_computes_a_parquet_upload_and_refuses_one_that_would_abort_the_reader(
    client: Client, procurer: Persona
) -> None:
    client.force_login(procurer.user)
    damaged = zlib.decompress(base64.b64decode(ABORTING_PARQUET))

    sound = client.post(URL, {"file": upload(parquet_export(), "focus.parquet")})
    refused = client.post(URL, {"file": upload(damaged, "focus.parquet")})

    assert sound.status_code == 200, sound.content
    assert sound.json()["by_kind"].keys() == {"memory"}
    assert refused.status_code == 422
    assert "not a readable FOCUS file" in refused.json()["problems"][0]


@needs_router
def test_it_answers_only_a_signed_in_user(client: Client, db: Any) -> None:
    response = client.post(URL, {"file": upload(focus_csv(USAGE))})

    assert response.status_code == 401


@needs_app
def test_the_command_prints_what_the_django_free_entry_point_prints(tmp_path: Path) -> None:
    path = tmp_path / "focus.csv"
    path.write_bytes(focus_csv(USAGE))
    out = StringIO()

    call_command("cloud", "footprint", str(path), "--format", "json", stdout=out)

    assert json.loads(out.getvalue()) == cli.footprint_file(path, load_cloud_factors()).as_dict()


@needs_app
def test_the_command_names_the_problems_of_a_refused_file(tmp_path: Path) -> None:
    path = tmp_path / "focus.csv"
    path.write_bytes(focus_csv([{"ConsumedUnit": "GB-Fortnights"}]))

    with pytest.raises(CommandError, match="row 2, ConsumedUnit"):
        call_command("cloud", "footprint", str(path))


@needs_app
@pytest.mark.django_db
def test_the_command_takes_the_platform_s_grid_table_with_database(tmp_path: Path) -> None:
    path = tmp_path / "focus.csv"
    path.write_bytes(focus_csv(USAGE))
    shipped, platform = StringIO(), StringIO()

    call_command("cloud", "footprint", str(path), stdout=shipped)
    call_command("cloud", "footprint", str(path), "--database", stdout=platform)

    # Until the secretariat edits the grid table, the platform's holds the shipped factors.
    assert (
        json.loads(platform.getvalue())["emissions_kgco2e"]
        == json.loads(shipped.getvalue())["emissions_kgco2e"]
    )
