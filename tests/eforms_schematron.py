"""The eForms SDK's static Schematron rules, run with Saxon's XPath 3.1 (``saxonche``), for the tests.

The SDK's rules use XPath 2 (``queryBinding="xslt2"``), which lxml cannot run, and the usual route
(compiling the Schematron to XSLT with SchXslt) needs stylesheets that are not on PyPI. The rules
themselves are plain: global ``let``s, one phase per notice subtype, patterns of rules with a
context and asserts. This runs them as a Schematron processor does: in each active pattern, a node
is checked by the first rule whose context matches it; every assert of that rule is evaluated with
the node as context and the rule's and the schema's ``let``s bound. ``test_eforms_schematron``
checks it against the SDK's own reports: it must find exactly as many failed asserts in each of the
SDK's invalid example notices as the SDK's SVRL report lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

SCH = "http://purl.oclc.org/dsdl/schematron"
Q = {"sch": SCH}


@dataclass(frozen=True)
class Failure:
    id: str
    context: str
    test: str


@dataclass(frozen=True)
class Rule:
    context: str
    lets: tuple[tuple[str, str], ...]
    asserts: tuple[tuple[str, str], ...]  # (id, test)


@cache
def _schema(
    folder: str,
) -> tuple[
    dict[str, str],
    tuple[tuple[str, str], ...],
    dict[str, tuple[str, ...]],
    dict[str, tuple[tuple[tuple[str, str], ...], tuple[Rule, ...]]],
]:
    root = etree.parse(str(Path(folder) / "complete-validation.sch")).getroot()
    namespaces = {ns.get("prefix"): ns.get("uri") for ns in root.findall("sch:ns", Q)}
    lets = tuple((let.get("name"), let.get("value")) for let in root.findall("sch:let", Q))
    phases = {
        phase.get("id"): tuple(active.get("pattern") for active in phase.findall("sch:active", Q))
        for phase in root.findall("sch:phase", Q)
    }
    patterns = {}
    for include in root.findall("sch:include", Q):
        pattern = etree.parse(str(Path(folder) / include.get("href"))).getroot()
        pattern_lets = tuple((let.get("name"), let.get("value")) for let in pattern.findall("sch:let", Q))
        rules = tuple(
            Rule(
                rule.get("context"),
                tuple((let.get("name"), let.get("value")) for let in rule.findall("sch:let", Q)),
                tuple((a.get("id"), a.get("test")) for a in rule.findall("sch:assert", Q)),
            )
            for rule in pattern.findall("sch:rule", Q)
        )
        patterns[pattern.get("id")] = (pattern_lets, rules)
    return namespaces, lets, phases, patterns


def _as_expression(context: str) -> str:
    """An XSLT match pattern as an XPath selecting the nodes it matches (union branches each rooted)."""
    branches = [b.strip() for b in _split_union(context)]
    return " | ".join(b if b.startswith("/") else f"//{b}" for b in branches)


def _split_union(pattern: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(pattern):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    return [*parts, pattern[start:]]


def validate(xml: bytes, folder: Path, phase: str) -> list[Failure]:
    """The failed asserts of ``phase`` (e.g. ``eforms-16``) for the notice ``xml``."""
    from saxonche import PySaxonProcessor

    namespaces, lets, phases, patterns = _schema(str(folder))
    failures: list[Failure] = []
    with PySaxonProcessor(license=False) as processor:
        document = processor.parse_xml(xml_text=xml.decode())
        xpath = processor.new_xpath_processor()
        for prefix, uri in namespaces.items():
            xpath.declare_namespace(prefix, uri)
        bound: dict[str, Any] = {}

        def bind(name: str, value: Any) -> None:
            if name not in bound:
                xpath.declare_variable(name)
            bound[name] = value
            xpath.set_parameter(name, value)

        def evaluate(expression: str, context: Any) -> Any:
            xpath.set_context(xdm_item=context)
            value = xpath.evaluate(expression)
            return value if value is not None else processor.empty_sequence()

        for name, value in lets:
            bind(name, evaluate(value, document))
        for pattern_id in phases[phase]:
            pattern_lets, rules = patterns[pattern_id]
            for name, value in pattern_lets:
                bind(name, evaluate(value, document))
            seen: set[str] = set()
            for rule in rules:
                xpath.set_context(xdm_item=document)
                nodes = xpath.evaluate(_as_expression(rule.context))
                if nodes is None:
                    continue
                for node in nodes:
                    xpath.set_context(xdm_item=node)
                    key = str(xpath.evaluate_single("generate-id(.)"))
                    if key in seen:
                        continue
                    seen.add(key)
                    for name, value in rule.lets:
                        bind(name, evaluate(value, node))
                    for assert_id, test in rule.asserts:
                        xpath.set_context(xdm_item=node)
                        if not xpath.effective_boolean_value(test):
                            failures.append(Failure(assert_id, rule.context, test))
    return failures
