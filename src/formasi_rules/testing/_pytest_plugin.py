"""pytest collects a policy's YAML test cases (``policies/<name>/tests/*.yaml``).

Registered as a pytest plugin through the package's entry points, so a plain ``pytest``
runs them next to the Python tests; each case is one test item per backend this Python has,
named after the case (``[durable]``, ``[reference]``): durable_rules is the default engine, so
the cases must hold on it as on the reference interpreter.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_ENGINES: dict[tuple[Path, str], object] = {}


def _backends() -> tuple[str, ...]:
    try:
        import durable_rules_engine  # noqa: F401 - only whether it imports
    except ImportError:
        return ("reference",)
    return ("durable", "reference")


def _engine(policy_dir: Path, backend: str):
    from ..engine import Engine
    from ..policy import load_policy

    if (policy_dir, backend) not in _ENGINES:
        _ENGINES[(policy_dir, backend)] = Engine(load_policy(policy_dir), backend=backend)
    return _ENGINES[(policy_dir, backend)]


def pytest_collect_file(file_path: Path, parent):
    if (file_path.suffix == ".yaml" and file_path.parent.name == "tests"
            and (file_path.parent.parent / "policy.yaml").is_file()):
        return PolicyCaseFile.from_parent(parent, path=file_path)
    return None


class PolicyCaseFile(pytest.File):
    def collect(self):
        from ._cases import load_cases

        for case in load_cases(self.path):
            for backend in _backends():
                yield PolicyCase.from_parent(self, name=f"{case.name}[{backend}]", case=case, backend=backend)


class PolicyCase(pytest.Item):
    def __init__(self, *, case, backend, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.backend = backend

    def runtest(self):
        from ._cases import run_case

        result = run_case(_engine(self.path.parent.parent, self.backend), self.case)
        if not result.passed:
            raise CaseFailed(result.failures)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CaseFailed):
            return "\n".join([f"{self.case.file}:{self.case.line}: {self.case.name}", *excinfo.value.args[0]])
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, (self.case.line or 1) - 1, f"case: {self.case.name}"


class CaseFailed(AssertionError):
    pass
