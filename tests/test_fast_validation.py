"""The one-pass lane builds exactly what the cattrs path builds, and refuses what it refuses.

structure_candidate first tries the lane (inputs/_decode.py: msgspec's conversion, then the
policy's checks); anything it declines goes to cattrs, which decides and words every problem.
Here both are run on the same parsed records, good and bad, and must agree: the same Candidate,
or the same problems. (tests/test_decode.py does the same for JSON lines.)
"""

import json
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import AS_OF, ROOT
from formasi_rules import InputError
from formasi_rules.inputs import _structure
from formasi_rules.inputs._structure import structure_candidate
from formasi_rules.testing._strategies import candidates

sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates as bench_candidates  # noqa: E402


def _slow(raw, policy):
    contract = _structure._contract(policy)
    lane = contract.lane
    contract.lane = _Declining()
    try:
        return _outcome(raw, policy)
    finally:
        contract.lane = lane


class _Declining:
    def structure(self, raw):
        return None


def _outcome(raw, policy):
    try:
        return structure_candidate(raw, "$[0]", policy)
    except InputError as exc:
        return list(exc.problems)


def _same(raw, policy):
    fast = _outcome(raw, policy)
    assert fast == _slow(raw, policy), json.dumps(raw, default=str)


BAD = [None, "", "x", 0, -1, 1.5, float("nan"), True, False, [], {}, [None], [""], ["x"], [{}], {"x": 1},
       " 2020-01-01 ", "2020-13-01", "30/04/85", "PNS", "pns", "III/a", "iii/A", "Baik", "baik", "S1", "jf",
       "ahli_muda", "Ahli Muda", "passed", "__import__('os').system('true')", 10**30, {"year": 2024},
       [{"year": 2024, "rating": "baik"}], [{"year": "2024", "rating": "baik"}],
       [{"type": "jf", "since": "2020-01-01"}], [{"rank": "III/a", "since": "2020-01-01"}, None],
       {"type": "jf", "name": None, "level": "", "since": "2020-01-01"}, {"status": "passed", "date": ""},
       {"route": "kenaikan_jenjang"}, {"route": "nope", "extra": 1}, "ya", "Tidak", {"a": None}, [None, 1],
       12.345, 12.3456, 1e17, "1.5"]


def test_the_benchmark_records_agree(policy):
    contract = _structure._contract(policy)
    for raw in bench_candidates(300):
        assert contract.lane.structure(raw) is not None  # the lane takes every one of them
        _same(raw, policy)
    for raw in json.loads((ROOT / "examples" / "sumsel" / "candidates.json").read_text(encoding="utf-8")):
        _same(raw, policy)


@pytest.mark.parametrize("with_policy", [True, False])
def test_every_field_with_every_odd_value_agrees(policy, with_policy):
    base = next(iter(bench_candidates(1)))
    keys = [*base, "name", "positions", "ranks", "agency", "credit_points", "request", "unknown_field",
            *_structure._contract(policy).extra]  # and the fields the policy adds to the record
    for key in keys:
        for value in BAD:
            _same({**base, key: value}, policy if with_policy else None)
    for value in BAD:
        for inner in ("type", "name", "level", "since", "until", "top_rank", "bogus"):
            _same({**base, "position": {**base["position"], inner: value}}, policy)
        _same({**base, "competency_test": {"status": "passed", "level": value}}, policy)
        _same({**base, "performance": [{"year": 2024, "rating": value}]}, policy)
        _same({**base, "performance": [{"year": value, "rating": "baik"}]}, policy)
        _same({**base, "id": value}, policy)


@given(st.data())
def test_generated_records_agree(policy, data):
    raw = data.draw(candidates(policy, AS_OF))
    _same(raw, policy)


def test_a_decimal_is_read_where_float_operations_are_trapped(policy):
    # strict database code sets this trap; comparing a Decimal with a float then raises
    import decimal

    with decimal.localcontext() as context:
        context.traps[decimal.FloatOperation] = True
        candidate = structure_candidate({"id": "x", "credit_points": decimal.Decimal("12.5"),
                                         "experience_years": decimal.Decimal("2")}, "$", policy)
    assert candidate.credit_points == decimal.Decimal("12.5") and candidate.experience_years == 2


def test_python_values_agree(policy):
    # what a Python caller (or the YAML reader) passes: not JSON's types, and msgspec would convert
    # some of them (a Decimal to a float, losing its digits, or its decimals)
    import collections
    import datetime as dt
    import enum
    import types
    from decimal import Decimal

    class Rank(str, enum.Enum):
        A = "III/a"

    class Code(str, enum.Enum):  # str() gives "Code.A", the value is the id
        A = "199001012020011001"

    class Number(enum.IntEnum):
        A = 199001012020011001

    base = next(iter(bench_candidates(1)))
    for key, value in [("credit_points", Decimal("1.10")), ("credit_points", Decimal("12.345678901234567890")),
                       ("experience_years", Decimal("2")), ("credit_points", Decimal("NaN")),
                       ("credit_points", Decimal("-1")), ("credit_points", Decimal("1E+50")),
                       ("credit_points", Decimal("Infinity")), ("experience_years", Decimal("-0")),
                       ("credit_points", Decimal("100.125")), ("credit_points", Decimal("1E+1000000")),
                       ("credit_points", Decimal("999999999999999")), ("credit_points", Decimal("1E+15")),
                       ("credit_points", Decimal("0E+50")), ("birth_date", dt.date(1985, 4, 30)),
                       ("birth_date", dt.datetime(1985, 4, 30, 12)), ("rank", Rank.A), ("id", 198501012010011001),
                       ("performance", ({"year": 2024, "rating": "baik"},)), ("credit_points", 2**70),
                       ("rank_since", dt.date(2030, 1, 1)), ("position", types.MappingProxyType(base["position"])),
                       ("competency_test", collections.OrderedDict(status="passed")), ("ranks", [["III/a"]]),
                       ("ranks", frozenset()), ("performance", set()), ("id", Code.A), ("id", Number.A),
                       ("region", Code.A)]:
        _same({**base, key: value}, policy)


def test_other_spellings_are_remembered_within_a_bound(policy, monkeypatch):
    """The lane remembers a spelling it had to fold (so the next is a lookup), up to a bound, and
    reads every spelling the same with or without it."""
    from formasi_rules.inputs import _decode
    vocabularies = _structure._contract(policy).lane.vocabularies
    own = len(vocabularies["rank"].exact)
    monkeypatch.setattr(_decode, "MAX_SPELLINGS", 5)
    lane = _decode.Lane(vocabularies, {}, {})
    base = {"id": "s", "employment_status": "PNS", "rank": "III/a"}
    spellings = ["".join(ch.upper() if bits >> i & 1 else ch.lower() for i, ch in enumerate("iii/a"))
                 for bits in range(32)] * 2
    padded = " " * 70 + "iii/a"
    assert lane.structure({**base, "rank": padded}).rank == "III/a"  # read, and not kept: too long
    _same({**base, "rank": padded}, policy)
    for spelling in spellings:
        assert lane.structure({**base, "rank": spelling}).rank == "III/a"
        _same({**base, "rank": spelling}, policy)
    assert lane.structure({**base, "rank": "iii/z"}) is None  # not a rank: the detailed path says so
    exact = next(c.cell_contents for c in lane._code["rank"].__closure__ if isinstance(c.cell_contents, dict))
    assert len(exact) == own + 5 and padded not in exact  # five spellings learned, then no more
