"""Reading an LA's uploaded 903 files into tables, with one clear problem per thing wrong.

Takes either several CSV files (Header, Episodes, AD1, PlacedAdoption; each file is recognised by
its columns, not its name) or one XML file in the DfE's 903 XML form. Produces the four tables as
rows of stripped text plus parsed dates, and a list of :class:`Problem` (file, table, row, child,
rule code, message). It checks only what the import itself relies on (the file can be read, the
columns are there, dates are dd/mm/yyyy, codes are 903 codes the product knows, every child is in
Header); the DfE's own rules run separately on the same tables (:mod:`children.ssda903.validation`).

Where a check here is the same as a DfE rule (e.g. 102: date of birth is not a valid date) the
problem carries the DfE code, so the LA sees the code its own return would give.

Rows: for a CSV, ``row`` is the line in the file (the column names are line 1), as a spreadsheet
shows it; for the XML form it is the record's number (from 1) within its table.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from lac_validator.config import column_names

from adoption.uploads import size_in_words, upload_max_bytes
from children.codes import (
    CategoryOfNeed,
    LegalStatus,
    PlacementProvider,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
    ReasonPlaceChange,
)
from children.models import AdoptionDecision, Child, Ethnicity
from children.ssda903.validation import ADOPTION_TABLES

# --- limits ----------------------------------------------------------------------------------------
MAX_FILES = 8
# Each file is held to the service's one upload limit (setting ``UPLOAD_MAX_BYTES``: adoption.uploads); the files of
# one import together to this.
MAX_TOTAL_BYTES = 25 * 1024 * 1024
MAX_ROWS = 50_000  # per table; a large LA's Episodes for a year is a few thousand rows


def max_file_bytes() -> int:
    """The largest 903 file accepted: the service's upload limit."""
    return upload_max_bytes()


# The DfE's column names for each table (the validator's own configuration).
COLUMNS: dict[str, tuple[str, ...]] = {table: tuple(column_names[table]) for table in ADOPTION_TABLES}
OTHER_903_TABLES = {name: set(cols) for name, cols in column_names.items() if name not in ADOPTION_TABLES}

# Dates: column -> (required, DfE rule for "not a valid date")
DATES: dict[str, dict[str, tuple[bool, str]]] = {
    "Header": {"DOB": (True, "102"), "MC_DOB": (False, "171")},
    "Episodes": {"DECOM": (True, "141"), "DEC": (False, "147")},
    "AD1": {"DOB": (False, ""), "DATE_INT": (True, "112"), "DATE_MATCH": (False, "113")},
    "PlacedAdoption": {"DOB": (False, ""), "DATE_PLACED": (True, "115"), "DATE_PLACED_CEASED": (False, "116")},
}

# 903 SEX: M/F/U from the 2024 to 2025 collection; 1 (male) and 2 (female) before it.
SEX_CODES = {"M": "M", "F": "F", "U": "U", "1": "M", "2": "F"}


def _values(choices) -> frozenset[str]:
    return frozenset(str(value) for value, _label in choices)


# Codes the product stores: (table, column) -> (allowed codes, required, DfE rule for an invalid code, what it is)
CODES: dict[tuple[str, str], tuple[frozenset[str], bool, str, str]] = {
    ("Header", "SEX"): (frozenset(SEX_CODES), False, "101", "sex code (M, F or U)"),
    ("Header", "ETHNIC"): (_values(Ethnicity.choices), False, "103", "903 ethnicity code"),
    ("Episodes", "RNE"): (_values(ReasonNewEpisode.choices), True, "143", "reason for new episode code"),
    ("Episodes", "LS"): (_values(LegalStatus.choices), True, "144", "legal status code"),
    ("Episodes", "CIN"): (_values(CategoryOfNeed.choices), True, "145", "category of need code"),
    ("Episodes", "PLACE"): (_values(PlacementType.choices), True, "146", "placement type code"),
    ("Episodes", "PLACE_PROVIDER"): (_values(PlacementProvider.choices), False, "178", "placement provider code"),
    ("Episodes", "REC"): (_values(ReasonEpisodeCeased.choices), False, "149", "reason episode ceased code"),
    ("Episodes", "REASON_PLACE_CHANGE"): (
        _values(ReasonPlaceChange.choices),
        False,
        "1009",
        "reason for placement change code",
    ),
    ("AD1", "FOSTER_CARE"): (frozenset({"0", "1"}), False, "114", "FOSTER_CARE value (0 or 1)"),
    ("PlacedAdoption", "REASON_PLACED_CEASED"): (
        _values(AdoptionDecision.ReversalReason.choices),
        False,
        "120",
        "reason the decision was reversed (RD1 to RD4)",
    ),
}
CODE_COLUMNS = {column for _table, column in CODES}
CHILD_ID_MAX = Child._meta.get_field("child_903_id").max_length or 10

# Problem codes of the import's own checks (the DfE's codes are numbers such as 331).
FILE_UNREADABLE = "IMP-FILE"
FILE_ENCODING = "IMP-ENCODING"
FILE_UNKNOWN = "IMP-UNKNOWN-FILE"
FILE_IGNORED = "IMP-IGNORED-FILE"
FILE_DUPLICATE = "IMP-DUPLICATE-FILE"
FILE_SIZE = "IMP-SIZE"
COLUMN_MISSING = "IMP-COLUMN"
COLUMN_EXTRA = "IMP-EXTRA-COLUMN"
ROW_SHAPE = "IMP-ROW"
VALUE_REQUIRED = "IMP-REQUIRED"
DATE_INVALID = "IMP-DATE"
CODE_UNKNOWN = "IMP-CODE"
CHILD_ID = "IMP-CHILD-ID"
NOT_IN_HEADER = "IMP-NOT-IN-HEADER"
DUPLICATE_ROW = "IMP-DUPLICATE"
TABLE_MISSING = "IMP-TABLE"

_DATE_SHAPE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_ASCII_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about an upload."""

    rule: str  # a DfE rule code ("331") or one of the import's own ("IMP-DATE")
    message: str
    file: str = ""
    table: str = ""
    row: int | None = None
    child: str = ""
    blocking: bool = True  # False: a warning, shown but not stopping the import
    source: str = "import"  # "import" (these checks and the journey rules) or "dfe" (the DfE validator)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class Row:
    table: str
    file: str
    row: int
    values: dict[str, str]  # every column of the table, stripped text ("" when blank)
    dates: dict[str, date | None] = field(default_factory=dict)

    @property
    def child(self) -> str:
        return self.values.get("CHILD", "")

    def where(self) -> dict[str, Any]:
        return {"file": self.file, "table": self.table, "row": self.row, "child": self.child}


@dataclass
class Tables:
    """The four tables as read, where each came from, and what was wrong."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in ADOPTION_TABLES})
    sources: dict[str, str] = field(default_factory=dict)  # table -> file name; only tables read whole
    problems: list[Problem] = field(default_factory=list)
    format: str = ""

    @property
    def blocking(self) -> bool:
        return any(p.blocking for p in self.problems)

    def csv_text(self, table: str) -> str:
        """The table as DfE CSV (its columns, rows in the order read) for the validator."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS[table])
        for row in self.rows[table]:
            writer.writerow([row.values.get(column, "") for column in COLUMNS[table]])
        return out.getvalue()

    def latest_date(self) -> date | None:
        days = [d for rows in self.rows.values() for row in rows for d in row.dates.values() if d]
        return max(days, default=None)


def read_upload(files: Sequence[tuple[str, bytes]]) -> Tables:
    """Read uploaded files given as ``(name, content)``."""
    tables = Tables()
    if not files:
        tables.problems.append(Problem(FILE_UNREADABLE, "Choose the 903 files to import"))
        return tables
    if len(files) > MAX_FILES:
        tables.problems.append(Problem(FILE_SIZE, f"Upload at most {MAX_FILES} files at once"))
        return tables
    for name, content in files:
        problem = size_problem(name, len(content))
        if problem is not None:
            tables.problems.append(problem)
    if sum(len(content) for _name, content in files) > MAX_TOTAL_BYTES:
        tables.problems.append(
            Problem(FILE_SIZE, f"The files together are larger than {size_in_words(MAX_TOTAL_BYTES)}")
        )
    if tables.problems:
        return tables

    kinds = {name: file_kind(name, content) for name, content in files}
    if "xml" in kinds.values():
        if len(files) > 1:
            tables.problems.append(
                Problem(FILE_UNREADABLE, "Upload either the CSV files or one XML file, not several files with XML")
            )
            return tables
        tables.format = "xml"
        name, content = files[0]
        _read_xml(tables, name, content)
    else:
        tables.format = "csv"
        for name, content in files:
            _read_csv(tables, name, content)
    if "Header" not in tables.sources and not any(
        p.table == "Header" and p.rule == COLUMN_MISSING for p in tables.problems
    ):
        tables.problems.append(
            Problem(TABLE_MISSING, "There is no Header table: it lists the children and is needed for every import")
        )
    _check_rows(tables)
    return tables


def size_problem(name: str, size: int) -> Problem | None:
    """A refusal for a file over the size limit (checked before the file is read)."""
    limit = max_file_bytes()
    if size > limit:
        return Problem(
            FILE_SIZE,
            f"The file is larger than {size_in_words(limit)}: upload each 903 table as its own CSV file, "
            "or ask your system administrator about a larger return",
            file=name,
        )
    return None


# What a file that is not text starts with, and what to tell the person who uploaded it. Nothing here is
# ever opened or expanded: a ZIP (an XLSX is one) could unpack to gigabytes.
_NOT_TEXT: tuple[tuple[bytes, str], ...] = (
    (
        b"PK\x03\x04",
        "The file is a spreadsheet workbook (XLSX) or a ZIP file, not CSV or XML. Open it in the spreadsheet program "
        "and save each 903 table as 'CSV UTF-8 (comma delimited)', then upload those files",
    ),
    (
        b"PK\x05\x06",
        "The file is an empty ZIP file, not CSV or XML: upload the 903 CSV files or the 903 XML file themselves",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        "The file is an older Excel workbook (XLS), not CSV. Open it in the spreadsheet program and save each 903 "
        "table as 'CSV UTF-8 (comma delimited)', then upload those files",
    ),
    (b"%PDF", "The file is a PDF, not CSV or XML: upload the 903 files exported from your case management system"),
    (
        b"\x1f\x8b",
        "The file is compressed (GZIP), not CSV or XML: upload the 903 CSV files or the 903 XML file themselves",
    ),
    (
        b"7z\xbc\xaf\x27\x1c",
        "The file is compressed (7-Zip), not CSV or XML: upload the 903 CSV files or the 903 XML file themselves",
    ),
    (
        b"Rar!",
        "The file is compressed (RAR), not CSV or XML: upload the 903 CSV files or the 903 XML file themselves",
    ),
)
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
NOT_TEXT_MESSAGE = "The file is not a text file: save it from the spreadsheet as 'CSV UTF-8 (comma delimited)'"
NOT_UTF8_MESSAGE = (
    "The file is not UTF-8 text (it may have been saved as 'CSV' or in another encoding): "
    "open it and save it again as 'CSV UTF-8 (comma delimited)'"
)
UTF16_MESSAGE = (
    "The file is saved as UTF-16 ('Unicode text'), not UTF-8: open it and save it again as "
    "'CSV UTF-8 (comma delimited)'"
)


def content_problem(name: str, content: bytes) -> Problem | None:
    """A refusal for a file that cannot be a 903 file at all (a workbook, an archive, a PDF, binary data,
    text that is not UTF-8), judged from its bytes alone: nothing is unpacked or parsed."""
    for signature, message in _NOT_TEXT:
        if content.startswith(signature):
            return Problem(FILE_ENCODING, message, file=name)
    if content.startswith(_UTF16_MARKS):
        return Problem(FILE_ENCODING, UTF16_MESSAGE, file=name)
    if b"\x00" in content:
        return Problem(FILE_ENCODING, NOT_TEXT_MESSAGE, file=name)
    if file_kind(name, content) == "xml":
        return None  # XML names its own encoding; the XML reader reports what it cannot read
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Problem(FILE_ENCODING, NOT_UTF8_MESSAGE, file=name)
    return None


def upload_refusal(name: str, size: int, content: bytes) -> str | None:
    """Why an uploaded file is refused before anything is saved (too big, or not a 903 CSV or XML file at all),
    as the message for the person uploading it; ``None`` if it may go on to be checked."""
    problem = size_problem(name, size) or content_problem(name, content)
    return f"{name}: {problem.message}" if problem is not None else None


def uploaded_file_refusal(upload: Any) -> str | None:
    """``upload_refusal`` for an uploaded file (name, size, read, seek): its size is checked before it is read."""
    name = upload.name or "The file"
    if (upload.size or 0) > max_file_bytes():
        return upload_refusal(name, upload.size, b"")
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return upload_refusal(name, len(content), content)


def file_kind(name: str, content: bytes) -> str:
    lowered = name.lower()
    if lowered.endswith(".xml"):
        return "xml"
    if lowered.endswith(".csv"):
        return "csv"
    return "xml" if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "csv"


# --- CSV -------------------------------------------------------------------------------------------


def _decode(tables: Tables, name: str, content: bytes) -> str | None:
    problem = content_problem(name, content)
    if problem is not None:
        tables.problems.append(problem)
        return None
    return content.decode("utf-8-sig")


def _identify(header: list[str]) -> tuple[str | None, list[str]]:
    """The table whose columns these are, and the columns it lacks (empty when complete)."""
    columns = set(header)
    for table, expected in COLUMNS.items():
        if set(expected) <= columns:
            return table, []
    # Not complete: the adoption table sharing the most columns (beyond CHILD and DOB, which most share).
    best, best_score = None, 0
    for table, expected in COLUMNS.items():
        score = len((columns & set(expected)) - {"CHILD", "DOB"})
        if score > best_score:
            best, best_score = table, score
    if best is None or "CHILD" not in columns:
        return None, []
    return best, [c for c in COLUMNS[best] if c not in columns]


def _read_csv(tables: Tables, name: str, content: bytes) -> None:
    text = _decode(tables, name, content)
    if text is None:
        return
    try:
        # strict: a quoted value left open (a file cut short) is an error, not a value running to the end
        lines = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        tables.problems.append(
            Problem(
                FILE_UNREADABLE,
                f"The file cannot be read as CSV ({exc}): a quoted value is not closed, so the file may be cut "
                "short or damaged. Export it again from your case management system",
                file=name,
            )
        )
        return
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if any(cell.strip() for cell in line)]
    if not numbered:
        tables.problems.append(Problem(FILE_UNREADABLE, "The file is empty", file=name))
        return
    (_header_line, header), data = numbered[0], numbered[1:]
    header = [cell.strip().upper() for cell in header]
    table, missing = _identify(header)
    if table is None:
        other = next((t for t, cols in OTHER_903_TABLES.items() if cols <= set(header)), None)
        if other:
            tables.problems.append(
                Problem(
                    FILE_IGNORED,
                    f"This is the 903 {other} table, which the import does not use: it was not read",
                    file=name,
                    table=other,
                    blocking=False,
                )
            )
            return
        tables.problems.append(
            Problem(
                FILE_UNKNOWN,
                "The columns do not match any 903 table the import reads (Header, Episodes, AD1, PlacedAdoption). "
                f"The file's columns are: {', '.join(header[:15]) or 'none'}",
                file=name,
            )
        )
        return
    if missing:
        for column in missing:
            tables.problems.append(
                Problem(
                    COLUMN_MISSING,
                    f"The {table} file has no {column} column: the {table} columns are {', '.join(COLUMNS[table])}",
                    file=name,
                    table=table,
                    row=1,
                )
            )
        return
    if table in tables.sources:
        tables.problems.append(
            Problem(
                FILE_DUPLICATE,
                f"There are two {table} files ({tables.sources[table]} and {name}): upload one file per table",
                file=name,
                table=table,
            )
        )
        return
    for column in header:
        if column and column not in COLUMNS[table]:
            tables.problems.append(
                Problem(
                    COLUMN_EXTRA,
                    f"The column {column} is not part of the 903 {table} table and was ignored",
                    file=name,
                    table=table,
                    row=1,
                    blocking=False,
                )
            )
    if len(data) > MAX_ROWS:
        tables.problems.append(
            Problem(FILE_SIZE, f"The file has {len(data)} rows; the import takes at most {MAX_ROWS}", file=name)
        )
        return
    tables.sources[table] = name
    named_width = max(i for i, column in enumerate(header, start=1) if column)  # trailing blank names aside
    for number, line in data:
        if len(line) > len(header) and any(cell.strip() for cell in line[len(header) :]):
            tables.problems.append(
                Problem(
                    ROW_SHAPE,
                    f"The row has {len(line)} values but the file has {len(header)} columns "
                    "(check for commas inside values)",
                    file=name,
                    table=table,
                    row=number,
                    child=line[header.index("CHILD")].strip() if len(line) > header.index("CHILD") else "",
                )
            )
        elif len(line) < named_width:
            # Every row of a 903 CSV has every column (blank ones as empty values between commas): a short row
            # is a file cut off part-way, or a row edited by hand.
            tables.problems.append(
                Problem(
                    ROW_SHAPE,
                    f"The row has {len(line)} values but the file has {named_width} columns: the file may be cut "
                    "short. Export it again from your case management system",
                    file=name,
                    table=table,
                    row=number,
                    child=line[header.index("CHILD")].strip() if len(line) > header.index("CHILD") else "",
                )
            )
        values = {column: (line[i].strip() if i < len(line) else "") for i, column in enumerate(header)}
        tables.rows[table].append(
            Row(table, name, number, {column: values.get(column, "") for column in COLUMNS[table]})
        )


# --- XML -------------------------------------------------------------------------------------------

_XML_RENAMES = {"CHILDID": "CHILD", "PL": "PLACE"}
_AD1_FIELDS = tuple(c for c in COLUMNS["AD1"] if c not in {"CHILD", "DOB"})


def _leaves(element: ET.Element, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Leaf values under ``element``, not descending into elements named in ``skip``."""
    found: dict[str, str] = {}
    stack = list(element)
    while stack:
        node = stack.pop(0)
        if node.tag in skip:
            continue
        if len(node):
            stack[0:0] = list(node)
        else:
            found.setdefault(_XML_RENAMES.get(node.tag, node.tag), (node.text or "").strip())
    return found


def _read_xml(tables: Tables, name: str, content: bytes) -> None:
    """The DfE's 903 XML: one CHILD element per child, its HEADER (with AD1 fields and AD_PLACED
    decisions) and EPISODE elements. Read here rather than with the validator's reader, which lets
    one episode's end date leak into an open episode that omits DEC."""
    problem = content_problem(name, content)
    if problem is not None:
        tables.problems.append(problem)
        return
    head = content[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in content.upper():
        tables.problems.append(
            Problem(FILE_UNREADABLE, "XML with a document type declaration (DOCTYPE) is not accepted", file=name)
        )
        return
    try:
        root = ET.fromstring(content)  # noqa: S314  (see the import comment above)
    except ET.ParseError as exc:
        line, column = exc.position
        tables.problems.append(
            Problem(
                FILE_UNREADABLE,
                f"The XML cannot be read: it stops or breaks at line {line}, column {column + 1}, so the file may "
                "be cut short or damaged. Export it again from your case management system",
                file=name,
            )
        )
        return
    children = [element for element in root.iter("CHILD") if len(element)]
    if not children:
        tables.problems.append(Problem(FILE_UNKNOWN, "The XML has no CHILD elements: is it a 903 return?", file=name))
        return
    for table in ADOPTION_TABLES:
        tables.sources[table] = name
    counters = dict.fromkeys(ADOPTION_TABLES, 0)

    def add(table: str, values: dict[str, str]) -> None:
        counters[table] += 1
        if counters[table] > MAX_ROWS:
            return
        row = {column: values.get(column, "") for column in COLUMNS[table]}
        if table == "Header" and "UASC" in values:
            row["UASC"] = values["UASC"]
        tables.rows[table].append(Row(table, name, counters[table], row))

    for element in children:
        header = _leaves(element, skip=("EPISODE", "AD_PLACED", "AREVIEW", "AMISSING", "OC2", "OC3", "PERMANENCE"))
        add("Header", header)
        if any(header.get(column) for column in _AD1_FIELDS):
            add("AD1", header)
        for episode in element.iter("EPISODE"):
            add("Episodes", {**{k: header.get(k, "") for k in ("CHILD", "DOB")}, **_leaves(episode)})
        for placed in element.iter("AD_PLACED"):
            add("PlacedAdoption", {**{k: header.get(k, "") for k in ("CHILD", "DOB")}, **_leaves(placed)})
    for table, count in counters.items():
        if count > MAX_ROWS:
            tables.problems.append(
                Problem(
                    FILE_SIZE, f"The XML has {count} {table} records; the import takes at most {MAX_ROWS}", file=name
                )
            )


# --- values ------------------------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """``dd/mm/yyyy`` (the 903 form) or ``None``; raises ``ValueError`` for anything else."""
    if not text:
        return None
    if not _DATE_SHAPE.match(text):
        raise ValueError(text)
    # Every date of every row is read: the usual ASCII form directly (``date`` refuses a day that does not exist,
    # as ``strptime`` does), anything else as before.
    parts = _ASCII_DATE.fullmatch(text)
    if parts is not None:
        return date(int(parts[3]), int(parts[2]), int(parts[1]))
    return datetime.strptime(text, "%d/%m/%Y").date()


def _check_rows(tables: Tables) -> None:
    problems = tables.problems
    for table, rows in tables.rows.items():
        for row in rows:
            where = row.where()
            child = row.child
            if not child:
                problems.append(Problem(VALUE_REQUIRED, "CHILD is blank: every row needs the child's 903 ID", **where))
            elif len(child) > CHILD_ID_MAX:
                problems.append(
                    Problem(CHILD_ID, f"The CHILD ID '{child}' is longer than {CHILD_ID_MAX} characters", **where)
                )
            for column, (required, rule) in DATES[table].items():
                text = row.values.get(column, "")
                try:
                    row.dates[column] = parse_date(text)
                except ValueError:
                    row.dates[column] = None
                    problems.append(
                        Problem(
                            rule or DATE_INVALID,
                            f"{column} '{text}' is not a real date in the form dd/mm/yyyy",
                            **where,
                        )
                    )
                    continue
                if required and not text:
                    problems.append(Problem(rule or VALUE_REQUIRED, f"{column} is blank: it must be a date", **where))
            for (code_table, column), (allowed, required, rule, what) in CODES.items():
                if code_table != table:
                    continue
                text = row.values.get(column, "").upper()
                row.values[column] = text
                if not text:
                    if required:
                        problems.append(Problem(rule, f"{column} is blank: it must be a {what}", **where))
                elif text not in allowed:
                    problems.append(Problem(rule, f"{column} '{text}' is not a {what}", **where))
            for column in ("UPN", "HOME_POST", "PL_POST", "URN"):
                if column in row.values:
                    row.values[column] = row.values[column].upper()

    header_ids: dict[str, Row] = {}
    for row in tables.rows["Header"]:
        if row.child in header_ids:
            problems.append(
                Problem(
                    DUPLICATE_ROW,
                    f"Child {row.child} is in Header twice (also row {header_ids[row.child].row})",
                    **row.where(),
                )
            )
        elif row.child:
            header_ids[row.child] = row
    header_read = "Header" in tables.sources
    _duplicates(tables, "Episodes", ("DECOM",), "an episode starting on")
    _duplicates(tables, "AD1", (), "AD1")
    _duplicates(tables, "PlacedAdoption", ("DATE_PLACED",), "a decision dated")
    if not header_read:
        return
    for table in ("Episodes", "AD1", "PlacedAdoption"):
        for row in tables.rows[table]:
            if row.child and row.child not in header_ids:
                problems.append(
                    Problem(
                        NOT_IN_HEADER,
                        f"Child {row.child} is in {table} but not in Header: add the child to Header or remove the row",
                        **row.where(),
                    )
                )


def _duplicates(tables: Tables, table: str, key: tuple[str, ...], what: str) -> None:
    seen: dict[tuple[str, ...], Row] = {}
    for row in tables.rows[table]:
        ident = (row.child, *(row.values.get(c, "") for c in key))
        if not row.child:
            continue
        if ident in seen:
            detail = f" {what} {ident[1]}" if key else f" in {what}"
            tables.problems.append(
                Problem(
                    DUPLICATE_ROW,
                    f"Child {row.child} has{detail} twice (also row {seen[ident].row})"
                    if key
                    else f"Child {row.child} is{detail} twice (also row {seen[ident].row})",
                    **row.where(),
                )
            )
        else:
            seen[ident] = row
