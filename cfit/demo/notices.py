"""Demo notices for the market page: the made-up notices shipped in ``cfit/notices/examples`` (eForms
and OCDS, six countries), one of them the publication of Rijkswaterstaat's demo tender RWS-2027-001
(linked by its reference) and one of Ville de Lyon's (linked by buyer and title). No ``../shared``
needed."""

from __future__ import annotations

from pathlib import Path

from cfit.notices.actions import import_notices
from cfit.notices.models import NoticeImport

EXAMPLES = Path(__file__).resolve().parents[1] / "notices" / "examples"


def create_demo_notices() -> NoticeImport:
    """Idempotent: importing the examples again changes nothing."""
    return import_notices([EXAMPLES], acting_user=None)
