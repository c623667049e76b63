"""Figures that carry their range and their source.

Every number the engine gives has a low, a central value and a high bound, and names the factors it
came from. Ranges add as intervals: a sum of lows and a sum of highs, i.e. the errors are treated as
fully correlated. That is deliberately conservative: the factors of a fleet (one grid factor per
country, one estimator per product group) are shared by many devices, so their errors do not cancel.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Changes whenever a formula, a default or the way ranges are formed changes; stored with results.
METHOD_VERSION = "cfit-impact-2"


@dataclass(frozen=True)
class Span:
    """A figure with its uncertainty: ``low <= value <= high``."""

    low: float
    value: float
    high: float

    def __post_init__(self) -> None:
        if not (self.low <= self.value <= self.high):
            raise ValueError(f"a span needs low <= value <= high, got {self.low}, {self.value}, {self.high}")

    @classmethod
    def exact(cls, value: float) -> Span:
        return cls(value, value, value)

    @classmethod
    def relative(cls, value: float, error: float) -> Span:
        """``value`` ± ``error`` × value (an error ratio of 0.2 is ±20 %), never below zero."""
        return cls(max(0.0, value * (1 - error)), value, value * (1 + error))

    def scaled(self, factor: float) -> Span:
        return Span(self.low * factor, self.value * factor, self.high * factor)

    def as_dict(self, digits: int = 1) -> dict[str, float]:
        return {
            "low": round(self.low, digits),
            "value": round(self.value, digits),
            "high": round(self.high, digits),
        }


@dataclass(frozen=True)
class Source:
    """Where a factor comes from, as shown next to every figure that uses it."""

    id: str
    title: str
    url: str = ""
    licence: str = ""
    year: int | None = None

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "licence": self.licence,
            "year": self.year,
        }
