"""The generated code (engine/_source.py, _derive_code.py, _encode_code.py): the interpreter's values,
values, explanations and facts exactly, and no text of a policy ever written into the code they run."""

import ast
import contextlib
import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import formasi_rules as fr
from conftest import AS_OF, POLICY_DIR, ROOT
from formasi_rules.engine._derive import Deriver
from formasi_rules.engine._encode import show
from formasi_rules.engine._derive_code import (
    ATTRIBUTES, MAX_DEPTH, MAX_INLINED, GeneratedDeriver, Unsupported, _Writer, deriver_for,
)
from formasi_rules.engine._source import Source, SourceRefused, _nodes, verify
from formasi_rules import InputError
from formasi_rules.inputs import region_key, structure_candidate

HOSTILE = ["x'); import os; os.system('echo pwned') #", 'a"b\\"c', "\n__import__('os')\n", "{0}{!r}%s",
           "F.c.__class__", "é\u202eŧ", "'''", 'x" + "y']


def _same(a, b, c, as_of, places):
    """Both derivers' answers for one record: values in order with their types, per-level values,
    explanations, or the error each raised; the second without its values' text and steps kept (as
    a Result's chain derives) gives the same values with their types, but no explanation."""
    def run(deriver, shown=True):
        try:
            got = deriver.derive(c, as_of, places, shown)
        except InputError as exc:
            return ("error", [p.to_dict() for p in exc.problems])
        if got.shown is not None:  # kept as it went: what the values give, in their order
            echo = {"as_of", *(n for n, f in deriver.policy.fields.items() if f.input is not None)}
            assert list(got.shown.items()) == [(k, show(v)) for k, v in got.values.items() if k not in echo]
        else:
            assert not shown or not isinstance(deriver, GeneratedDeriver)
        assert (got.explain is None) == (not shown and isinstance(deriver, GeneratedDeriver))
        return ([(k, type(v).__name__, v) for k, v in got.values.items()], got.per_level,
                json.dumps(got.explain, default=str))
    generated = run(b)
    lean = run(b, shown=False)
    if generated[0] == "error":
        assert lean == generated
    else:  # the same values (a lean derivation keeps them in its frame's slots, and gives them in their order)
        assert sorted(lean[0], key=str) == sorted(generated[0], key=str) and lean[1] == generated[1]
    return run(a), generated


# --- what the code is held to --------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "def f1(F):\n    return 'text'\n",                 # a string constant
    "def f1(F):\n    return 1.5\n",                    # a float constant
    "def f1(F):\n    import os\n",                     # an import
    "def f1(F):\n    return F.__class__\n",            # an attribute not allowed
    "def f1(F):\n    return open\n",                   # a name neither generated nor allowed
    "def f1(F):\n    return k9\n",                     # a constant name never bound
    "def f1(F):\n    return lambda: 0\n",              # a node the writer never makes
    "def f1(F, text):\n    return 0\n",                # a parameter not the writer's
    "def name(F):\n    return 0\n",                    # a function not named by the writer
    "def f1(F):\n    try:\n        pass\n    except k0 as e:\n        pass\n",  # a named exception
    "def f1(F):\n    global k0\n",                   # a node whose fields hold bare names
    "def f1(F):\n    return (t1 for t1 in k0)\n",    # a node nested deep in another's list
])
def test_the_verifier_refuses_what_the_writer_never_writes(line):
    with pytest.raises(SourceRefused):
        verify(ast.parse(line), ATTRIBUTES, frozenset({"k0"}))


def test_the_verifier_looks_at_every_node_ast_walk_gives():
    text = "def f1(F, V):\n    t1 = {k0: [V[1], -V[2]], **F}\n    for t2 in t1:\n        if t2 is not None and t2 < 3:\n" \
           "            return (t2, t1.get(t2), [t2 * 2 for t2 in k0])\n    return None\n"
    tree = ast.parse(text)
    assert sorted(map(id, _nodes(tree))) == sorted(map(id, ast.walk(tree)))


def test_the_verifier_lets_the_writers_own_shapes_through():
    source = Source(ATTRIBUTES)
    name = source.bind("a field's name")
    with source.block("def f1(F)"):
        source(f"t2 = F.values.get({name})")
        source("return None if t2 is None else -t2 + 1")
    namespace = source.build("<test>")
    assert "a field's name" not in source.text()
    assert namespace["f1"].__code__.co_filename == "<test>"


def test_the_code_runs_without_the_builtins_it_does_not_need():
    source = Source(ATTRIBUTES)
    with source.block("def f1(F)"):
        source("return len")
    assert source.build("<test>")["f1"](None) is len
    assert "open" not in source.build("<test>")["__builtins__"]


def test_equal_constants_of_other_exponents_are_not_shared():
    from decimal import Decimal
    source = Source(ATTRIBUTES)
    assert source.bind(Decimal("1")) != source.bind(Decimal("1.0"))
    assert source.bind("a") == source.bind("a") and source.bind(1) != source.bind(True)


# --- hostile text in a policy ----------------------------------------------------------------

def _hostile_policy(root):
    """The shipped policy, with hostile text in every string the derivations can hold: field
    names, text literals, a vocabulary's aliases, the position's name, table rows."""
    fields = root / "fields"
    fields.mkdir()
    lines = ["fields:"]
    for i, text in enumerate(HOSTILE):
        literal = json.dumps(text)
        lines += [f"  hostile_{i}:",
                  f"    title: {{id: {json.dumps('t' + str(i))}, en: {literal}}}",
                  "    type: text",
                  "    derive:",
                  "      cases:",
                  f"        - when: {{position_name: {{equals: {literal}}}}}",
                  f"          then: {{text: {literal}}}",
                  f"      else: {{text: {json.dumps(text[::-1])}}}"]
    (fields / "hostile.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = (root / "policy.yaml").read_text(encoding="utf-8")
    aliases = ", ".join(json.dumps(t) for t in HOSTILE)
    (root / "policy.yaml").write_text(text.replace("aliases: [JF Pengantar Kerja,", f"aliases: [{aliases}, JF Pengantar Kerja,"),
                                      encoding="utf-8")
    rules = root / "rules" / "hostile.yaml"
    rules.write_text("rules:\n" + "".join(
        f"  - id: hostile.rule_{i}\n    title: {{id: h{i}, en: h{i}}}\n    routes: [perpindahan]\n"
        f"    citation: {{source: formasi_policy_choice}}\n    require: {{hostile_{i}: {{not_equals: {json.dumps(t)}}}}}\n"
        for i, t in enumerate(HOSTILE)), encoding="utf-8")
    return fr.load_policy(root)


def test_no_text_of_a_policy_reaches_the_code(policy_copy):
    policy = _hostile_policy(policy_copy)
    generated = GeneratedDeriver(policy)
    for text in HOSTILE:
        assert text not in generated.source and text[::-1] not in generated.source
    strings = [n for n in ast.walk(ast.parse(generated.source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert strings == []
    # and the values are the interpreter's: the hostile text comes out as data
    for i, text in enumerate(HOSTILE):
        c = structure_candidate({"id": "x", "position": {"type": "ja", "name": text, "since": "2020-01-01"}},
                                policy=policy)
        got = generated.derive(c, AS_OF, None)
        assert got.values[f"hostile_{i}"] == text
        assert got.values == Deriver(policy).derive(c, AS_OF, None).values


def test_a_policy_the_writer_does_not_cover_is_left_to_the_interpreter(policy_copy, monkeypatch):
    from formasi_rules.engine import _derive_code
    monkeypatch.setattr(_derive_code, "_HISTORIES", ())  # as if no dated history could be written
    assert isinstance(deriver_for(fr.load_policy(policy_copy)), Deriver)
    with pytest.raises(Unsupported):
        GeneratedDeriver(fr.load_policy(policy_copy))


# --- the interpreter's values exactly -----------------------------------------------------------

LEVELS = ["ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama", "terampil", "mahir", None, ""]
RANKS = ["III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b", "II/d", None]
RATINGS = ["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang", "Baik"]
NAMES = ["Pengantar Kerja", "pengantar kerja ahli muda", "JF Pengantar Kerja", "Analis", "Instruktur", None]


def _dates(low: dt.date, high: dt.date):
    """Dates, most on a few days of the month, so that two dates often share their day or month
    (where completed years and months turn)."""
    shared = st.builds(dt.date, st.integers(low.year, high.year), st.integers(1, 12), st.sampled_from([1, 15, 28]))
    return st.one_of(shared, shared, st.dates(low, high)).filter(lambda d: low <= d <= high)


days = _dates(dt.date(2010, 1, 1), dt.date(2026, 12, 31)).map(dt.date.isoformat)
recent = _dates(dt.date(2020, 1, 1), dt.date(2025, 9, 30)).map(dt.date.isoformat)
as_of_dates = _dates(dt.date(2025, 10, 1), dt.date(2030, 12, 31))


@st.composite
def positions(draw):
    return {k: v for k, v in {
        "type": draw(st.sampled_from(["jf", "jf", "jf", "ja", "jpt", "none", None])),
        "name": draw(st.sampled_from(NAMES[:3] * 2 + NAMES)),
        "level": draw(st.sampled_from(LEVELS)), "since": draw(st.one_of(recent, days)),
        "until": draw(st.one_of(st.none(), days)), "top_rank": draw(st.sampled_from([None, True, False])),
    }.items() if v is not None}


@st.composite
def records(draw):
    rec = {"id": "r", "birth_date": draw(st.one_of(st.none(), _dates(dt.date(1960, 1, 1), dt.date(2000, 1, 1))
                                                      .map(dt.date.isoformat))),
           "employment_status": draw(st.sampled_from(["PNS", "CPNS", "PPPK", None])),
           "education": draw(st.sampled_from(["S1", "S2", "D3", "SMA", None])),
           "rank": draw(st.sampled_from(RANKS)), "rank_since": draw(st.one_of(st.none(), days)),
           "region": draw(st.sampled_from(["Region 1", "Region 2", "Elsewhere", None])),
           "credit_points": draw(st.sampled_from([None] * 6 + [0, 12.5, 100, 250.125])),
           "experience_years": draw(st.sampled_from([None, 0, 1, 2.5])),
           "strategic_need": draw(st.sampled_from([None, True, False]))}
    shape = draw(st.sampled_from(["position", "positions", "both", "none"]))
    if shape in ("position", "both"):
        rec["position"] = draw(positions())
    if shape in ("positions", "both"):
        rec["positions"] = draw(st.lists(positions(), max_size=4, unique_by=lambda p: p["since"]))
    if draw(st.booleans()):
        rec["ranks"] = [{"rank": r, "since": s} for r, s in zip(
            draw(st.lists(st.sampled_from([r for r in RANKS if r]), min_size=1, max_size=3)),
            draw(st.lists(days, min_size=3, max_size=3, unique=True)))]
    years = draw(st.lists(st.integers(2012, AS_OF.year), max_size=6, unique=True))  # a later year is I020
    rec["performance"] = [{"year": y, "rating": draw(st.sampled_from(RATINGS))} for y in years]
    if draw(st.booleans()):
        rec["competency_test"] = {"status": draw(st.sampled_from(["passed", "failed", "not_taken"])),
                                  "level": draw(st.sampled_from([lv for lv in LEVELS if lv]))}
    return {k: v for k, v in rec.items() if v is not None}


@st.composite
def officers(draw):
    """Officers in the position without a stated credit-point figure, rated every year: the credit
    points are derived (conversion at entry, the years in the level)."""
    rec = draw(records())
    rec.pop("credit_points", None)
    level = draw(st.sampled_from(LEVELS[:4]))
    entry = draw(recent)
    history = [{"type": draw(st.sampled_from(["ja", "jf"])), "name": draw(st.sampled_from(NAMES)),
                "level": draw(st.sampled_from(LEVELS[:4])), "since": draw(st.sampled_from(["2012-02-01", "2016-07-15"])),
                "top_rank": draw(st.booleans())}, {"type": "jf", "name": "Pengantar Kerja", "level": level, "since": entry}]
    rec["positions" if draw(st.booleans()) else "position"] = history if draw(st.booleans()) else history[1]
    rec["ranks"] = [{"rank": draw(st.sampled_from(["III/c", "III/d"])), "since": "2014-04-01"}]
    rec.pop("rank", None)
    rec["performance"] = [{"year": y, "rating": draw(st.sampled_from(RATINGS))} for y in range(2011, AS_OF.year + 1)]
    return rec


SHIPPED = {p.name: fr.load_policy(p) for p in (POLICY_DIR, ROOT / "policies" / "instruktur")}
PAIRS = {name: (Deriver(p), GeneratedDeriver(p)) for name, p in SHIPPED.items()}
PLACES = {region_key("Region 1"): {"ahli_muda": 2}, region_key("Region 2"): {}}


@pytest.mark.parametrize("name", sorted(SHIPPED))
@settings(max_examples=300)
@given(rec=st.one_of(records(), officers()), as_of=as_of_dates, places=st.sampled_from([None, PLACES]))
def test_generated_code_gives_the_interpreters_values(name, rec, as_of, places):
    policy = SHIPPED[name]
    try:
        c = structure_candidate(rec, policy=policy)
    except InputError:
        return
    interpreted, generated = _same(*PAIRS[name], c, as_of, places)
    assert generated == interpreted


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_date_or_a_rating_year_after_the_evaluation_date_is_refused_as_the_interpreter_refuses_it(name):
    # the generated code looks at the dates (Dates.check written out) before it derives anything
    policy = SHIPPED[name]
    base = {"id": "d", "birth_date": "1980-01-01", "rank": "III/a", "rank_since": "2015-04-01",
            "position": {"type": "jf", "since": "2016-01-01", "level": "ahli_pertama"},
            "competency_test": {"status": "passed", "level": "ahli_muda", "date": "2024-02-01"},
            "performance": [{"year": 2023, "rating": "baik"}, {"year": 2024, "rating": "baik"}]}
    day, next_day = AS_OF, AS_OF + dt.timedelta(days=1)
    cases = {"birth_date": next_day.isoformat(), "rank_since": next_day.isoformat(),
             "position": {**base["position"], "since": next_day.isoformat()},
             "competency_test": {**base["competency_test"], "date": next_day.isoformat()},
             "performance": [{"year": AS_OF.year + 1, "rating": "baik"}]}
    refused = 0
    for key, later in cases.items():
        for value in (later, {**later, "since": day.isoformat()} if key == "position" else
                      {**later, "date": day.isoformat()} if key == "competency_test" else
                      [{"year": AS_OF.year, "rating": "baik"}] if key == "performance" else day.isoformat()):
            c = structure_candidate({**base, key: value}, policy=policy, strict=False)  # (a late birth: I025)
            interpreted, generated = _same(*PAIRS[name], c, AS_OF, None)
            assert generated == interpreted, (key, value)
            refused += generated[0] == "error"
    assert refused >= 3  # each policy reads some of these dates: a later one refused, the day itself not


def test_the_examples_and_the_benchmark_records_give_the_interpreters_values():
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from evaluate import candidates
    policy = SHIPPED[POLICY_DIR.name]
    recs = json.loads((ROOT / "examples" / "sumsel" / "candidates.json").read_text()) + list(candidates(1500))
    compared = 0
    for rec in recs:
        try:
            c = structure_candidate(rec, policy=policy)
        except InputError:
            continue
        interpreted, generated = _same(*PAIRS[POLICY_DIR.name], c, AS_OF, None)
        assert generated == interpreted, rec
        compared += 1
    assert compared > 1500 and any(  # the credit-point derivation ran, explained
        "credit_points_in_level" in GeneratedDeriver(policy).derive(structure_candidate(r, policy=policy), AS_OF, None)
        .explain for r in recs[:200] if "credit_points" not in r and r.get("position", {}).get("type") == "jf")


EVERY_OPERATOR = """
fields:
  best_2y: {title: {id: a, en: a}, type: rating, derive: {over_years: 2, of: performance, value: rating, take: max}}
  best_4y: {title: {id: a, en: a}, type: rating, derive: {over_years: 4, of: performance, value: rating, take: max}}
  worst_5y: {title: {id: a, en: a}, type: rating, derive: {over_years: 5, of: performance, value: rating, take: min}}
  rated_3y: {title: {id: a, en: a}, type: integer, derive: {over_years: 3, of: performance, value: rating, take: count}}
  months_in_rank: {title: {id: a, en: a}, type: integer, derive: {months_between: [rank_since, as_of]}}
  rank_then: {title: {id: a, en: a}, type: rank, derive: {history: ranks, on: {add_months: [as_of, -30]}, value: rank}}
  was_iiid: {title: {id: a, en: a}, type: boolean, derive: {history: ranks, before: as_of, exists: {rank: [III/d, IV/a]}}}
  year_start: {title: {id: a, en: a}, type: date, derive: {start_of_year: birth_date}}
  earliest: {title: {id: a, en: a}, type: date, derive: {min: [birth_date, rank_since, position_since]}}
  latest: {title: {id: a, en: a}, type: date, derive: {max: [rank_since, position_since]}}
  spread: {title: {id: a, en: a}, type: number, decimals: 6, derive: {subtract: [experience_years, {divide: [age, 7]}]}}
  ratio: {title: {id: a, en: a}, type: number, decimals: 2, derive: {round: {divide: [experience_years, years_in_rank]}, decimals: 2, mode: floor}}
  up: {title: {id: a, en: a}, type: number, decimals: 1, derive: {round: {multiply: [experience_years, 1.05]}, decimals: 1, mode: ceil}}
  least: {title: {id: a, en: a}, type: number, decimals: 2, derive: {min: [experience_years, 3, {add: [age, -50]}]}}
  rating_2024: {title: {id: a, en: a}, type: rating, derive: {history: performance, year: 2024, value: rating}}
  band:
    title: {id: a, en: a}
    type: text
    derive:
      cases:
        - when: {any: [{age: {below: 30}}, {not: {education: {at_least: S1}}}]}
          then: {text: young}
        - when: {all: [{best_2y: {at_least: baik}}, {rank: {in: [III/c, III/d]}}]}
          then: {text: good}
      else: {first_known: [position_name, {text: none}]}
rules:
  - id: every.operator
    title: {id: a, en: a}
    routes: [perpindahan]
    citation: {source: formasi_policy_choice}
    require: {best_2y: {at_least: baik}, rated_3y: {at_least: 1}, months_in_rank: {at_least: 0}, rank_then: {at_least: III/a},
              was_iiid: {equals: false}, year_start: {at_least: 1960-01-01}, earliest: {at_least: 1960-01-01},
              latest: {at_least: 1960-01-01}, spread: {at_least: -100}, ratio: {at_least: 0}, up: {at_least: 0},
              least: {at_most: 100}, band: {not_in: [x]}, best_4y: {at_least: kurang}, worst_5y: {at_least: kurang},
              rating_2024: {at_least: kurang}}
"""


@pytest.fixture(scope="module")
def every_operator(tmp_path_factory):
    """The shipped policy with a field for each operator and option the writer writes out."""
    import shutil
    root = tmp_path_factory.mktemp("every")
    for folder in POLICY_DIR.parent.iterdir():
        if folder.is_dir():
            shutil.copytree(folder, root / folder.name, ignore=shutil.ignore_patterns("tests"))
    fields, rules = EVERY_OPERATOR.split("rules:\n")
    (root / POLICY_DIR.name / "fields").mkdir()
    (root / POLICY_DIR.name / "fields" / "every.yaml").write_text(fields, encoding="utf-8")
    (root / POLICY_DIR.name / "rules" / "every.yaml").write_text("rules:\n" + rules, encoding="utf-8")
    policy = fr.load_policy(root / POLICY_DIR.name)
    return Deriver(policy), GeneratedDeriver(policy), policy


@settings(max_examples=300)
@given(rec=st.one_of(records(), officers()), as_of=as_of_dates)
def test_every_operator_gives_the_interpreters_values(every_operator, rec, as_of):
    interpreter, generated, policy = every_operator
    try:
        c = structure_candidate(rec, policy=policy)
    except InputError:
        return
    interpreted, written = _same(interpreter, generated, c, as_of, None)
    assert written == interpreted


def test_every_operator_is_reached(every_operator):
    """The generated records reach every field of the policy above with a known value."""
    interpreter, generated, policy = every_operator
    known: set[str] = set()

    @settings(max_examples=300, database=None)
    @given(rec=st.one_of(records(), officers()))
    def collect(rec):
        try:
            known.update(generated.derive(structure_candidate(rec, policy=policy), AS_OF, None).values)
        except InputError:
            pass
    collect()
    assert set(yaml_fields(EVERY_OPERATOR)) <= known


def yaml_fields(text):
    return [line.split(":")[0].strip() for line in text.split("rules:")[0].splitlines()[2:]
            if line.startswith("  ") and not line.startswith("   ")]


def test_the_shipped_policies_are_generated_not_interpreted():
    for policy in SHIPPED.values():
        assert isinstance(deriver_for(policy), GeneratedDeriver)


def test_a_short_derivation_is_written_where_it_is_read_not_called():
    """The lean code (no steps kept) calls only the derivations too long to write in place
    (``MAX_INLINED``); each short one's body stands where it is read, its function left out, and the
    values are the interpreter's (the tests above)."""
    for policy in SHIPPED.values():
        writer = _Writer(policy, False)
        tree = ast.parse(writer.src.text())
        defs = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        length = {name: f.end_lineno - f.lineno - 1 for name, f in defs.items()}  # (the body less its return)
        called = {n.func.id for f in defs.values() for n in ast.walk(f)
                  if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in defs}
        assert called and all(length[name] > MAX_INLINED for name in called), policy.name
        assert set(defs) - {writer.main} == called  # a function no code calls is left out
        main = {n.func.id for n in ast.walk(defs[writer.main]) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert len(main & defs.keys()) < len(writer.wanted) / 4


def test_a_body_is_not_written_in_place_past_the_depth_python_compiles():
    """CPython refuses more than 20 nested blocks: a short body is written in place only where the
    blocks it brings stay within ``MAX_DEPTH``; deeper, its function is called."""
    policy = SHIPPED["pengantar_kerja"]
    writer = _Writer(policy, False)
    name = next(n for n, found in writer._bodies.items() if found[2] >= 1)
    lines = len(writer.src.lines)
    with contextlib.ExitStack() as blocks:
        for _ in range(MAX_DEPTH - writer._bodies[name][2] + 1):
            blocks.enter_context(writer.src.block("if V"))
        assert writer._inlined(name) is None and len(writer.src.lines) == lines + MAX_DEPTH - writer._bodies[name][2] + 1
    with contextlib.ExitStack() as blocks:
        for _ in range(MAX_DEPTH - writer._bodies[name][2]):
            blocks.enter_context(writer.src.block("if V"))
        assert writer._inlined(name) is not None


# --- the engine fact -------------------------------------------------------------------------

ENGINES = {name: fr.Engine(p, backend="reference") for name, p in SHIPPED.items()}


@pytest.mark.parametrize("name", sorted(SHIPPED))
@settings(max_examples=200)
@given(rec=st.one_of(records(), officers()), places=st.sampled_from([None, PLACES]))
def test_the_generated_fact_is_encode_facts(name, rec, places):
    from formasi_rules.engine._encode import encode_fact
    policy, compiled = SHIPPED[name], ENGINES[name]._current
    try:
        derived = compiled.deriver.derive(structure_candidate(rec, policy=policy), AS_OF, places)
    except InputError:
        return
    for plan, encoder in zip(compiled.plans, compiled.encoders):
        fact = encoder(derived.values, derived.per_level)
        assert list(fact.items()) == list(encode_fact(derived, policy, plan.keys).items())


def test_a_value_the_engine_cannot_hold_is_worded_as_before(policy):
    from decimal import Decimal
    from formasi_rules.engine._derive import Derived
    from formasi_rules.engine._encode import NotRepresentable
    from formasi_rules.engine._stages import _fact
    engine = fr.Engine(policy, backend="reference")
    compiled = engine._current
    index = compiled.index(AS_OF)
    encoder = compiled.encoders[index]
    too_fine = Derived({"as_of": AS_OF, "credit_points": Decimal("1.2345")}, {}, {})
    with pytest.raises(NotRepresentable):
        encoder(too_fine.values, too_fine.per_level)
    with pytest.raises(InputError) as caught:
        _fact(compiled, index, too_fine)
    (problem,) = caught.value.problems
    assert problem.code == "I021" and "credit_points" in problem.path and "decimal" in problem.en


def test_the_values_a_plan_reads_are_written_as_the_plain_loop_writes_them():
    """The generated ``actual`` (each field the checks read, as JSON shows it; a per-level field as
    its levels; those ``derived`` shows left out) against the loop it replaced, written out here."""
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from evaluate import candidates
    from formasi_rules.engine._stages import _shown
    engine = ENGINES[POLICY_DIR.name]
    compiled = engine._current
    explainer = compiled.explainers[compiled.index(AS_OF)]
    pairs = explainer._pairs
    for places in (None, PLACES):
        for rec in candidates(300):
            derived = compiled.deriver.derive(structure_candidate(rec, policy=engine.policy), AS_OF, places)
            for shown in (None, _shown(compiled.echo, derived)):
                want: dict = {}
                for field, level in pairs:
                    if shown is not None and field in shown:
                        continue
                    if level is None:
                        want[field] = show(derived.values.get(field))
                    else:
                        got = derived.per_level.get(field)
                        want.setdefault(field, {})[level] = None if got is None else show(got.get(level))
                assert list(explainer._actual(derived, shown).items()) == list(want.items())
