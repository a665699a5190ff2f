"""PDF from the same HTML, printed by headless Chromium (Debian's ``chromium``) where it is on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .._errors import FormasiError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfUnavailable(FormasiError, RuntimeError):
    """No headless Chromium to print the report with. Install it (``apt-get install chromium``), or
    write ``--format html`` and print that from a browser (A4 is set in its print style)."""


def browser() -> str | None:
    """The first Chromium on PATH, or the one ``FORMASI_CHROMIUM`` names."""
    named = os.environ.get("FORMASI_CHROMIUM")
    if named:
        return shutil.which(named) or (named if os.access(named, os.X_OK) else None)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def to_pdf(html: str, path: str | os.PathLike, *, timeout: float = 120) -> None:
    """Print ``html`` to ``path`` as PDF, A4 (the report's @page rule). Raises PdfUnavailable."""
    exe = browser()
    if exe is None:
        raise PdfUnavailable("no headless Chromium on PATH (chromium, chromium-browser, google-chrome): "
                             "install one or use --format html / tidak ada Chromium untuk membuat PDF")
    with tempfile.TemporaryDirectory(prefix="formasi-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = Path(path).resolve()
        # A fresh profile, no network, no first-run work: the page has no external resource anyway.
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
               f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}", page.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"{exe} did not finish printing within {timeout:.0f} s") from None
        if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable(f"{exe} could not print the report (exit {done.returncode}): "
                                 f"{done.stderr.strip()[-400:]}")
