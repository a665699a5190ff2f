"""Evaluation: derived facts, plans, the two backends and the Engine."""

from ._compact import expand
from ._backend import Backend, Firings, ReferenceBackend
from ._engine import BACKENDS, BackendWarning, Engine
from ._plan import Check, Plan
from ._result import LAYOUTS, ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED, Decision, Reason, RecordError, Result

__all__ = [
    "BACKENDS", "Backend", "LAYOUTS", "BackendWarning", "Check", "Decision", "ELIGIBLE", "Engine", "Firings",
    "NOT_ELIGIBLE", "Plan", "Reason", "RecordError", "ReferenceBackend", "Result", "UNDETERMINED", "expand",
]
