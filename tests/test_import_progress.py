"""A register import's progress bar is information, not the import: a progress write that meets a locked
table (SQLite, while the progress page reads the import at that instant; it failed a whole import once in a
browser test) is tried again, then skipped, and never fails the import."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.db.models.query import QuerySet

from cfit.accounts.scoping import system_scope
from cfit.fleet import actions
from cfit.fleet.models import AssetImport
from tests.conftest import Persona

REGISTER = (
    b"product_group,manufacturer,model,purchase_date,country\nnotebooks,Dell,Latitude 5440,2023-03-15,NL\n"
)


def locked_for(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """``QuerySet.update`` raises as a locked SQLite table does, ``times`` times, then works."""
    calls: list[int] = []
    update = QuerySet.update

    def flaky(self: QuerySet[Any], **fields: Any) -> int:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("database table is locked: fleet_assetimport")
        return update(self, **fields)

    monkeypatch.setattr(QuerySet, "update", flaky)
    monkeypatch.setattr(actions, "PROGRESS_PAUSE", 0.0)
    return calls


@pytest.mark.django_db
def test_a_locked_progress_write_is_tried_again(procurer: Persona, monkeypatch: pytest.MonkeyPatch) -> None:
    with system_scope():
        record = actions.receive_register(procurer.organisation, REGISTER, "register.csv")
    calls = locked_for(monkeypatch, 2)

    actions._progress(record.pk, "checking", 15)

    with system_scope():
        record.refresh_from_db()
    assert (record.stage, record.progress, len(calls)) == ("checking", 15, 3)


@pytest.mark.django_db
def test_a_progress_write_that_stays_locked_is_skipped_and_the_import_goes_on(
    procurer: Persona, monkeypatch: pytest.MonkeyPatch
) -> None:
    with system_scope():
        record = actions.receive_register(procurer.organisation, REGISTER, "register.csv")
    calls = locked_for(monkeypatch, actions.PROGRESS_ATTEMPTS)

    actions._progress(record.pk, "checking", 15)  # raises nothing

    assert len(calls) == actions.PROGRESS_ATTEMPTS
    with system_scope():
        record = AssetImport.unscoped.get(pk=record.pk)
    assert record.stage != "checking"
