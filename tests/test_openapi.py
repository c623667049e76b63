"""The committed OpenAPI document (docs/openapi.json) matches the API: regenerate it with `make openapi`."""

from __future__ import annotations

import json
from pathlib import Path

from cfit.api import api

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def test_the_committed_openapi_document_is_current() -> None:
    current = json.loads(json.dumps(api.get_openapi_schema(), sort_keys=True))

    assert json.loads(COMMITTED.read_text()) == current, "run `make openapi` and commit docs/openapi.json"
