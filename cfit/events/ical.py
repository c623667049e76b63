"""An event as an iCalendar file (RFC 5545), written by hand: plain Python, no Django.

The rules that matter to calendar programs: lines end with CRLF and are folded at 75 octets (of UTF-8,
never inside a character) with CRLF and a space; TEXT values escape backslash, semicolon, comma and
new lines; times are in UTC with a "Z"; every event has a UID and a DTSTAMP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

PRODUCT = "-//Circular & Fair ICT Pact//cfit//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    title: str
    starts: datetime
    ends: datetime
    description: str = ""
    location: str = ""
    url: str = ""


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """The line folded into parts of at most 75 octets, continuation lines starting with a space."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for character in line:
        width = len(character.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            # A continuation line's leading space counts towards its 75 octets.
            current, size, limit = character, width, 74
        else:
            current, size = current + character, size + width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: list[CalendarEvent], stamp: datetime) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(event.starts)}",
            f"DTEND:{_utc(event.ends)}",
            f"SUMMARY:{escape(event.title)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
