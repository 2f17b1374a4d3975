"""PDF rendering with WeasyPrint: templates are HTML, this only turns them into PDF bytes."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

_local = threading.local()


def font_config() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, made once and kept: a new one loads Fontconfig's fonts into a
    new Pango font map, which has then to open every font and shape every glyph again (half the time of a one-page
    PDF).

    One per thread, not per process: Pango's font maps are not safe to share between threads (a worker's processes
    each have their own anyway). No template uses ``@font-face``, so it only ever holds the system's fonts.
    """
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


@contextmanager
def garbage_collected_after() -> Iterator[None]:
    """Python's cyclic garbage collector paused while WeasyPrint works, and its young objects collected after.

    WeasyPrint makes hundreds of thousands of short-lived objects (boxes, layouts) for a few pages. Collected while
    it runs, those still in use are promoted to the oldest generation, and enough of them make Python collect the
    whole heap of the process (Django's, matplotlib's: some 200,000 objects, over 100 ms each time) every few
    PDFs: a fifth of the time of a short one. Collected once it is done, nearly all of them are garbage, freed from
    the youngest generation (a few milliseconds). Everything not in a cycle is freed as usual meanwhile (reference
    counting is not paused).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_to_string(template, context))


def html_to_pdf(html: str) -> bytes:
    """``html`` as a tagged PDF (PDF/UA-1), with this thread's fonts and the collector paused (above)."""
    from weasyprint import HTML  # imported late: loading Pango is slow and only jobs need it

    with garbage_collected_after():
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
            pdf_variant="pdf/ua-1", font_config=font_config()
        )
