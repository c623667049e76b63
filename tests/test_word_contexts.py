"""Words that mean two things in cfit get a context, so that each language can say each its own way."""

from __future__ import annotations

import pytest
from django.utils import translation

from cfit.fleet.models import AssetEvent
from cfit.learning.models import Event


@pytest.mark.parametrize(
    ("language", "session", "device"),
    [
        ("nl", "evenement", "gebeurtenis"),
        ("de", "Veranstaltung", "Ereignis"),
        ("nb", "arrangement", "hendelse"),
    ],
)
def test_a_knowledge_session_event_is_not_a_device_event(language: str, session: str, device: str) -> None:
    """The bug: both were the msgid "event", and a knowledge session was a "gebeurtenis" in Dutch."""
    with translation.override(language):
        assert str(Event._meta.verbose_name) == session
        assert str(AssetEvent._meta.get_field("kind").verbose_name) == device
