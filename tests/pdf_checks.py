"""What every PDF the product makes must be for people using assistive technology, checked on its bytes.

WeasyPrint writes PDF/UA-1: a tagged PDF (a structure tree of headings, paragraphs, tables... whose order is the
reading order a screen reader follows), with the document's language, its title shown in place of the file name,
and the PDF/UA identification in its XMP metadata. :func:`tagged_pdf` checks those and returns the structure
tree's blocks with their text, in reading order, so a test can say what a reader hears and in which order.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NumberObject

HEADINGS = ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")
# Structure elements read as one block of text (their children are only inline spans).
BLOCKS = (*HEADINGS, "/P", "/TH", "/TD", "/LI", "/LBody", "/Caption", "/Figure")


@dataclass(frozen=True)
class Block:
    role: str  # the structure type: "/H1", "/P", "/TH", ...
    text: str

    @property
    def is_heading(self) -> bool:
        return self.role in HEADINGS


@dataclass(frozen=True)
class TaggedPdf:
    reader: PdfReader
    title: str
    language: str
    blocks: list[Block]  # in the structure tree's (the reading) order

    @property
    def headings(self) -> list[str]:
        return [block.text for block in self.blocks if block.is_heading]

    @property
    def text(self) -> str:
        return " ".join(block.text for block in self.blocks)

    def roles(self) -> set[str]:
        return {block.role for block in self.blocks}


def _page_marked_text(page: Any, texts: dict[tuple[int, int], list[str]]) -> None:
    """Add the text shown inside each marked-content sequence of ``page`` to ``texts`` by (page, MCID)."""
    page_ref = page.indirect_reference.idnum if page.indirect_reference else -1
    stack: list[int | None] = []  # the MCID of each open marked-content sequence (None: not marked)

    def before(operator: bytes, operands: list[Any], *_: Any) -> None:
        if operator in (b"BDC", b"BMC"):
            # An artifact (page furniture: a running header, a page number) is never read out; other marked
            # content without an MCID belongs to the sequence it is in.
            properties = operands[1] if operator == b"BDC" and len(operands) > 1 else None
            mcid = properties.get("/MCID") if isinstance(properties, DictionaryObject) else None
            if operands and operands[0] == "/Artifact":
                stack.append(None)
            else:
                stack.append(int(mcid) if mcid is not None else (stack[-1] if stack else None))
        elif operator == b"EMC" and stack:
            stack.pop()

    def shown(text: str, *_: Any) -> None:
        if stack and stack[-1] is not None and text:
            texts.setdefault((page_ref, stack[-1]), []).append(text)

    page.extract_text(visitor_operand_before=before, visitor_text=shown)


def _marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text shown inside each marked-content sequence: (page object number, MCID) -> text."""
    texts: dict[tuple[int, int], list[str]] = {}
    for page in reader.pages:
        _page_marked_text(page, texts)
    return {key: "".join(parts) for key, parts in texts.items()}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _blocks(reader: PdfReader) -> list[Block]:
    marked = _marked_text(reader)
    blocks: list[Block] = []

    def content(node: Any, page: int | None) -> str:
        """The text of a structure element and everything under it, in order."""
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, NumberObject | int):
            return marked.get((page if page is not None else -1, int(node)), "")
        if isinstance(node, ArrayObject | list):
            return "".join(content(child, page) for child in node)
        if isinstance(node, DictionaryObject):
            if "/Pg" in node:
                page = node.raw_get("/Pg").idnum
            if "/MCID" in node:
                return marked.get((page if page is not None else -1, int(node["/MCID"])), "")
            return content(node.get("/K", []), page)
        return ""

    def walk(node: Any, page: int | None) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, ArrayObject | list):
            for child in node:
                walk(child, page)
            return
        if not isinstance(node, DictionaryObject):
            return
        if "/Pg" in node:
            page = node.raw_get("/Pg").idnum
        role = str(node.get("/S", ""))
        if role in BLOCKS:
            text = _squash(content(node.get("/K", []), page))
            if role == "/Figure":
                text = _squash(str(node.get("/Alt", ""))) or text
            blocks.append(Block(role, text))
            return
        walk(node.get("/K", []), page)

    walk(reader.trailer["/Root"]["/StructTreeRoot"].get_object().get("/K", []), None)
    return blocks


def tagged_pdf(content: bytes, *, language: str = "en-GB") -> TaggedPdf:
    """``content`` read as a tagged PDF/UA-1 document, after checking what makes it one."""
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert bool(root.get("/MarkInfo", {}).get("/Marked")), "the PDF is not tagged"
    assert "/StructTreeRoot" in root, "the PDF has no structure tree"
    assert root.get("/Lang") == language, f"the PDF's language is {root.get('/Lang')!r}, not {language!r}"
    assert bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle")), "the title is not shown as the title"
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp and re.search(rb"pdfuaid:part[^0-9]*1", xmp), "the XMP does not say PDF/UA-1"
    title = (reader.metadata.title if reader.metadata else None) or ""
    assert title.strip(), "the PDF has no title"
    return TaggedPdf(reader=reader, title=title, language=language, blocks=_blocks(reader))
