"""Every file input of the platform says, before the upload, the largest file and the kinds its server
side takes (``cfit.uploadfields``): only the offer and evidence forms did, so a coordinator's 30 MB
monitoring workbook or an applicant's 15 MB signed pact travelled whole to a bare refusal page.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

import cfit
from cfit.contracts.forms import CloseFindingForm, DeliveryForm
from cfit.fleet.forms import RegisterUploadForm
from cfit.joining.actions import MAX_SIGNED_PACT_BYTES
from cfit.joining.forms import SignatureForm
from cfit.offers.forms import OfferImportForm, SupplierUploadForm
from cfit.offers.reader import READERS
from cfit.pact.actions import DOCUMENT_TYPES
from cfit.pact.forms import DocumentForm
from cfit.uploads import EVIDENCE_TYPES, MAX_IMPORT_BYTES

ROOT = Path(cfit.__file__).parent


def every_form_class() -> list[type[forms.BaseForm]]:
    """Every form class of the platform: each app's modules imported (forms, views, pages), then every
    subclass of Django's forms defined in cfit."""
    for module in pkgutil.walk_packages([str(ROOT)], "cfit."):
        if module.name.rsplit(".", 1)[-1] in ("forms", "views", "endofuse", "disposal", "pages"):
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("cfit."):
                found.append(sub)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def file_fields() -> list[tuple[str, forms.FileField]]:
    fields = [
        (f"{form.__module__}.{form.__qualname__}.{name}", field)
        for form in every_form_class()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.FileField)
    ]
    assert len(fields) >= 14, [name for name, _field in fields]  # the platform's uploads, found
    return fields


@pytest.mark.parametrize(("name", "field"), file_fields(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_file_field_says_its_limit_and_kinds(name: str, field: forms.FileField) -> None:
    attrs = field.widget.attrs
    limit = int(str(attrs.get("data-max-bytes", 0)))
    assert 0 < limit <= 1 << 30, name
    assert "MB" in str(attrs.get("data-too-large", "")), name
    kinds = str(attrs.get("accept", "")).split(",")
    assert kinds and all(k.startswith(".") or "/" in k for k in kinds), (name, kinds)


def test_every_file_input_written_in_a_template_says_them_too() -> None:
    tags = [
        (path.relative_to(ROOT), tag)
        for path in ROOT.rglob("templates/**/*.html")
        for tag in re.findall(r"<input[^>]*type=\"file\"[^>]*>", path.read_text())
    ]
    assert tags
    for path, tag in tags:
        drawn = re.search(r"\{% for name, value in (\w+)\.items %\}", tag)
        assert drawn or ("data-max-bytes" in tag and "accept=" in tag), (path, tag)


@pytest.mark.django_db
def test_the_limits_and_kinds_are_those_the_server_side_checks(settings: object) -> None:
    def accept(form: type[forms.BaseForm], name: str) -> set[str]:
        return set(str(form.base_fields[name].widget.attrs["accept"]).split(","))

    def limit(form: forms.BaseForm, name: str) -> int:
        return int(re.findall(r'data-max-bytes="(\d+)"', str(form[name]))[0])

    assert accept(DeliveryForm, "file") == accept(CloseFindingForm, "file") == set(EVIDENCE_TYPES)
    assert {".webp", ".gif"} <= accept(DeliveryForm, "file")
    assert ".xlsm" in str(DeliveryForm(template=("CMRT",))["file"])  # a CMRT saved macro-enabled
    assert ".xlsm" not in str(DeliveryForm()["file"])
    assert accept(OfferImportForm, "file") == accept(SupplierUploadForm, "file") == set(READERS)
    assert accept(DocumentForm, "file") == set(DOCUMENT_TYPES)
    assert limit(SignatureForm(), "signed_pact") == MAX_SIGNED_PACT_BYTES
    assert limit(DocumentForm(), "file") == MAX_IMPORT_BYTES
    # A register's limit is the platform's setting when the page is drawn.
    settings.FLEET_REGISTER_MAX_BYTES = 300 * 1024 * 1024  # type: ignore[attr-defined]
    assert limit(RegisterUploadForm(), "file") == 300 * 1024 * 1024


def test_the_size_message_is_said_in_the_reader_s_language_when_the_page_is_drawn() -> None:
    with translation.override("en"):
        english = str(DocumentForm()["file"])
    with translation.override("nb"):
        norwegian = str(DocumentForm()["file"])
    message = re.compile(r'data-too-large="([^"]*)"')
    assert "larger than 20 MB" in message.findall(english)[0]
    assert message.findall(norwegian)[0] != message.findall(english)[0]
