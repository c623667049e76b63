"""A corpus of hostile import files, generated at test time (nothing binary is committed).

Each case is a (name, bytes) pair; ``name`` ends with the extension the import is told. Three kinds:
- ``text_cases``: CSV-shaped bytes around a valid header (encodings, line ends, NUL, huge cells and
  numbers, ragged rows, formulas, separators), built from the header and one good row of an import;
- ``workbook_cases``: a valid workbook of an import, corrupted at the zip and XML level (truncated,
  zip bomb, entity expansion, external entities, broken XML half-way through a sheet, bad shared
  strings, numbers and dates out of range, a claimed 16,384 columns) and at the cell level (formulas,
  huge numbers, wrong types, overlong text);
- ``json_cases`` and ``yaml_cases``: nesting, huge integers, NaN, wrong types, aliases.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from openpyxl import load_workbook

Case = tuple[str, bytes]

HUGE_INT = "9" * 400
NASTY_VALUES: tuple[Any, ...] = (
    "=1+1",
    '=HYPERLINK("http://x.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    HUGE_INT,
    "-" + HUGE_INT,
    "1e999",
    "-1e309",
    "NaN",
    "inf",
    "1.234,5",
    "1,234.5",
    "1 234",
    "12.34.56",
    "0x1F",
    "١٢٣",
    "",
    "   ",
    "x" * 40_000,
    "\u202e\u0000",
    "true",
    "2024-02-30",
    "99999-01-01",
)


def _lines(rows: list[list[str]], separator: str = ",", end: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator=end).writerows(rows)
    return out.getvalue()


def text_cases(
    header: list[str], good: list[str], ext: str = ".csv", columns: list[int] | None = None
) -> Iterator[Case]:
    """Hostile variants of a CSV import whose header is ``header`` and a valid row ``good``; each
    nasty value is typed into each of ``columns`` (default: every column)."""
    plain = _lines([header, good])
    yield "empty" + ext, b""
    yield "blank" + ext, b"   \r\n\n"
    yield "bom-only" + ext, b"\xef\xbb\xbf"
    yield "header-only" + ext, _lines([header]).encode()
    yield "good" + ext, plain.encode()
    yield "utf8-bom" + ext, b"\xef\xbb\xbf" + plain.encode()
    yield "utf16-bom" + ext, plain.encode("utf-16")
    yield "utf16-le-no-bom" + ext, plain.encode("utf-16-le")
    yield "utf16-be-no-bom" + ext, plain.encode("utf-16-be")
    accented = list(good)
    accented[1] += " Société €"  # the second column is text in every import's layout
    # A character cp1252 lacks (the narrow no-break space of French texts) becomes "?", as a
    # spreadsheet saving in that encoding writes it.
    yield "cp1252" + ext, _lines([header, accented]).encode("cp1252", errors="replace")
    yield "invalid-utf8" + ext, plain.encode() + b"\xff\xfe\xc3\x28,\x81\x8d\n"
    yield "bare-cr" + ext, _lines([header, good], end="\r").encode()
    yield (
        "mixed-line-ends" + ext,
        (",".join(header) + "\r" + ",".join(good) + "\r\n" + ",".join(good) + "\n").encode(),
    )
    yield "semicolons" + ext, _lines([header, good], ";").encode()
    yield "tabs" + ext, _lines([header, good], "\t").encode()
    yield "nul-bytes" + ext, plain.encode().replace(b",", b",\x00", 1)
    yield "nul-everywhere" + ext, b"\x00" * 5000
    yield "huge-cell" + ext, _lines([header, [good[0] + "x" * 200_000, *good[1:]]]).encode()
    yield "huge-cell-quoted" + ext, _lines([header, ["y,\n" * 50_000, *good[1:]]]).encode()
    yield "unterminated-quote" + ext, (plain + '"never closed,' * 3).encode()
    yield "quote-in-cell" + ext, (_lines([header]) + 'a"b' + _lines([good[1:]])).encode()
    yield "newline-in-quoted-cell" + ext, _lines([header, ["a\rb\nc", *good[1:]]]).encode()
    yield "duplicate-headers" + ext, _lines([[*header, header[0]], [*good, good[0]]]).encode()
    yield "blank-header" + ext, _lines([[*header[:1], "", *header[1:]], [good[0], "", *good[1:]]]).encode()
    yield "ragged-long" + ext, _lines([header, [*good, "surplus", "cells"]]).encode()
    yield "ragged-short" + ext, _lines([header, good[:1]]).encode()
    yield "many-columns" + ext, _lines([[*header, *(f"c{i}" for i in range(5000))], good]).encode()
    yield "only-separators" + ext, (",,,,\n" * 100).encode()
    yield "binary-junk" + ext, random.Random(18).randbytes(4096)
    yield "zip-renamed" + ext, _zip({"a.txt": b"hello"})
    yield "png-renamed" + ext, b"\x89PNG\r\n\x1a\n" + bytes(200)
    for index, value in enumerate(NASTY_VALUES):
        if isinstance(value, str) and "\u0000" not in value:
            for column in range(len(good)) if columns is None else columns:
                row = list(good)
                row[column] = value
                yield f"cell-{index}-col{column}{ext}", _lines([header, row]).encode()


def problem_flood(header: list[str], bad: list[str], rows: int, ext: str = ".csv") -> Case:
    """A file of ``rows`` identical bad rows: a refusal must list a bounded number of problems."""
    return f"flood-{rows}{ext}", (_lines([header]) + _lines([bad]) * rows).encode()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _sheet_parts(members: dict[str, bytes]) -> list[str]:
    return sorted(name for name in members if re.match(r"xl/worksheets/sheet\d+\.xml$", name))


def _with_xml(members: dict[str, bytes], name: str, change: Callable[[str], str]) -> bytes:
    changed = dict(members)
    changed[name] = change(members[name].decode("utf-8")).encode("utf-8")
    return _zip(changed)


def _without_prolog(xml: str) -> str:
    return re.sub(r"^<\?xml[^>]*\?>", "", xml)


def workbook_cases(valid: bytes, ext: str = ".xlsx") -> Iterator[Case]:
    """Zip- and XML-level corruptions of a valid workbook ``valid`` (every worksheet part in turn)."""
    members = _members(valid)
    yield "good" + ext, valid
    yield "not-a-zip" + ext, b"PK\x03\x04 but not really"
    yield "csv-renamed" + ext, b"a,b\n1,2\n"
    yield "truncated" + ext, valid[: len(valid) // 2]
    yield "empty-zip" + ext, _zip({})
    yield "no-workbook-part" + ext, _zip({k: v for k, v in members.items() if k != "xl/workbook.xml"})
    yield "too-many-parts" + ext, _zip({**members, **{f"x/{i}": b"" for i in range(10_050)}})
    for sheet in _sheet_parts(members):
        tag = sheet.rsplit("/", 1)[1].removesuffix(".xml")
        yield (
            f"laughs-{tag}{ext}",
            _with_xml(
                members,
                sheet,
                lambda x: LAUGHS + _without_prolog(x).replace("<sheetData>", "<sheetData>&lol9;", 1),
            ),
        )
        yield (
            f"xxe-{tag}{ext}",
            _with_xml(
                members,
                sheet,
                lambda x: (
                    XXE
                    + _without_prolog(x).replace(
                        "</sheetData>",
                        '<row r="999"><c r="A999" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>',
                        1,
                    )
                ),
            ),
        )
        yield (
            f"broken-late-{tag}{ext}",
            _with_xml(
                members,
                sheet,
                lambda x: x.replace("</sheetData>", '<row r="9999"><c r="A9999"><v>1</v></c><row>', 1),
            ),
        )
        yield (
            f"bad-shared-string-{tag}{ext}",
            _with_xml(
                members,
                sheet,
                lambda x: x.replace(
                    "</sheetData>", '<row r="998"><c r="A998" t="s"><v>987654</v></c></row></sheetData>', 1
                ),
            ),
        )
        yield (
            f"huge-number-xml-{tag}{ext}",
            _with_xml(
                members,
                sheet,
                lambda x: x.replace(
                    "</sheetData>",
                    f'<row r="997"><c r="A997"><v>{HUGE_INT}</v></c><c r="B997"><v>1e999</v></c>'
                    f'<c r="C997"><v>NaN</v></c><c r="D997" t="b"><v>7</v></c></row></sheetData>',
                    1,
                ),
            ),
        )
        yield (
            f"wide-claim-{tag}{ext}",
            _with_xml(
                members,
                sheet,
                lambda x: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', x).replace(
                    "</sheetData>",
                    '<row r="996"><c r="XFD996" t="inlineStr"><is><t>far</t></is></c></row></sheetData>',
                    1,
                ),
            ),
        )
    yield "zip-bomb" + ext, _bomb_with(members)


def _bomb_with(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            block = bytes(1024 * 1024)
            for _ in range(260):  # 260 MB of zeros: more than MAX_UNPACKED_BYTES, about 260 kB packed
                member.write(block)
    return out.getvalue()


def cell_cases(valid: bytes, cells: list[tuple[str, int, int]], ext: str = ".xlsx") -> Iterator[Case]:
    """The valid workbook with each nasty value typed in each of ``cells`` (sheet, row, column)."""
    values: list[Any] = [
        *NASTY_VALUES[:-5],
        10**300,  # openpyxl cannot write more; the XML cases carry 400 digits
        -(10**30),
        2**63,
        True,
        datetime(1900, 1, 1),
        1e308,
        -0.0,
    ]
    for sheet, row, column in cells:
        for index, value in enumerate(values):
            book = load_workbook(io.BytesIO(valid))
            book[sheet].cell(row=row, column=column, value=value)
            out = io.BytesIO()
            book.save(out)
            yield f"cell-{sheet}-r{row}c{column}-{index}{ext}", out.getvalue()
        book = load_workbook(io.BytesIO(valid))
        # A number too large for a date, in a cell formatted as a date: openpyxl fails converting it.
        target = book[sheet].cell(row=row, column=column, value=10**12)
        target.number_format = "yyyy-mm-dd"
        out = io.BytesIO()
        book.save(out)
        yield f"cell-{sheet}-r{row}c{column}-date-overflow{ext}", out.getvalue()


def json_cases(good: Any, ext: str = ".json", paths: int = 40) -> Iterator[Case]:
    import json

    text = json.dumps(good)
    yield "good" + ext, text.encode()
    yield "bom" + ext, b"\xef\xbb\xbf" + text.encode()
    yield "empty" + ext, b""
    yield "deep-list" + ext, b"[" * 100_000 + b"]" * 100_000
    yield "deep-object" + ext, b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    yield "deep-but-parses" + ext, b"[" * 900 + b"]" * 900
    yield "huge-int" + ext, text.replace("1", HUGE_INT, 1).encode()
    yield "huger-int" + ext, ("9" * 5000).encode()
    yield "nan" + ext, text.replace("1", "NaN", 1).encode()
    yield "infinity" + ext, text.replace("1", "-Infinity", 1).encode()
    yield "invalid-utf8" + ext, text.encode() + b"\xff"
    yield "utf16" + ext, text.encode("utf-16")
    yield "truncated" + ext, text.encode()[: len(text) // 2]
    for index, shape in enumerate([[], "text", 12, None, True, {"lots": "x"}, {"lots": [1, "a", None]}]):
        yield f"shape-{index}{ext}", json.dumps(shape).encode()
    for path in list(_json_paths(good))[:paths]:
        name = "/".join(str(part) for part in path)
        for index, nasty in enumerate(
            [None, [], {}, "x" * 5000, 10**40, -1, 1.5e308, True, "=1+1", [[[[[]]]]]]
        ):
            yield f"at-{name}-{index}{ext}", json.dumps(_replace(good, path, nasty)).encode()


def _json_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:2]):
            yield from _json_paths(value, (*prefix, index))
    else:
        yield prefix


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    import copy

    copied = copy.deepcopy(node)
    target = copied
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copied


def yaml_cases(ext: str = ".yaml") -> Iterator[Case]:
    yield (
        "laughs" + ext,
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
                for i in range(9)
            )
            + "criteria: [*j]\n"
        ).encode(),
    )
    yield "deep" + ext, b"criteria: " + b"[" * 20_000 + b"]" * 20_000
    yield "python-tag" + ext, b"criteria: !!python/object/apply:os.system ['true']\n"
    yield "not-a-mapping" + ext, b"- 1\n- 2\n"
    yield "criteria-not-list" + ext, b"criteria: 12\n"
    yield "criteria-junk" + ext, b"criteria: [1, 'a', null, {id: 99999999999999999999999999}]\n"
    yield "invalid-utf8" + ext, b"criteria: [\xff]\n"
    yield "tabs" + ext, b"criteria:\n\t- a\n"
