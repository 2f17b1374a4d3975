"""The scorecard PDF's floor in the benchmark is a page of plain text: one page, filled, in the scorecard's fonts."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader

from reporting.bench.reports import floor_pdf, floor_pdf_html
from reporting.pdf import font_config


def _pages(html: str):
    from weasyprint import HTML

    return HTML(string=html).render(font_config=font_config()).pages


def test_the_floor_is_one_page_of_plain_text_that_one_more_paragraph_would_overflow():
    html = floor_pdf_html()
    pages = _pages(html)
    assert len(pages) == 1

    # Filled: its last paragraph ends in the page's last tenth, and one more like it starts a second page.
    page = pages[0]._page_box
    body = page.children[0].children[0]
    last = body.children[-1]
    content_top, content_height = page.content_box_y(), page.height
    assert (last.position_y + last.margin_height() - content_top) / content_height > 0.9
    paragraphs = re.findall(r"<p>.*?</p>", html)
    assert len(_pages(html.replace("</body>", f"{paragraphs[-1]}</body>"))) == 2

    # Plain text: a heading and paragraphs, no table, list or image; the scorecard PDF's fonts and page.
    assert set(re.findall(r"<(\w+)[ >]", html.split("<body>")[1])) == {"h1", "p"}
    assert '"Liberation Sans", "DejaVu Sans", Arial, sans-serif' in html and "size: A4; margin: 18mm" in html


def test_the_floor_pdf_reads_as_its_text_on_one_page():
    reader = PdfReader(BytesIO(floor_pdf()))
    assert len(reader.pages) == 1
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert text.startswith("Adoption scorecard: about the figures")
    assert "A1 is the average number of days" in text and "Page 1 of 1" in text
