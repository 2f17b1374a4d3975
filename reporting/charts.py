"""Charts for pages and PDFs: matplotlib drawn to SVG, with the text kept as text (readable in a PDF's text, and by
assistive technology on a page).

A chart is drawn inside ``with Chart(name, size) as figure:``; on leaving the block it is laid out and its SVG is
``chart.svg``. A PDF shows it as an image (``data_uri``); a page puts it inline (``inline_svg``), because the
site's content security policy refuses the inline styles matplotlib writes its colours and lines with.
"""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET
from types import TracebackType

import matplotlib
from matplotlib.figure import Figure

matplotlib.use("Agg")  # no display: charts are drawn for pages and files only


class Chart:
    """One chart: ``name`` salts its SVG ids (so two charts on a page do not clash), ``size`` is in inches."""

    def __init__(self, name: str, size: tuple[float, float], *, font_size: float = 9) -> None:
        self.svg = ""
        self._size = size
        self._rc = matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name, "font.size": font_size})

    def __enter__(self) -> Figure:
        self._rc.__enter__()
        self._figure = Figure(figsize=self._size)
        return self._figure

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self._figure.tight_layout()
                buffer = io.StringIO()
                self._figure.savefig(buffer, format="svg", metadata={"Date": None})
                self.svg = buffer.getvalue()
        finally:
            self._rc.__exit__(kind, error, trace)


def data_uri(svg: str) -> str:
    """The SVG as a ``data:`` address for an ``<img>`` in a PDF."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
# matplotlib's one stylesheet rule, ``*{stroke-linejoin: round; stroke-linecap: butt}``, as inherited attributes,
# and the page's system font (static/scss/main.scss) in place of matplotlib's.
_ROOT_DEFAULTS = {
    "stroke-linejoin": "round",
    "stroke-linecap": "butt",
    "font-family": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
}


def inline_svg(svg: str, *, chart_id: str, title: str, description: str) -> str:
    """matplotlib's SVG document as an element for a page: ``role="img"`` named by its title and description.

    Its ``style`` attributes become presentation attributes (``fill``, ``stroke``, ``font-size``...), which the
    content security policy does not govern; its stylesheet becomes attributes on the root, which the elements
    inherit; the font is the page's; the fixed size goes, so the chart fits the column.
    """
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    root = ET.fromstring(svg.encode())  # noqa: S314 (matplotlib's own output, not outside input)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG}}}metadata", f"{{{SVG}}}style"):
                parent.remove(child)
    for element in root.iter():
        style = element.attrib.pop("style", "")
        for declaration in style.split(";"):
            name, _colon, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name and value and name != "font-family":
                element.set(name, value)
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.attrib.update(_ROOT_DEFAULTS)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title")
    root.set("aria-describedby", f"{chart_id}-description")
    root.set("id", chart_id)
    root.set("class", "app-chart")
    root.set("focusable", "false")
    description_element = ET.Element(f"{{{SVG}}}desc", {"id": f"{chart_id}-description"})
    description_element.text = description
    title_element = ET.Element(f"{{{SVG}}}title", {"id": f"{chart_id}-title"})
    title_element.text = title
    root.insert(0, description_element)
    root.insert(0, title_element)
    return ET.tostring(root, encoding="unicode")
