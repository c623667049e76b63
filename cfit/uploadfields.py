"""A file field's limits said before the upload: the browser refuses a file over the platform's limit
at once (``cfit.js``), in the reader's language, instead of sending 25 MB to read a bare refusal page
from the request-size middleware and lose the form; its file picker offers the kinds the check takes.

Every file input of the platform says both (``tests/test_file_inputs.py`` walks them): a form's through
``LimitedFileField``, a template's own ``<input type="file">`` through ``limited_file_attrs``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from cfit.uploads import MAX_IMPORT_BYTES


def _too_large(limit: int) -> str:
    return _(
        "This file is larger than %(size)s MB, the most the platform takes: make it smaller (a PDF "
        "saved with lower-resolution images) or split it."
    ) % {"size": f"{limit / (1 << 20):.3g}"}


def limited_file_attrs(limit: int = MAX_IMPORT_BYTES, kinds: Iterable[str] = ()) -> dict[str, str]:
    """The attributes of a file input: its size limit and message (read by ``cfit.js``), and ``accept``
    for ``kinds`` (extensions with their dot) when given. The server checks both again."""
    attrs = {"data-max-bytes": str(limit), "data-too-large": _too_large(limit)}
    if kinds:
        attrs["accept"] = ",".join(sorted(kinds))
    return attrs


class LimitedFileField(forms.FileField):
    """A file field whose input says the largest file and the kinds its server side takes: ``kinds``
    (extensions with their dot, as the reader checks them) and ``limit`` (bytes, or a function of the
    settings, read when the page is drawn). The message is said in the reader's language."""

    def __init__(
        self, *, kinds: Iterable[str], limit: int | Callable[[], int] = MAX_IMPORT_BYTES, **kwargs: Any
    ) -> None:
        self.kinds = tuple(sorted(kinds))
        self.limit = limit
        super().__init__(**kwargs)

    def max_bytes(self) -> int:
        return self.limit() if callable(self.limit) else self.limit

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # Drawn per request: the limit from the settings then, the message in the reader's language.
        attrs["data-max-bytes"] = lazy(lambda: str(self.max_bytes()), str)()
        attrs["data-too-large"] = lazy(lambda: _too_large(self.max_bytes()), str)()
        attrs["accept"] = ",".join(self.kinds)
        return attrs
