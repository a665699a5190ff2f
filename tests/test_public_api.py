"""The public surface: what ``import formasi_rules`` offers, and nothing drifts in unnoticed."""

import formasi_rules as fr


def test_exported_members():
    assert sorted(fr.__all__) == sorted([
        "BackendUnavailable", "BackendWarning", "Candidate", "Decision", "Engine", "EngineError",
        "FormasiError", "InputError", "InvalidArgument", "Policy", "PolicyError", "Problem", "Reason",
        "RecordError", "Result", "Text", "WorkerError", "expand", "load_policy", "read_formation",
        "read_records", "structure_candidate"])
    for name in fr.__all__:
        assert getattr(fr, name) is not None


def test_exceptions_subclass_builtins():
    assert issubclass(fr.PolicyError, ValueError) and issubclass(fr.PolicyError, fr.FormasiError)
    assert issubclass(fr.InputError, ValueError)
    assert issubclass(fr.InvalidArgument, TypeError)
    assert issubclass(fr.BackendUnavailable, ImportError)
    assert issubclass(fr.EngineError, RuntimeError)
    assert issubclass(fr.WorkerError, RuntimeError) and issubclass(fr.WorkerError, fr.FormasiError)
