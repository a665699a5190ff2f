"""Where each page of the book lives, relative to its root: the stable addresses a decision's
citation can link to (``rules/<rule id>.html``; ``index.html#rule-<rule id>`` too)."""

from __future__ import annotations

import re

PAGES = {"rule": "rules/{}.html", "field": "fields/{}.html", "table": "tables/{}.html",
         "target": "routes/{}.html", "source": "sources.html#src-{}", "vocabulary": "vocabularies.html#voc-{}",
         "case": "cases.html#case-{}"}


def slug(name: str) -> str:
    """A file or anchor name for an id: the id itself wherever it is already safe."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def url(kind: str, name: str) -> str:
    """The page of a rule, field, table ... relative to the book's root."""
    return PAGES[kind].format(slug(str(name)))
