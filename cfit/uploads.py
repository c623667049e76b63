"""Untrusted files: the checks every import applies before reading a byte of content.

An uploaded workbook is a zip archive that may unpack to gigabytes, a CSV may be huge, a cell may
hold a formula that a spreadsheet would run: all are refused here with one clear message, before
any parsing, so each import only has to deal with well-formed content. Plain Python, no Django.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

#: The largest file any import takes, through a page, the API or a command alike.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
#: A fleet register is the one file that grows with the organisation: a national register of a million
#: devices is 60-120 MB as CSV. Pages, the API and the commands all take registers up to this size
#: (``FLEET_REGISTER_MAX_BYTES`` changes it for the platform).
MAX_REGISTER_BYTES = 160 * 1024 * 1024
#: How many times its size a large workbook may unpack to; real ones pack their XML 5 to 20 times.
MAX_WORKBOOK_RATIO = 100
#: A workbook may unpack to at most this much; real templates unpack to a few times their size.
MAX_UNPACKED_BYTES = 10 * MAX_IMPORT_BYTES
#: Problems listed one by one in a refusal; the rest are counted. A file with three million bad cells
#: needs its first mistakes shown, not a list that eats the memory the import was meant to save.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    where: str  #: e.g. "row 7", "sheet Lot 1, row 12" or "criteria[3] (nb-warranty-b)"
    field: str
    message: str  #: in English (the command line, the logs)
    #: the message again as a code with parameters, for pages that say it in the reader's language
    #: (``cfit.refusals``); "" where the reader has no code for it yet
    code: str = dataclass_field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = dataclass_field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {self.message}"


class ImportRefused(Exception):
    """Raised if an import file has any problem; ``problems`` lists each, and nothing was written."""

    def __init__(self, filename: str, problems: list[Problem], count: int | None = None) -> None:
        self.filename = filename
        self.problems = problems  #: collect them with ``Problems`` to keep the list short
        #: All problems found, also those not listed.
        self.count = max(count or 0, len(problems))
        shown = "\n".join(f"{filename}: {p}" for p in problems[:50])
        more = f"\n… and {self.count - 50} more" if self.count > 50 else ""
        super().__init__(f"{filename}: refused, {self.count} problem(s), nothing imported\n{shown}{more}")
        #: What is wrong with the file as a whole, as a code with parameters (``refuse``), for readers
        #: that render problems in the user's language; "" where the problems say it row by row.
        self.code = ""
        self.params: dict[str, str] = {}


class Problems:
    """The problems of one file as they are found: the first ``MAX_PROBLEMS`` kept, all counted."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.found: list[Problem] = []
        self.count = 0

    def add(
        self, where: str, field: str, message: str, *, code: str = "", params: dict[str, str] | None = None
    ) -> None:
        self.count += 1
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(Problem(where, field, message, code, tuple((params or {}).items())))

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        if self.count:
            raise ImportRefused(self.filename, self.found, self.count)


def refuse(
    filename: str,
    message: str,
    where: str = "file",
    field: str = "-",
    *,
    code: str = "",
    params: dict[str, str] | None = None,
) -> ImportRefused:
    """One problem that refuses the file; ``code`` and ``params`` say it again for translation."""
    error = ImportRefused(filename, [Problem(where, field, message, code, tuple((params or {}).items()))])
    error.code, error.params = code, dict(params or {})
    return error


def describe_size(size: int) -> str:
    """A limit as people read it: the limits are whole mebibytes ("20 MB", not "20.9715 MB")."""
    if size >= 1 << 20:
        return f"{size / (1 << 20):.3g} MB"
    return f"{size / 1024:.3g} kB"


def check_size(data: bytes, filename: str, limit: int = MAX_IMPORT_BYTES, *, size: int | None = None) -> None:
    if (len(data) if size is None else size) > limit:
        shown = describe_size(limit)
        raise refuse(filename, f"larger than {shown}", code="too_large", params={"size": shown})


#: What is wrong with a workbook that cannot be read, in words a person acts on (never an exception's
#: name): the English phrases are the ``detail`` of the code ``unreadable_xlsx``, which the pages say
#: in the reader's language (``cfit.refusals.WORKBOOK_TROUBLES``).
NOT_A_PACKAGE = "not a workbook inside: another kind of file named .xlsx?"
UNSAFE_XML = "it holds XML that is refused for safety (entities or a document type)"
DAMAGED = "the workbook is damaged or incomplete: save it again from the spreadsheet program"


def workbook_trouble(error: BaseException) -> str:
    """The ``detail`` of a workbook openpyxl could not read."""
    if isinstance(error, zipfile.BadZipFile):
        return NOT_A_PACKAGE
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - openpyxl brings defusedxml where it is installed
        DefusedXmlException = ()  # noqa: N806
    # openpyxl wraps what its XML parser raised ("Unable to read workbook"): the cause tells.
    seen: BaseException | None = error
    for _depth in range(8):
        if seen is None:
            break
        if isinstance(seen, DefusedXmlException):
            return UNSAFE_XML
        seen = seen.__cause__ or seen.__context__
    return DAMAGED


def open_workbook(
    data: bytes, filename: str, limit: int = MAX_IMPORT_BYTES, *, data_only: bool = False
) -> Any:
    """Open an XLSX read-only after checking its size and what it unpacks to (zip bombs).
    ``data_only`` reads each formula cell's cached value (what the spreadsheet last computed and
    saved) instead of the formula: for templates whose own formulas fill cells (RMI's CMRT/EMRT)."""
    from openpyxl import load_workbook

    check_size(data, filename, limit)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            members = len(archive.infolist())
        # Two rules: never more than ten times the file limit, and beyond MAX_UNPACKED_BYTES only at a
        # workbook's own compression (spreadsheets' XML packs 5-20 times; a bomb packs up to 1,000).
        if unpacked > max(MAX_UNPACKED_BYTES, 10 * limit) or (
            unpacked > MAX_UNPACKED_BYTES and unpacked > MAX_WORKBOOK_RATIO * len(data)
        ):
            raise refuse(filename, "unpacks to too much data (a zip bomb?)", code="zip_bomb")
        if members > 10_000:
            raise refuse(filename, "holds too many parts for a workbook", code="zip_bomb")
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many types for a broken file: all mean the same to the user
        detail = workbook_trouble(error)
        raise refuse(
            filename,
            f"not a readable XLSX workbook ({detail})",
            code="unreadable_xlsx",
            params={"detail": detail},
        ) from error


def is_formula(value: Any) -> bool:
    """A cell that a spreadsheet would compute; imports take typed values only."""
    return isinstance(value, str) and value.startswith("=") and len(value) > 1


# -- evidence files ------------------------------------------------------------------------------------

#: The kinds of file a supplier hands in as evidence (reports, certificates, completed templates,
#: scans, exports), by the name's extension, with the media type they are stored and served as.
#: Programs, scripts, archives, web pages and macro-enabled or legacy binary Office files are not
#: evidence: a buyer opens what is delivered, so only kinds that run nothing when opened are taken.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".json": "application/json",
}
#: The kinds as the refusal names them.
EVIDENCE_KINDS = "PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG, TIFF, GIF, WEBP, CSV, TXT, XML, JSON"
#: The part an Office Open XML package of each kind must hold (its main document).
_OOXML_PARTS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
#: Bytes that open a program or a library, whatever the file is called: Windows (MZ), Linux (ELF),
#: macOS (Mach-O, fat binaries), Java classes, shell scripts.
_PROGRAM_HEADERS = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)


def _suffix(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(".").lower()
    return "." + name.rsplit(".", 1)[1] if "." in name else ""


def _text(data: bytes) -> str | None:
    """The file as text if it is text (UTF-8 or UTF-16 with its mark, else Windows' cp1252), else None."""
    for encoding in ("utf-8-sig", "utf-16") if data[:2] not in (b"\xff\xfe", b"\xfe\xff") else ("utf-16",):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return None  # NUL and other control characters: a binary file
    return text


def _package(data: bytes, filename: str) -> list[str]:
    """The member names of a zip package, after the zip bomb checks of ``open_workbook``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > 10_000 or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                raise refuse(filename, "unpacks to too much data (a zip bomb?)", code="zip_bomb")
            names = [i.filename for i in infos]
            if "mimetype" in names:  # OpenDocument names its kind in its first, stored member
                names.append("mimetype:" + archive.read("mimetype")[:100].decode("ascii", "replace"))
            return names
    except zipfile.BadZipFile:
        return []


def _content_matches(data: bytes, suffix: str, filename: str) -> bool:
    if data.startswith(_PROGRAM_HEADERS):
        return False
    match suffix:
        case ".pdf":
            return b"%PDF-" in data[:1024]
        case ".png":
            return data.startswith(b"\x89PNG\r\n\x1a\n")
        case ".jpg" | ".jpeg":
            return data.startswith(b"\xff\xd8\xff")
        case ".tif" | ".tiff":
            return data.startswith((b"II*\x00", b"MM\x00*"))
        case ".gif":
            return data.startswith((b"GIF87a", b"GIF89a"))
        case ".webp":
            # A RIFF container of the WebP kind, then one of its three chunk kinds (lossy, lossless, extended).
            return (
                data.startswith(b"RIFF")
                and data[8:12] == b"WEBP"
                and data[12:16] in (b"VP8 ", b"VP8L", b"VP8X")
            )
        case ".docx" | ".xlsx" | ".pptx":
            if not data.startswith(b"PK\x03\x04"):
                return False
            names = _package(data, filename)
            main = _OOXML_PARTS[suffix]
            # A macro-enabled document renamed .docx/.xlsx still carries its vbaProject.bin.
            return (
                "[Content_Types].xml" in names
                and any(n.startswith(main) for n in names)
                and not any(n.lower().endswith("vbaproject.bin") for n in names)
            )
        case ".odt" | ".ods":
            if not data.startswith(b"PK\x03\x04"):
                return False
            return f"mimetype:{EVIDENCE_TYPES[suffix]}" in _package(data, filename)
        case ".csv" | ".txt" | ".xml" | ".json":
            text = _text(data)
            if text is None:
                return False
            head = text.lstrip("\ufeff \t\r\n")
            if suffix == ".xml":
                return head.startswith("<") and not head[:200].lower().startswith(("<!doctype html", "<html"))
            if suffix == ".json":
                return head[:1] in ("{", "[")
            return not head[:200].lower().startswith(("<!doctype html", "<html", "<svg", "<?xml"))
    return False


#: The parts of a macro-enabled workbook that hold or sign its VBA project (by name, lower case).
_VBA_PARTS = (
    "vbaproject.bin",
    "vbaprojectsignature.bin",
    "vbaprojectsignatureagile.bin",
    "vbaprojectsignaturev3.bin",
)


def without_macros(data: bytes, filename: str, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """A macro-enabled workbook (``.xlsm``) as an ordinary one: the same package without its VBA project,
    its signatures and their relationships, its main part typed as an XLSX's. Nothing is run or
    interpreted: the zip members are copied byte for byte, only the two XML indexes lose the entries of
    the parts taken out. The result passes ``check_evidence`` as ``.xlsx``; a file that is no workbook
    package is refused as not what its name says."""
    check_size(data, filename, limit)
    names = _package(data, filename) if data.startswith(b"PK\x03\x04") else []
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise refuse(
            filename, "its content is not a XLSM file, as its name says", code="not_what_it_says",
            params={"kind": "XLSM"},
        )  # fmt: skip

    def dropped(name: str) -> bool:
        base = name.lower().rsplit("/", 1)[-1]
        return base in _VBA_PARTS or base in {f"{p}.rels" for p in _VBA_PARTS}

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if dropped(info.filename):
                continue
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"<Override\b[^>]*PartName=\"[^\"]*vbaProject[^\"]*\"[^>]*/>", "", text, flags=re.I
                )
                text = re.sub(
                    r"<Default\b[^>]*ContentType=\"application/vnd\.ms-office\.vbaProject\"[^>]*/>", "", text
                )
                content = text.replace(
                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                ).encode("utf-8")
            elif info.filename.lower().endswith(".rels"):
                text = content.decode("utf-8")
                content = re.sub(
                    r"<Relationship\b[^>]*Type=\"[^\"]*/vbaProject(?:Signature\w*)?\"[^>]*/>",
                    "",
                    text,
                    flags=re.I,
                ).encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def check_evidence(data: bytes, filename: str, limit: int = MAX_IMPORT_BYTES) -> str:
    """The media type of an evidence file, after checking its size, its name (an ``EVIDENCE_TYPES``
    extension) and that its content is of that kind (a program renamed ``.pdf`` is refused); raises
    ``ImportRefused`` otherwise, with the code ``not_evidence`` or ``not_what_it_says``."""
    check_size(data, filename, limit)
    suffix = _suffix(filename)
    if suffix not in EVIDENCE_TYPES:
        raise refuse(
            filename,
            f"not a kind of file taken as evidence (take {EVIDENCE_KINDS})",
            code="not_evidence",
            params={"kinds": EVIDENCE_KINDS},
        )
    if not _content_matches(data, suffix, filename):
        kind = suffix.lstrip(".").upper()
        raise refuse(
            filename,
            f"its content is not a {kind} file, as its name says",
            code="not_what_it_says",
            params={"kind": kind},
        )
    return EVIDENCE_TYPES[suffix]
