"""The engine's Python names no word of any position: every value of the shipped policies'
vocabularies, their routes, positions and names live in policies/, and src/ holds none of them
outside docstrings and comments (which may show examples)."""

import io
import re
import token
import tokenize
from pathlib import Path

import pytest

import formasi_rules as fr
from conftest import ROOT

SRC = ROOT / "src" / "formasi_rules"
POLICIES = sorted(p for p in (ROOT / "policies").iterdir() if (p / "policy.yaml").is_file())
# words that are the policy language's or the output's own as well as a value somewhere
LANGUAGE = {"none", "passed", "failed", "all", "level", "rank", "rating"}


def shipped_words() -> set[str]:
    words: set[str] = set()
    for folder in POLICIES:
        policy = fr.load_policy(folder)
        words |= set(policy.layers) | set(policy.routes) | set(policy.levels)
        for vocab in policy.vocabularies.values():
            # aliases written as real exports write them ("Baik", "SLTA/SMK"); lower-case ones such as
            # "tidak ada" are ordinary words of the library's own Indonesian messages
            words |= set(vocab.values) | {a for a in vocab.aliases if a != a.lower()}
        if policy.position:
            words |= {policy.position.name, *policy.position.aliases}
    return {w for w in words if w not in LANGUAGE}


def code_tokens(path: Path):
    """(line, text) of every name and string of a module that is not a docstring or a comment."""
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
    previous = token.NEWLINE
    for tok in tokens:
        if tok.type == token.STRING and previous in (token.NEWLINE, token.INDENT, token.DEDENT, tokenize.NL,
                                                     token.COLON):
            pass  # a docstring (a string standing alone as a statement)
        elif tok.type in (token.NAME, token.STRING) or tok.type == getattr(token, "FSTRING_MIDDLE", -1):
            yield tok.start[0], tok.string
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            previous = tok.type


def test_no_position_vocabulary_in_the_engine():
    words = shipped_words()
    assert {"perpindahan", "ahli_pertama", "III/d", "Baik"} <= words  # the test reads the real policies
    hits = []
    for path in sorted(SRC.rglob("*.py")):
        for line, text in code_tokens(path):
            literal = text.strip("\"'")
            found = [w for w in words if w == literal or (len(w) > 3 and text[:1] in "\"'fFrRbB" and re.search(
                rf"(?<![\w/]){re.escape(w)}(?![\w/])", text))]
            if found:
                hits.append(f"{path.relative_to(ROOT)}:{line}: {text[:60]} names {found}")
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize("text", ['x = "ahli_muda"', "def f():\n    return 'Pengantar Kerja'\n"])
def test_the_scan_would_see_a_hit(tmp_path, text):
    path = tmp_path / "m.py"
    path.write_text(text)
    assert any("ahli_muda" in t or "Pengantar Kerja" in t for _, t in code_tokens(path))
