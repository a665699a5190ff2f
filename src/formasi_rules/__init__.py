"""formasi_rules: Indonesian civil-service regulations as declarative rule files.

    >>> import formasi_rules as fr                                     # doctest: +SKIP
    >>> policy = fr.load_policy("policies/pengantar_kerja")
    >>> engine = fr.Engine(policy)                    # durable_rules backend by default
    >>> result = engine.evaluate(candidate, as_of=date(2025, 10, 9))
    >>> result.decision(route, level).outcome       # a route and level of the policy
    'eligible'
"""

from ._errors import (
    BackendUnavailable, EngineError, FormasiError, InputError, InvalidArgument, PolicyError, Problem,
    WorkerError,
)
from ._text import Text
from .engine import (
    BackendWarning, Decision, Engine, Reason, RecordError, Result, expand,
)
from .inputs import Candidate, read_formation, read_records, record_columns, structure_candidate
from .policy import Policy, load_policy

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailable", "BackendWarning", "Candidate", "Decision", "Engine", "EngineError",
    "FormasiError", "InputError", "InvalidArgument", "Policy", "PolicyError", "Problem", "Reason",
    "RecordError", "Result", "Text", "expand", "load_policy", "read_formation", "read_records",
    "record_columns", "structure_candidate", "WorkerError",
]
