"""One policy version compiled for one backend: everything an evaluation reads.

An Engine holds one of these at a time. Evaluations pin the one they start with, so a
reload can swap in a new version while they finish; the old one is closed when the last
evaluation using it is done.
"""

from __future__ import annotations

import bisect
import datetime as dt
import sys
import threading

from .._errors import InvalidArgument
from ..formation._rules import build_formation_plan
from ..policy import Policy
from ._backend import Backend
from ._derive_code import deriver_for
from ._encode_code import FactCode, fact_encoder
from ._explain import Explainer
from ._plan import Plan, build_plan, periods


_GIL = getattr(sys, "_is_gil_enabled", lambda: True)()  # (False on a free-threaded Python with the GIL off)


class Compiled:
    def __init__(self, policy: Policy, backend: Backend):
        self.policy = policy
        self.backend = backend
        self.deriver = deriver_for(policy)  # generated code; the interpreter where it does not reach
        # fields that only repeat a value of the record (and the date): results show the others
        self.echo = frozenset(["as_of", *(n for n, f in policy.fields.items() if f.input is not None)])
        try:
            self.periods = periods(policy)
            self.starts = [p.valid_from for p in self.periods]
            self.plans = [build_plan(policy, p.valid_from, p) for p in self.periods]
            self.explainers = [Explainer(policy, plan, self.deriver.slots) for plan in self.plans]
            self.encoders = [fact_encoder(policy, plan.keys) for plan in self.plans]  # generated code
            # the same, for Backend.recall, reading the deriver's slots where it keeps them
            self.codes = [FactCode(policy, plan.keys, self.deriver.slots) for plan in self.plans]
            # formation rules (subject: formation) get plans of their own, on the same backend
            self.formation_plans = [build_formation_plan(policy, p.valid_from, p) for p in self.periods]
            for plan in self.plans + [fp for fp, _ in self.formation_plans]:
                backend.prepare(plan)
        except BaseException:
            backend.close()
            raise
        self._last: tuple = ((), 0)  # the last date asked for and its period's index: a batch asks one throughout
        self._lock = threading.Lock()  # closing, once
        # an entry per evaluation using this version: a list's append and pop are each atomic, so pinning
        # and letting go take no lock (``acquire``)
        self._users: list[None] = []
        self._retired = False
        self._closed = False
        if not _GIL:  # (a free-threaded Python: the order the two look in is not assured without the lock)
            self.acquire, self.release = self._acquire_locked, self._release_locked

    def index(self, as_of: dt.date) -> int:
        last = self._last  # (one tuple: another thread's read or write of it is whole)
        if last[0] == as_of:
            return last[1]
        cov = self.policy.coverage
        if not cov.contains(as_of):
            raise InvalidArgument(
                f"policy {self.policy.name} covers {cov.valid_from} {'to ' + str(cov.valid_to) if cov.valid_to else 'onwards (no end date)'}; "
                f"{as_of} is outside it / tanggal di luar cakupan kebijakan")
        index = bisect.bisect_right(self.starts, as_of) - 1
        self._last = (as_of, index)
        return index

    def plan(self, as_of: dt.date) -> Plan:
        return self.plans[self.index(as_of)]

    # --- use counting, so a replaced version closes only when nothing uses it ---------------

    def acquire(self) -> bool:
        """Pin this version for one evaluation; False once it is retired (the Engine serves another).

        No lock: an evaluation is counted (appended) before it looks whether the version is retired,
        and ``retire`` marks it retired before it looks whether any evaluation is counted. So
        either this sees it retired, and lets go, or ``retire`` sees this evaluation, and the
        version closes when its last evaluation releases it. (The GIL keeps the two in order; a
        free-threaded Python takes the lock instead.)"""
        users = self._users
        users.append(None)
        if self._retired:
            users.pop()
            self._close_if_unused()
            return False
        return True

    def release(self) -> None:
        self._users.pop()
        if self._retired:
            self._close_if_unused()

    def retire(self) -> None:
        """Close now if unused, else when the last evaluation using it releases it."""
        self._retired = True
        self._close_if_unused()

    def _acquire_locked(self) -> bool:
        with self._lock:
            if self._retired:
                return False
            self._users.append(None)
            return True

    def _release_locked(self) -> None:
        with self._lock:
            self._users.pop()
        if self._retired:
            self._close_if_unused()

    def _close_if_unused(self) -> None:
        with self._lock:
            close = not self._users and not self._closed
            if close:
                self._closed = True
        if close:
            self.backend.close()

    @property
    def closed(self) -> bool:
        return self._closed
