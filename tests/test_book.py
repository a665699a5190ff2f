"""formasi book: a page for every rule, field and table; every local link and anchor resolves;
the search index finds a rule by a word of its title; a real browser renders it, runs the
search and the period selector (skipped where Debian's chromium is absent)."""

import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

import formasi_rules as fr
from conftest import POLICY_DIR, ROOT
from formasi_rules.book import build_book, url
from formasi_rules.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def book(tmp_path_factory, policy):
    return build_book(policy, tmp_path_factory.mktemp("book"))


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.srcs, self.twice = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            if a["id"] in self.ids:
                self.twice.append(a["id"])
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag in ("script", "link", "img") and (a.get("src") or a.get("href")):
            self.srcs.append(a.get("src") or a.get("href"))


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def test_a_page_for_every_rule_field_table_and_decision(book, policy):
    pages = set(book.pages)
    assert {url("rule", r.id) for r in policy.rules} <= pages
    assert {url("field", f) for f in policy.fields} <= pages
    assert {url("table", t) for t in policy.tables} <= pages
    for route in policy.routes.values():
        for level in route.levels:
            assert url("target", f"{route.name}.{level}") in pages
    # a rule id is an anchor: on its own page and in the index
    assert "rule-perpindahan.age" in parse(book.root / "rules" / "perpindahan.age.html").ids
    assert {f"rule-{r.id}" for r in policy.rules} <= parse(book.root / "index.html").ids


def test_every_local_link_and_anchor_resolves(book):
    parsed = {p: parse(book.root / p) for p in book.pages}
    broken = []
    for page, links in parsed.items():
        for href in links.hrefs + links.srcs:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.scheme, f"{page}: {href} (nothing but relative links in the book)"
            target = (book.root / page).parent / unquote(parts.path) if parts.path else book.root / page
            target = target.resolve()
            if not target.is_file():
                broken.append(f"{page}: {href} (no file)")
                continue
            if parts.fragment:
                ids = parsed[str(target.relative_to(book.root.resolve()))].ids if target.suffix == ".html" else set()
                if parts.fragment not in ids:
                    broken.append(f"{page}: {href} (no anchor)")
    assert not broken, "\n".join(broken[:20])
    assert not {p: links.twice for p, links in parsed.items() if links.twice}  # an anchor names one place


def test_self_contained(book):
    for page in book.pages:
        for src in parse(book.root / page).srcs:
            assert not urlsplit(src).scheme, f"{page} loads {src}"
    for name in ("book.js", "book.css"):
        assert "http" not in (book.root / name).read_text(encoding="utf-8")


def search(index, query):
    """The same matching as book.js: every word in the entry's name, title or text."""
    words = query.lower().split()
    return [e for e in index if all(w in f"{e['n']} {e['t']} {e['x']}".lower() for w in words)]


def test_the_search_index_finds_a_rule_by_a_word_of_its_title(book, policy):
    index = json.loads((book.root / "search.json").read_text(encoding="utf-8"))
    assert (book.root / "search-index.js").read_text(encoding="utf-8").startswith("window.BOOK_INDEX = ")
    for rule in policy.rules:
        word = max(re.findall(r"\w+", rule.title.id), key=len)
        assert any(e["k"] == "rule" and e["n"] == rule.id for e in search(index, word)), (rule.id, word)


def test_requirements_in_words_with_the_cells_they_read(book):
    text = (book.root / "routes" / "perpindahan.ahli_madya.html").read_text(encoding="utf-8")
    assert "paling tinggi" in text and "at most" in text
    assert re.search(r"<strong>55</strong>.*transfer_age_limit\.max_age", text)
    assert "sejak / since 2025-10-01" in text  # a second period: the rule dated from 2025-10-01
    assert "cases.html#case-" in text  # the test cases that assert this decision


def test_a_derived_field_in_words(book):
    text = (book.root / "fields" / "age.html").read_text(encoding="utf-8")
    assert re.search(r"age</code></a> = tahun penuh dari <a[^>]*><code>birth_date</code></a> sampai", text)
    assert "completed years from" in text


def test_every_derivation_of_the_shipped_policies_has_words(policy):
    from formasi_rules.book._words import Writer, field_words
    for name, field in policy.fields.items():
        for lang in (0, 1):
            text = field_words(policy, name, Writer(policy), lang)
            assert not re.search(r"\b[A-Z][a-zA-Z]+\(", text), (name, text)  # no repr() of a node


def test_an_abstract_base_has_a_book_too(tmp_path):
    base = fr.load_policy(ROOT / "policies" / "jf_umum")
    built = build_book(base, tmp_path)
    assert url("rule", "perpindahan.age") in built.pages


def test_never_writes_into_a_folder_that_is_not_a_book(tmp_path, policy):
    folder = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, folder)
    with pytest.raises(fr.InvalidArgument):
        build_book(policy, folder)
    assert (folder / "rules").is_dir()  # untouched
    built = build_book(policy, tmp_path / "book")
    assert build_book(policy, built.root).pages == built.pages  # an earlier book is rebuilt in place


def test_cli(tmp_path):
    result = CliRunner().invoke(main, ["book", str(POLICY_DIR), "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b" / "index.html").is_file()
    assert CliRunner().invoke(main, ["book", str(tmp_path / "nope"), "-o", str(tmp_path / "c")]).exit_code == 2
    refused = CliRunner().invoke(main, ["book", str(POLICY_DIR), "-o", str(POLICY_DIR)])
    assert refused.exit_code == 2 and "not empty" in refused.output


def shots(book) -> Path:
    """Where the browser test's screenshots go: beside the book it built, so a test run leaves the
    checkout as it was; into docs/img (the book guide's pictures) with FORMASI_DOCS_IMAGES=1."""
    return ROOT / "docs" / "img" if os.environ.get("FORMASI_DOCS_IMAGES") == "1" else book.root


def chromium(*args, timeout=90):
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                               "--disable-component-update", "--disable-sync", "--no-first-run",
                               f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed (apt-get install chromium)")
def test_in_a_real_browser(book):
    page = (book.root / "routes" / "perpindahan.ahli_madya.html").as_uri()
    shot = shots(book) / "book-route.png"
    done = chromium(f"--screenshot={shot}", "--window-size=1200,1600", page)
    assert shot.is_file() and shot.stat().st_size > 20_000, done.stderr[-2000:]
    # the search runs in the browser (?q= fills the box) and lists the rule
    dom = chromium("--dump-dom", (book.root / "index.html").as_uri() + "?q=usia").stdout
    results = re.search(r'<ol id="results">(.*?)</ol>', dom, re.S)
    assert results and 'href="rules/perpindahan.age.html"' in results.group(1), dom[-3000:]
    # the period selector hides what is not in force on the day chosen
    dom = chromium("--dump-dom", page + "?as_of=2024-05-01").stdout
    assert re.search(r'class="period dated out" data-from="2025-10-01"', dom), dom[-3000:]
    assert re.search(r'class="period dated" data-from="2023-01-12"', dom)
    # printable: the page prints on A4 (the print CSS hides the search and date tools)
    pdf = book.root / "route.pdf"
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page)
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "(A4)" in info, info
    search_shot = shots(book) / "book-search.png"
    chromium(f"--screenshot={search_shot}", "--window-size=1200,900", (book.root / "index.html").as_uri() + "?q=usia")
    assert search_shot.is_file()
