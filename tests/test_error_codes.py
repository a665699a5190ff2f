"""docs/errors.md lists every problem code the library raises, and no code it does not: a system
embedding the library acts on the codes, so a new one must be documented, and a code gone must be
said to be gone."""

import re

from conftest import ROOT

SRC = ROOT / "src" / "formasi_rules"
CODE = re.compile(r"""["']([IFPCTSW][0-9]{3})["']""")  # a code as the source writes it


def raised() -> set[str]:
    return {code for path in SRC.rglob("*.py") for code in CODE.findall(path.read_text(encoding="utf-8"))}


def documented() -> list[str]:
    return re.findall(r"^\| ([IFPCTSW][0-9]{3}) \|", (ROOT / "docs" / "errors.md").read_text(encoding="utf-8"), re.M)


def test_every_code_raised_is_documented():
    assert raised() - set(documented()) == set()


def test_every_code_documented_is_raised_and_listed_once():
    listed = documented()
    assert len(listed) == len(set(listed))
    assert set(listed) - raised() == set()
    assert len(listed) > 150  # the list is whole, not a few rows that happen to match


def test_each_family_is_in_order():
    listed = documented()
    for letter in "IFPCTSW":
        family = [c for c in listed if c[0] == letter]
        assert family == sorted(family), letter
