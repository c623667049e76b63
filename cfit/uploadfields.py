"""A file field's limits said before the upload: the browser refuses a file over the platform's limit
at once (``cfit.js``), in the reader's language, instead of sending 25 MB to read a bare refusal page
from the request-size middleware and lose the form; its file picker offers the kinds the check takes."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from cfit.uploads import MAX_IMPORT_BYTES


def limited_file_attrs(limit: int = MAX_IMPORT_BYTES, kinds: Iterable[str] = ()) -> dict[str, str]:
    """The attributes of a file input: its size limit and message (read by ``cfit.js``), and ``accept``
    for ``kinds`` (extensions with their dot) when given. The server checks both again."""
    attrs = {
        "data-max-bytes": str(limit),
        "data-too-large": _(
            "This file is larger than %(size)s MB, the most the platform takes: make it smaller (a PDF "
            "saved with lower-resolution images) or split it."
        )
        % {"size": f"{limit / (1 << 20):.3g}"},
    }
    if kinds:
        attrs["accept"] = ",".join(sorted(kinds))
    return attrs
