"""The public surface: what ``import formasi_rules`` offers, and nothing drifts in unnoticed."""

import formasi_rules as fr


def test_exported_members():
    assert sorted(fr.__all__) == sorted([
        "BackendUnavailable", "BackendWarning", "Candidate", "Decision", "Engine", "EngineError",
        "FormasiError", "InputError", "InvalidArgument", "Policy", "PolicyError", "Problem", "Reason",
        "RecordError", "Result", "Text", "WorkerError", "expand", "load_policy", "read_formation",
        "read_records", "record_columns", "structure_candidate"])
    for name in fr.__all__:
        assert getattr(fr, name) is not None


def test_exceptions_subclass_builtins():
    assert issubclass(fr.PolicyError, ValueError) and issubclass(fr.PolicyError, fr.FormasiError)
    assert issubclass(fr.InputError, ValueError)
    assert issubclass(fr.InvalidArgument, TypeError)
    assert issubclass(fr.BackendUnavailable, ImportError)
    assert issubclass(fr.EngineError, RuntimeError)
    assert issubclass(fr.WorkerError, RuntimeError) and issubclass(fr.WorkerError, fr.FormasiError)


def test_arguments_of_the_wrong_kind_are_invalid_arguments_said_plainly(default_engine):
    """A wrong type at the Python API is InvalidArgument naming the argument, never a TypeError or
    AttributeError from deep inside (and said when called, not when the first record is read)."""
    import datetime as dt

    import pytest

    day = dt.date(2025, 10, 9)
    calls = [
        (lambda: default_engine.evaluate({"id": "a"}, as_of=day, route=1), "route is one name"),
        (lambda: default_engine.evaluate({"id": "a"}, as_of=day, level=["ahli_muda"]), "level is one name"),
        (lambda: fr.read_records(None), "takes a file's path"),
        (lambda: fr.read_records([{"id": "a"}]), "takes a file's path"),
        (lambda: default_engine.formation(None, as_of=day), "workload is a file's path or a list of rows"),
        (lambda: default_engine.formation({"region": "A"}, as_of=day), "one row: put it in a list"),
        (lambda: default_engine.formation([], 5, as_of=day), "existing is a file's path or a list of rows"),
        (lambda: fr.expand(None, None), "both mappings"),
    ]
    for call, said in calls:
        with pytest.raises(fr.InvalidArgument, match=said):
            call()


def test_as_of_is_a_date_not_a_date_and_time_everywhere(default_engine, tmp_path):
    """A datetime is a date to Python: its date was kept silently (evaluate, formation ...) or it
    crashed in a comparison (check, write_template), where the command line and the service refuse
    a time. Its day depends on the time zone meant: the caller says which."""
    import datetime as dt

    import pytest

    from formasi_rules.diff import diff
    from formasi_rules.extra.partitions import Batch
    from formasi_rules.sheets import write_template
    from formasi_rules.testing import check

    late = dt.datetime(2025, 10, 9, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))  # the 9th in Jakarta
    engine, record = default_engine, {"id": "a"}
    rows = [{"region": "Kota A", "activity": "x", "level": "ahli_pertama", "volume": 12, "norm_minutes": 900}]
    calls = [lambda at: engine.evaluate(record, as_of=at), lambda at: list(engine.evaluate_many([record], as_of=at)),
             lambda at: list(engine.evaluate_lines([record], as_of=at)),
             lambda at: list(engine.evaluate_blocks([record], as_of=at, jobs=2)),
             lambda at: engine.formation(rows, as_of=at), lambda at: engine.plan(at), lambda at: engine.catalogue(at),
             lambda at: Batch.of(engine.policy, as_of=at), lambda at: check(engine.policy.root, as_of=at),
             lambda at: write_template(engine.policy, tmp_path / "abk.xlsx", ["Kota A"], as_of=at),
             lambda at: diff(engine.policy, engine.policy, candidates=[record], as_of=at)]
    for call in calls:
        for at in (late, dt.datetime(2025, 10, 9)):
            with pytest.raises(fr.InvalidArgument, match=r"as_of must be a date, not a date and time \(2025-10-09T"
                                                         r".*give a date: as_of=value\.date\(\) \(in the time zone "
                                                         r"meant\) / as_of harus tanggal"):
                call(at)
    assert engine.evaluate(record, as_of=late.date()).as_of == dt.date(2025, 10, 9)


def test_as_of_given_as_text_is_said_in_both_languages_with_the_date_to_give(default_engine):
    """as_of='2025-10-09' (as the command line and the service take it) was refused in English only,
    with no word of how to give it."""
    import pytest

    with pytest.raises(fr.InvalidArgument) as info:
        default_engine.evaluate({"id": "a"}, as_of="2025-10-09")
    assert "give datetime.date.fromisoformat('2025-10-09')" in str(info.value)
    assert "/ as_of harus datetime.date, bukan '2025-10-09'" in str(info.value)


def test_a_result_says_it_is_not_hashable(default_engine):
    """Compared by value and holding dicts, it claimed to be Hashable and then raised on hash()."""
    import collections.abc
    import datetime as dt

    result = default_engine.evaluate({"id": "a"}, as_of=dt.date(2025, 10, 9))
    assert not isinstance(result, collections.abc.Hashable)
    assert result == default_engine.evaluate({"id": "a"}, as_of=dt.date(2025, 10, 9))


def test_a_csv_header_names_the_policy_s_own_fields_in_any_capitals(tmp_path):
    """read_records reads a CSV header's names as the record's fields in any capitals and spacing;
    given record_columns(policy), the fields the policy adds too (Strategic-Need is strategic_need)."""
    from conftest import POLICY_DIR
    path = tmp_path / "kandidat.csv"
    path.write_text("ID,Birth Date,Strategic-Need\na1,1990-01-01,ya\n", encoding="utf-8")
    (_, plain), = fr.read_records(path)
    assert set(plain) == {"id", "birth_date", "Strategic-Need"}  # a name it does not know stays as written
    policy = fr.load_policy(POLICY_DIR)
    (_, named), = fr.read_records(path, columns=fr.record_columns(policy))
    assert named == {"id": "a1", "birth_date": "1990-01-01", "strategic_need": "ya"}



def test_a_route_and_level_filter_is_read_as_a_record_s_request_is(default_engine):
    """From Python, level="Ahli Pertama" is ahli_pertama (as request.level is read), in evaluate and
    evaluate_many alike; a name the policy has not is still refused."""
    import datetime as dt

    import pytest

    day = dt.date(2025, 10, 9)
    record = {"id": "a", "employment_status": "PNS", "birth_date": "1980-01-01", "education": "S1",
              "rank": "III/b", "region": "Kota Palembang"}
    coded = default_engine.evaluate(record, as_of=day, route="perpindahan", level="ahli_pertama").outcomes
    assert list(coded) == ["perpindahan/ahli_pertama"]
    assert default_engine.evaluate(record, as_of=day, route="Perpindahan", level="Ahli Pertama").outcomes == coded
    [many] = default_engine.evaluate_many([record], as_of=day, route=" PERPINDAHAN ", level="ahli pertama")
    assert many.outcomes == coded
    with pytest.raises(fr.InvalidArgument, match="Ahli Pertma"):
        default_engine.evaluate(record, as_of=day, level="Ahli Pertma")
