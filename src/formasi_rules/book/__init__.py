"""The policy book: a loaded policy as a static website for policy staff (``formasi book``).

Per route and level the requirements in force in each period, in words (Bahasa Indonesia
first, English beside), with the table cells they read, their citations, confidence and layer,
and the YAML test cases that exercise them; a page per rule, field and table; an "as of"
selector and a search box, both in a few lines of the book's own JS. Nothing is fetched:
the folder opens from disk.

    >>> from formasi_rules.book import build_book                         # doctest: +SKIP
    >>> build_book(load_policy("policies/pengantar_kerja"), "book").pages[:2]
    ('index.html', 'routes/...html')
"""

from ._links import url
from ._site import Book, build_book

__all__ = ["Book", "build_book", "url"]
