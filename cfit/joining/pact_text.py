"""The text an organisation signs when it joins through the platform, by version.

What was signed must be provable later: an in-platform signature stores the version and the SHA-256 of
the exact text shown, so that a changed text never silently changes an old signature. A new version is a
new entry (never an edit of an old one); ``CURRENT`` names the one offered for signature. Plain Python.
"""

from __future__ import annotations

import hashlib

PACT_TEXTS: dict[str, str] = {
    "2026-1": """Circular & Fair ICT Pact: declaration of joining (version 2026-1)

The organisation named in this application joins the Circular & Fair ICT Pact.

As a procuring or coordinating participant, it commits to:
1. include the pact's circular and fair criteria (the baseline, or more ambitious ones) in its tenders for ICT products and services;
2. buy less, buy better, use better and use longer: extend the use of its devices and give them a second life where it can;
3. share what it learns with the other participants, in its buyer group and the working groups;
4. report each year on its ICT purchases and their impact through the pact's monitoring;
5. engage with the market in an open dialogue, through market consultations and joint statements of demand.

A coordinating participant also runs a national or regional buyer group and its monitoring.

As a supporter (a supplier, refurbisher, recycler, NGO or label body), it commits to take part in the market dialogue and to give input on the criteria. A supporter is never a participant: it does not sign joint statements of demand and does not join buyer groups.

The organisation may leave the pact at any time by telling the secretariat.
""",
}

#: The version offered for signature today.
CURRENT = "2026-1"


def text_of(version: str) -> str:
    return PACT_TEXTS[version]


def digest(text: str) -> str:
    """SHA-256 of the text as UTF-8: the fingerprint stored with a signature."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
