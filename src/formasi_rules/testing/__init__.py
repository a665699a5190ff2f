"""Testing policies: YAML test cases, Hypothesis strategies derived from a policy, invariants,
and the consistency checks behind ``formasi check``."""

from ._cases import Case, CaseResult, coverage, load_cases, run_case

__all__ = ["Case", "CaseResult", "coverage", "load_cases", "run_case"]
