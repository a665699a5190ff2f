"""The one-pass reading of a JSON line (inputs/_decode.py) builds exactly the Candidate the
detailed path builds, or declines: it never accepts what the detailed path refuses.

The detailed path is ``JsonLine.parse`` then ``structure_candidate``; the lane is msgspec's typed
decoding with the policy's checks after it. Each test feeds both the same text.
"""

import json
import sys

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import AS_OF, ROOT
from formasi_rules import Engine, InputError
from formasi_rules.inputs import JsonLine, structure_candidate
from formasi_rules.inputs._candidate import record_problems
from formasi_rules.inputs._decode import Lane
from formasi_rules.inputs._structure import _contract
from formasi_rules.testing._strategies import candidates
from test_fast_validation import BAD

sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates as bench_candidates  # noqa: E402


def _detailed(text, policy):
    raw = JsonLine(text, "t.jsonl", 1).parse()
    if isinstance(raw, InputError):
        return raw
    try:
        return structure_candidate(raw, "$", policy)
    except InputError as exc:
        return exc
    except RecursionError as exc:  # the engine's own guard words this one (I017)
        return exc


def lane(policy):
    return _contract(policy).lane


def _agree(text, policy):
    """The lane's Candidate, which must be the detailed path's; None where the lane declined."""
    fast = lane(policy).read(text)
    if fast is not None:
        slow = _detailed(text, policy)
        assert fast == slow, text
    return fast


def _dumps(raw):
    return json.dumps(raw, ensure_ascii=False, default=str)


def test_the_lane_takes_the_plain_records(policy):
    # the benchmark records and the bundled example: every one read in one pass, as the slow path reads it
    records = [*bench_candidates(400),
               *json.loads((ROOT / "examples" / "sumsel" / "candidates.json").read_text(encoding="utf-8"))]
    for raw in records:
        text = _dumps(raw)
        assert _agree(text, policy) is not None, text
    # aliases in other capitals, a numeric id, empty text as "not given", integers and fractions
    base = next(iter(bench_candidates(1)))
    for text in ('{"id": "a", "name": "caf\\u00e9", "region": "Palemb\\u0061ng"}', '{"id": "a\\/b", "name": "x\\u003ay"}',
                 '{"\\u0069d": "a", "rank": "III\\/a"}'):  # escapes, as PHP's json_encode writes them
        assert _agree(text, policy) is not None, text
    for change in ({"id": 198501012010011001}, {"rank": "iii/B"}, {"name": ""}, {"region": ""},
                   {"credit_points": 12.5}, {"credit_points": 100}, {"position": {}}, {"positions": [], "position": None},
                   {"credit_points": None}, {"position": {"type": "ja", "since": "2016-01-01", "level": None}},
                   {"competency_test": {"status": "", "level": "ahli_muda"}}, {"request": {"route": ""}}):
        text = _dumps({**base, **change})
        assert _agree(text, policy) is not None, text


@pytest.mark.parametrize("text", [
    '{"id": "a", "rank": "III/a", "rank": "III/b"}',  # a key twice: the last would win unsaid
    '{"id": "a", "position": {"type": "jf", "type": "ja"}}',
    '{"id": "a", "name": "x:y", "name": "z"}',  # a colon in a string does not hide the key given twice
    '{"id": "a", "name": "caf\\u00e9", "rank": "III/a", "rank": "III/b"}',
    '{"id": "a", "name": "x\\u003a", "rank": "III/a", "rank": "III/b"}',  # an escaped ':' hides no key given twice
    '{"id": "a", "name": "x\\u003A\\u003a", "position": {"type": "jf", "type": "ja"}}',
    '{"id": "a", "credit_points": 123456789012345678901234567890}',
    '{"id": "a", "credit_points": 1e400}', '{"id": "a", "credit_points": -1}', '{"id": "a", "credit_points": NaN}',
    '{"id": "a", "birth_date": "1985-02-29"}',
    '{"id": "a", "birth_date": "1985-04-30T00:00:00"}', '{"id": "a", "bogus": 1}', '{"id": "a", "extra": {}}',
    '{"id": ""}', '{"id": null}', '{"name": "x"}', '{"id": true}', '{"id": 1.5}', '[{"id": "a"}]', '"a"',
    '{"id": "a"} x', '{"id": "a", "performance": [{"year": 2024, "rating": "baik"}, '
    '{"year": 2024, "rating": "kurang"}]}', '{"id": "a", "performance": [{"year": true, "rating": "baik"}]}',
    '{"id": "a", "ranks": [{"rank": "", "since": "2020-01-01"}]}', '{"id": "a", "rank": "III/z"}',
    '{"id": "a", "experience_years": 1.123456789}', '{"id": "a", "strategic_need": "perhaps"}',
    '{"id": "a", "strategic_need": 1e300}', "{" * 70 + "}" * 70,
    # number literals longer than the reader takes (I016), which msgspec would read
    '{"id": %s}' % ("1" * 41), '{"id": "a", "performance": [{"year": %s, "rating": "baik"}]}' % ("2" * 45),
    '{"id": "a", "strategic_need": {"x": 0.%s1}}' % ("0" * 60), '{"id": "a", "credit_points": 0.%s1}' % ("0" * 60),
    '{"id": "a", "performance": [{"year": 1899, "rating": "baik"}]}', '{"id": "a", "credit_points": 1.1255}',
    '{"id": "a", "performance": [{"year": 2023, "rating": "baik"}, {"year": 10000, "rating": "baik"}]}',
    '{"id": "a", "performance": [{"year": 2022, "rating": "baik"}, {"year": 2023, "rating": "baik"}, '
    '{"year": 2022, "rating": "kurang"}]}', '{"id": "a", "experience_years": 2.125}',
])
def test_what_the_detailed_path_refuses_the_lane_declines(policy, text):
    assert _agree(text, policy) is None
    assert isinstance(_detailed(text, policy), (InputError, RecursionError))


@pytest.mark.parametrize("text", ['{"id": "a", "birth_date": " 1985-04-30"}', '{"id": "a", "rank_since": "2019-04-01 "}',
                                  '{"id": "a", "rank": "III/a", "name": "\\\\u003a"}',  # backslash, then text
                                  '{"id": "a", "name": "\udcff"}', '{"id": "a", "name": "\\ud800"}'])  # lone surrogates
def test_what_the_lane_leaves_to_the_detailed_path_is_read_there(policy, text):
    # spaces around a date, what looks like an escaped colon, a lone surrogate: not the lane's, but valid
    assert lane(policy).read(text) is None
    assert not isinstance(_detailed(text, policy), Exception)


@pytest.mark.parametrize("keep", [0, 1, 2, 3, 6, 17, 20])
def test_the_lane_reads_a_number_only_with_the_decimals_record_problems_allows(policy, keep):
    # the lane checks a number's decimals and size as it reads it (not again in record_problems):
    # what it accepts must be what record_problems accepts, and what that refuses it must decline
    contract = _contract(policy)
    kept = {"credit_points": keep, "experience_years": keep}
    strict, loose = Lane(contract.vocabularies, contract.extra, kept), Lane(contract.vocabularies, contract.extra, {})
    for number in (0, 0.0, -0.0, 5, 12.5, 1.125, 1.1255, 0.001, 0.1, 1e-05, 123456.5, 99999999999999.9, 10 ** 14,
                   999999999999999, 10 ** 3 + 0.25, 1.5e-10):
        for key in kept:
            raw = {"id": "a", key: number}
            read, candidate = strict.structure(raw), loose.structure(raw)
            assert candidate is not None, number
            refused = [p.code for p in record_problems(candidate, kept, "$")]
            assert set(refused) <= {"I008"}
            if read is not None:
                assert read == candidate and not refused, (key, number)
            else:  # declined: record_problems refuses it, or its text has an exponent (1e-05), left to it
                assert refused or "e" in str(number), (key, number)


def test_every_field_with_every_odd_value_agrees(policy):
    base = next(iter(bench_candidates(1)))
    keys = [*base, "name", "positions", "ranks", "agency", "credit_points", "request", "unknown_field",
            *_contract(policy).extra]
    for value in [*BAD[:6], *BAD[7:]]:  # NaN is not JSON (its own case above)
        for key in keys:
            _agree(_dumps({**base, key: value}), policy)
        for inner in ("type", "name", "level", "since", "until", "top_rank", "bogus"):
            _agree(_dumps({**base, "position": {**base["position"], inner: value}}), policy)
        _agree(_dumps({**base, "competency_test": {"status": "passed", "level": value}}), policy)
        _agree(_dumps({**base, "performance": [{"year": 2024, "rating": value}]}), policy)
        _agree(_dumps({**base, "ranks": [{"rank": value, "since": "2020-04-01"}]}), policy)
        _agree(_dumps({**base, "id": value}), policy)


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.integers(10**39, 10**42) |
                     st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                  max_size=3), max_leaves=6)


@given(st.data())
def test_generated_records_agree(policy, data):
    raw = data.draw(candidates(policy, AS_OF))
    text = orjson.dumps(raw, default=str).decode()
    _agree(text, policy)
    _agree(json.dumps(raw, default=str), policy)  # every non-ASCII letter as a \u escape, as PHP writes it
    if data.draw(st.booleans()):  # and with one field or one part of a field made odd
        key = data.draw(st.sampled_from([*raw, "position", "credit_points", *_contract(policy).extra]))
        odd = dict(raw)
        if isinstance(raw.get(key), dict) and raw[key] and data.draw(st.booleans()):
            inner = data.draw(st.sampled_from(sorted(raw[key])))
            odd[key] = {**raw[key], inner: data.draw(_JSON)}
        else:
            odd[key] = data.draw(_JSON)
        _agree(json.dumps(odd, default=str), policy)


def test_a_batch_of_lines_gives_the_bytes_of_the_same_records_parsed_first(policy):
    # JsonLines take the lane where they can; records parsed beforehand never do
    base = list(bench_candidates(40))
    texts = [_dumps(r) for r in base]
    texts += [_dumps({**base[0], "id": "odd1", "rank": "iii/a"}), '{"id": "odd2", "rank": "III/a", "rank": "x"}',
              _dumps({**base[1], "id": "odd3", "credit_points": "12"}), "not json", _dumps(base[2])]
    lines = [(f"$[{i}] (t.jsonl line {i + 1})", JsonLine(t, "t.jsonl", i + 1)) for i, t in enumerate(texts)]
    parsed = [(where, line.parse()) for where, line in lines]
    with Engine(policy, backend="reference") as engine:
        for layout in ("compact", "full"):
            one = b"".join(b.text for b in engine.evaluate_blocks(lines, as_of=AS_OF, layout=layout))
            two = b"".join(b.text for b in engine.evaluate_blocks(parsed, as_of=AS_OF, layout=layout))
            assert one == two
            assert one.count(b"\n") == len(texts)
