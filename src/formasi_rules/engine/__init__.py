"""Evaluation: derived facts, plans, the two backends and the Engine."""

from ._backend import Backend, Firings, ReferenceBackend
from ._engine import BACKENDS, BackendWarning, Engine
from ._plan import Check, Plan
from ._result import ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED, Decision, Reason, RecordError, Result

__all__ = [
    "BACKENDS", "Backend", "BackendWarning", "Check", "Decision", "ELIGIBLE", "Engine", "Firings",
    "NOT_ELIGIBLE", "Plan", "Reason", "RecordError", "ReferenceBackend", "Result", "UNDETERMINED",
]
