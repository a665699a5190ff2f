"""Testing policies: YAML test cases, Hypothesis strategies derived from a policy, invariants,
and the consistency checks behind ``formasi check``."""

from ._cases import Case, CaseResult, coverage, load_cases, run_case
from ._check import cases_yaml, check, property_findings
from ._invariants import (
    Violation, backends_agree, declared, deterministic, improvements, monotone, need_monotone, one_outcome_each,
    order_independent,
)
from ._static import Finding, static_findings
from ._strategies import candidates, places, thresholds, workloads

__all__ = [
    "Case", "CaseResult", "Finding", "Violation", "backends_agree", "candidates", "cases_yaml", "check",
    "coverage", "declared", "deterministic", "improvements", "load_cases", "monotone", "need_monotone",
    "one_outcome_each", "order_independent", "places", "property_findings", "run_case", "static_findings",
    "thresholds", "workloads",
]
