"""The policies a service holds: one Engine per policy folder, reloaded through its gate.

A folder under the policies directory with a ``policy.yaml`` is a policy, named by its
folder. Each gets an :class:`~formasi_rules.Engine`; a reload loads the folder again and
hands the new version to ``Engine.reload``, which refuses it (and keeps the old one
serving) if it does not load or compile. The refusal is kept, with its problems, for
``/readyz`` and ``/v1/policies`` to show until a later version is accepted.

``begin`` is held briefly by a request that must read two things from one version (the
compact layout's catalogue and the results that refer to it); a reload waits for it, and it
for a reload's swap. Loading, the slow part of a reload (~0.1 s), happens outside it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

from .. import BackendWarning, Engine, FormasiError, InputError, PolicyError, Problem, load_policy, read_formation
from ..policy import is_base_policy, policy_folder
from ._errors import halves
from ._metrics import Metrics

log = logging.getLogger("formasi.service")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Slot:
    """One policy: its engine (None until a version loads) and its last refusal."""

    def __init__(self, name: str, root: Path):
        self.name, self.root = name, root
        self.engine: Engine | None = None
        self.since: str | None = None
        self.refused: dict[str, Any] | None = None

    def identity(self) -> dict[str, str] | None:
        return None if self.engine is None else self.engine.policy.identity()


class Registry:
    def __init__(self, policies_dir: str | os.PathLike, *, backend: str | None = None,
                 metrics: Metrics | None = None, formations_dir: str | os.PathLike | None = None):
        self.dir = Path(policies_dir)
        self.formations = _formations(formations_dir) if formations_dir else {}
        self.backend = backend
        self.metrics = metrics or Metrics()
        self.begin = threading.Lock()
        self._reloading = threading.Lock()  # one reload at a time
        if not self.dir.is_dir():
            raise FormasiError(f"policies folder not found: {self.dir} / folder kebijakan tidak ditemukan")
        self.slots = {p.parent.name: Slot(p.parent.name, p.parent)
                      for p in sorted(self.dir.glob("*/policy.yaml")) if not is_base_policy(p.parent)}
        if not self.slots:
            raise FormasiError(f"no policy folder (one holding policy.yaml) under {self.dir} "
                               f"/ tidak ada folder kebijakan di {self.dir}")
        for slot in self.slots.values():
            self.reload(slot.name)

    @property
    def default(self) -> str | None:
        """The policy a request that names none gets: the only one, or the one the folder's
        ``default`` file names (as the CLI reads it)."""
        try:
            named = policy_folder(self.dir).name
        except (FormasiError, OSError):
            return None
        return named if named in self.slots else None

    def reload(self, name: str) -> bool:
        """Load ``name`` again and put it in service; False (old version kept) if refused."""
        slot = self.slots[name]
        with self._reloading:
            try:
                policy = load_policy(slot.root)
                if slot.engine is not None and policy.digest == slot.engine.policy.digest:
                    slot.refused = None  # nothing changed (a touch, or a change undone)
                    return True
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", BackendWarning)  # said once, at start, by the CLI
                    if slot.engine is None:
                        slot.engine = Engine(policy, backend=self.backend)
                    else:
                        with self.begin:
                            slot.engine.reload(policy)
            except PolicyError as exc:
                self._refuse(slot, exc.problems)
                return False
            except FormasiError as exc:  # compiled badly, or an unusable backend
                en, id_ = halves(exc)  # (an error written "English / Indonesian" in its halves)
                self._refuse(slot, [Problem("S600", f"kebijakan gagal dikompilasi: {id_}",
                                            f"the policy failed to compile: {en}")])
                return False
            except OSError as exc:  # the folder went away mid-edit
                self._refuse(slot, [Problem("S601", f"tidak terbaca: {exc}", f"unreadable: {exc}")])
                return False
            slot.since, slot.refused = _now(), None
            ident = slot.engine.policy.identity()
            self.metrics.reload(name, True)
            self.metrics.in_service(name, ident["version"], ident["digest"])
            log.info("policy %s %s in service (%s)", name, ident["version"], ident["digest"])
            return True

    def _refuse(self, slot: Slot, problems: list[Problem]) -> None:
        slot.refused = {"at": _now(), "problems": [p.to_dict() for p in problems]}
        self.metrics.reload(slot.name, False)
        kept = slot.identity()
        log.warning("policy %s: new version refused (%d problem(s)); %s", slot.name, len(problems),
                    f"version {kept['version']} keeps serving" if kept else "no version in service")
        for p in problems[:20]:
            log.warning("  %s", p)

    def names_for(self, paths: set[str]) -> set[str]:
        """The policies built from the folders holding any of these changed files: their own,
        and those that extend it (a change to a base reloads every policy on it)."""
        folders = set()
        for path in paths:
            try:
                rel = Path(path).resolve().relative_to(self.dir.resolve())
            except ValueError:
                continue
            if rel.parts:
                folders.add(rel.parts[0])
        return {name for name, slot in self.slots.items()
                if folders & ({name} | set(slot.engine.policy.layers if slot.engine else ()))}

    def header(self, name: str | None = None) -> str:
        """The ``Formasi-Policy`` header: ``name@version sha256:...`` for each named policy."""
        slots = [self.slots[name]] if name in self.slots else self.slots.values()
        return ", ".join(f"{i['name']}@{i['version']} {i['digest']}" for s in slots
                         if (i := s.identity()) is not None)

    def ready(self) -> bool:
        return all(s.engine is not None for s in self.slots.values())

    def close(self) -> None:
        for slot in self.slots.values():
            if slot.engine is not None:
                slot.engine.close()


_FORMATION_FILES = (".csv", ".json", ".jsonl", ".yaml", ".yml")


def _formations(folder: str | os.PathLike) -> dict[str, Path]:
    """Formation files (rows region, level, open) by name (the file's stem), each read once
    now so a bad one stops the start; a request naming one reads it as ``--formation`` does."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FormasiError(f"formations folder not found: {folder} / folder formasi tidak ditemukan")
    found = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in _FORMATION_FILES:
            try:
                read_formation(path)
            except InputError as exc:
                raise FormasiError(f"formation {path}: " + str(exc)) from None
            found[path.stem] = path
    return found
