"""Every schema of the JSON API has its own name in the OpenAPI document.

django-ninja names a component after its class: two apps each with an ``IndicatorOut`` made the
monitoring indicators' answers be checked against the data-centre indicator's schema (schemathesis
caught it). A name used by two different classes is refused here, before a client reads the wrong one.
"""

from __future__ import annotations

from collections import defaultdict
from enum import Enum
from typing import Any, get_args

from pydantic import BaseModel

from cfit.api import api


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_no_two_schemas_share_a_component_name() -> None:
    components = set(api.get_openapi_schema()["components"]["schemas"])
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(BaseModel):
        if cls.__module__.startswith("cfit.") and cls.__name__ in components:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")

    assert {name: sorted(where) for name, where in by_name.items() if len(where) > 1} == {}


def _enums(annotation: Any) -> set[type[Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {annotation}
    return {found for argument in get_args(annotation) for found in _enums(argument)}


def test_no_two_vocabularies_share_a_component_name() -> None:
    """Two apps' ``State`` choices in the answers (a monitoring report's, a disposal report's) would be
    one component, and one of the two answers checked against the other's words."""
    components = set(api.get_openapi_schema()["components"]["schemas"])
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(BaseModel):
        if cls.__module__.startswith("cfit.") and cls.__name__ in components:
            for field in cls.model_fields.values():  # type: ignore[attr-defined]
                for enum in _enums(field.annotation):
                    by_name[enum.__name__].add(f"{enum.__module__}.{enum.__qualname__}")

    assert {name: sorted(where) for name, where in by_name.items() if len(where) > 1} == {}
