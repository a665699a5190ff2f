"""Reading YAML while keeping the line and column of every key and value.

ruamel.yaml's round-trip loader records positions on the mappings and
sequences it builds; :func:`where` reads them back (1-based) so that every
policy error can point at the exact spot in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .._errors import PolicyError, Problem


def load_yaml(path: Path, display: str) -> Any:
    """Parse one YAML file; a syntax error becomes a PolicyError with its position."""
    yaml = YAML(typ="rt")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([Problem("P001", f"berkas tidak dapat dibaca: {exc}",
                                   f"cannot read the file: {exc}", file=display)]) from None
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "syntax error"
        raise PolicyError([Problem(
            "P002", f"YAML tidak sah: {reason}", f"invalid YAML: {reason}", file=display,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
            hint="check indentation and that every 'key: value' has a space after the colon",
        )]) from None
    except Exception as exc:  # ruamel raises a few unmarked errors (duplicate keys, bad tags)
        raise PolicyError([Problem("P002", f"YAML tidak sah: {exc}", f"invalid YAML: {exc}",
                                   file=display)]) from None


def where(container: Any, key: Any = None) -> tuple[int | None, int | None]:
    """1-based (line, column) of ``container[key]`` (or of the container itself)."""
    lc = getattr(container, "lc", None)
    if lc is None:
        return None, None
    try:
        if key is None:
            line, col = lc.line, lc.col
        elif isinstance(container, CommentedMap):
            line, col = lc.key(key)
        elif isinstance(container, CommentedSeq):
            line, col = lc.item(key)
        else:
            return None, None
    except (KeyError, IndexError, TypeError):
        return None, None
    return line + 1, col + 1
