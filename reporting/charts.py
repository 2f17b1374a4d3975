"""Charts for pages and PDFs: matplotlib drawn to SVG, with the text kept as text (readable in a PDF's text, and by
assistive technology on a page).

A chart is drawn inside ``with Chart(name, size) as figure:``; on leaving the block it is laid out and its SVG is
``chart.svg``. A PDF shows it as an image (``data_uri``); a page puts it inline (``inline_svg``), because the
site's content security policy refuses the inline styles matplotlib writes its colours and lines with.

Drawing takes most of a page's time (a few hundred milliseconds a chart), so a page's chart is drawn once for its data
points and kept in the cache (``cached_inline_svg``; Redis in production, shared by every web process); so is a PDF's
(``cached_svg``), whose key is as much a hash of what it shows, so a kept drawing is never out of date.
"""

from __future__ import annotations

import base64
import hashlib
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from types import TracebackType

import matplotlib
from matplotlib.figure import Figure

from adoption.caching import kept_or_made

matplotlib.use("Agg")  # no display: charts are drawn for pages and files only


class Chart:
    """One chart: ``name`` salts its SVG ids (so two charts on a page do not clash), ``size`` is in inches."""

    def __init__(self, name: str, size: tuple[float, float], *, font_size: float = 9, tight: bool = True) -> None:
        """``tight``: laid out by matplotlib to fit its labels (``tight_layout``); otherwise the drawing places its
        plot itself (``subplots_adjust``)."""
        self.svg = ""
        self._size = size
        self._tight = tight
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
                if self._tight:
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


def styles_as_attributes(root: ET.Element) -> None:
    """Each element's ``style`` declarations as presentation attributes (``fill``, ``stroke``, ``font-size``...),
    but its font: the page's (or the PDF's) font is set once, on the root."""
    for element in root.iter():
        style = element.attrib.pop("style", "")
        for declaration in style.split(";"):
            name, _colon, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name and value and name != "font-family":
                element.set(name, value)


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
    styles_as_attributes(root)
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


# A chart drawn for a page is kept this long; its key changes with its data, so this only bounds the cache's size.
CHART_CACHE_SECONDS = 24 * 60 * 60
# Part of every key: raise it when the way a page's chart is drawn changes, so no page shows one drawn the old way.
CHART_DRAWING_VERSION = 1


def chart_cache_key(*, chart_id: str, title: str, description: str, data: object) -> str:
    """The key of a chart drawn from ``data``: a hash of everything the chart shows. A changed figure is a new key,
    and two areas whose figures are the same share one chart (it shows nothing else)."""
    shown = repr((CHART_DRAWING_VERSION, matplotlib.__version__, chart_id, title, description, data))
    return f"chart:{chart_id}:{hashlib.sha256(shown.encode()).hexdigest()}"


def cached_inline_svg(*, chart_id: str, title: str, description: str, data: object, draw: Callable[[], str]) -> str:
    """``inline_svg`` of the chart ``draw`` draws from ``data``, drawn only when the cache does not hold it already.

    ``data`` must be every value the drawing depends on, with a ``repr`` that is the same in every process (numbers,
    dates, strings, tuples, lists and dataclasses of them). A cache that cannot be reached costs the drawing, never
    the page.
    """
    key = chart_cache_key(chart_id=chart_id, title=title, description=description, data=data)
    return _cached(key, chart_id, lambda: inline_svg(draw(), chart_id=chart_id, title=title, description=description))


def cached_svg(*, chart_id: str, title: str, data: object, draw: Callable[[], str]) -> str:
    """matplotlib's SVG document of the chart ``draw`` draws from ``data`` (for a PDF's ``data_uri``), drawn only
    when the cache does not hold it already; ``data`` as for ``cached_inline_svg``."""
    key = chart_cache_key(chart_id=chart_id, title=title, description="", data=data)
    return _cached(key, chart_id, draw)


def _cached(key: str, chart_id: str, make: Callable[[], str]) -> str:
    return kept_or_made(key, make, seconds=CHART_CACHE_SECONDS, kind=str, what=f"chart {chart_id}")
