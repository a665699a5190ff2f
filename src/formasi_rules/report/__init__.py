"""Reports for people: the formation report as HTML (to read, print on A4 or attach to a
proposal), and as PDF through headless Chromium where it is installed."""

from ._html import LANGS, render
from ._pdf import PdfUnavailable, to_pdf

__all__ = ["LANGS", "PdfUnavailable", "render", "to_pdf"]
