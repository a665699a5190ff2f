"""Writing the book: one page per route and level, rule, field and table, with Jinja2
templates shipped in the package; a search index; the period selector's and search's own JS.

Links are relative, so the folder can be copied anywhere or opened from disk (file://).
"""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs
import jinja2

from .._errors import InvalidArgument
from ..policy import Policy
from . import _collect as c
from ._links import url
from ._pages import write_pages
from ._words import Writer, condition, field_words, plain

MARKER = "search-index.js"  # every book has it: a folder holding it may be rebuilt in place


@attrs.frozen
class Book:
    """What ``build_book`` wrote: the folder and every page, relative to it."""

    root: Path
    pages: tuple[str, ...]


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("formasi_rules.book", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["plain"] = plain
    env.filters["shortpath"] = _shortpath
    env.globals["CONFIDENCE"] = c.CONFIDENCE
    return env


def _shortpath(file: str) -> str:
    """A policy file as policy staff name it: from the folder that holds the policies."""
    path = Path(file)
    for parent in path.parents:
        if (parent / "policy.yaml").is_file():
            return str(path.relative_to(parent.parent))
    return file


class _Site:
    def __init__(self, policy: Policy, out: Path):
        self.policy, self.out, self.env = policy, out, _env()
        self.pages: list[str] = []
        self.index: list[dict[str, str]] = []
        self.cases = c.test_cases(policy)

    def writer(self, root: str) -> Writer:
        return Writer(self.policy, html=True, link=lambda kind, name: root + url(kind, name))

    def page(self, path: str, template: str, title: str, **context: Any) -> None:
        root = "../" * path.count("/")
        html = self.env.get_template(template).render(
            p=self.policy, root=root, url=lambda kind, name: root + url(kind, name), title=title,
            w=self.writer(root), cond=condition, field_words=field_words,
            cite=lambda citation: self.cite(citation), **context)
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.pages.append(path)

    def cite(self, citation: Any) -> dict[str, Any] | None:
        if citation is None:
            return None
        out = {"article": None, "confidence": None, "note": None, "url": None, **citation.to_dict(self.policy)}
        out["key"] = citation.source
        return out

    def find(self, kind: str, name: str, title: str, text: str = "") -> None:
        self.index.append({"k": kind, "n": name, "t": title, "x": text, "u": url(kind, name)})

    def cases_for_rule(self, rule) -> tuple[list, list]:
        targets = {f"{r}/{lv}" for r in rule.routes for lv in rule.levels}
        biting = [k for k in self.cases if rule.id in k.shown_failing]
        checking = [k for k in self.cases if k not in biting and targets.intersection(k.asserts)]
        return biting, checking


def build_book(policy: Policy, output: str | Path) -> Book:
    """Write the policy as a static website into ``output``: a new or empty folder, or an earlier
    book (whose pages are replaced). Any other folder is refused, so that replacing the pages
    can never delete a policy's own ``rules/`` or ``tables/``.

    >>> build_book(load_policy("policies/pengantar_kerja"), "book")        # doctest: +SKIP
    """
    out = Path(output)
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise InvalidArgument(f"{out} is not empty and holds no earlier book ({MARKER}): write the book into "
                              f"a new or empty folder / folder {out} tidak kosong dan bukan buku kebijakan")
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("rules", "fields", "tables", "routes"):
        shutil.rmtree(out / sub, ignore_errors=True)
    site = _Site(policy, out)
    write_pages(site)
    static = files("formasi_rules.book") / "static"
    for name in ("book.css", "book.js"):
        (out / name).write_text(static.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
    data = json.dumps(site.index, ensure_ascii=False, separators=(",", ":"))
    (out / "search.json").write_text(data, encoding="utf-8")
    # file:// pages may not fetch(): the same index as a script the pages load
    (out / MARKER).write_text(f"window.BOOK_INDEX = {data};\n", encoding="utf-8")
    return Book(out, tuple(site.pages))
