"""The published JSON Schemas accept what we ship and produce, and match the code's vocabularies."""

import json
from importlib.resources import files

import jsonschema
import pytest
from ruamel.yaml import YAML

from conftest import AS_OF, POLICY_DIR, ROOT
from formasi_rules.schemas import schema


def yaml_as_json(path):
    data = YAML(typ="safe").load(path.read_text())
    return json.loads(json.dumps(data, default=str))  # dates -> "2023-01-12", as an editor sees them


POLICY_FILES = sorted(p for p in POLICY_DIR.parent.rglob("*.yaml")
                      if "tests" not in p.relative_to(POLICY_DIR.parent).parts)


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_shipped_policy_files_are_valid(path):
    jsonschema.validate(yaml_as_json(path), schema("policy"))


def test_policy_schema_rejects_a_misspelt_key():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"rules": [{"id": "x", "title": "t", "routes": "all", "citaton": {}}]}, schema("policy"))


def test_the_candidate_schema_takes_its_values_from_the_policy(default_engine):
    policy = default_engine.policy
    cand = schema("candidate", policy)["properties"]
    ranks = cand["rank"]["oneOf"][0]["enum"]
    assert ranks[:len(policy.vocabularies["rank"].values)] == list(policy.vocabularies["rank"].values)
    ratings = cand["performance"]["oneOf"][0]["items"]["properties"]["rating"]["enum"]
    assert "Baik" in ratings and "baik" in ratings  # the aliases real exports use are valid too
    assert cand["request"]["oneOf"][0]["properties"]["route"]["oneOf"][0]["enum"] == list(policy.routes)
    assert cand["strategic_need"]["oneOf"][0]["type"] == "boolean"  # a field the policy adds to the record
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": "x", "rank": "III/e"}, schema("candidate", policy))
    jsonschema.validate({"id": "x", "rank": "II/d"}, schema("candidate", policy))


def test_example_candidates_and_results_are_valid(default_engine):
    records = json.loads((ROOT / "examples" / "sumsel" / "candidates.json").read_text())
    for record in records:
        jsonschema.validate(record, schema("candidate", default_engine.policy))
    engine = default_engine
    out = [item.to_dict() for item in engine.evaluate_many(
        records + [{"id": "bad", "birth_date": "30/04/85"}], as_of=AS_OF,
        formation=ROOT / "examples" / "sumsel" / "formation.csv")]
    jsonschema.validate(out, schema("result"))
    assert "error" in out[-1]


@pytest.mark.parametrize("name", ["pengantar_kerja", "instruktur"])
def test_results_of_every_position_fit_the_generic_schemas_and_their_policys(name):
    """The published schemas name no position's routes or levels: a position with other levels
    (Instruktur's keterampilan ones) fits them, and ``schema(name, policy)`` lists that policy's."""
    import datetime as dt

    import formasi_rules as fr
    policy = fr.load_policy(ROOT / "policies" / name)
    records = json.loads((ROOT / "examples" / ("sumsel" if name == "pengantar_kerja" else name)
                          / "candidates.json").read_text())
    with fr.Engine(policy) as engine:
        results = list(engine.evaluate_many(records, as_of=dt.date(2025, 10, 9)))
        catalogue = engine.catalogue(dt.date(2025, 10, 9))
    compact = {"catalogue": catalogue["catalogue"], "results": [r.to_dict("compact") for r in results]}
    for out, which in (([r.to_dict() for r in results], "result"), (compact, "result-compact")):
        jsonschema.validate(out, schema(which))
        jsonschema.validate(out, schema(which, policy))
    full = [r.to_dict() for r in results]
    levels = schema("result", policy)["items"]["oneOf"][0]["properties"]["decisions"]["items"]["properties"]["level"]
    assert levels["enum"] == list(policy.levels)
    full[0]["decisions"][0]["level"] = "no_such_level"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(full, schema("result", policy))


def test_formation_output_is_valid(default_engine):
    here = ROOT / "examples" / "sumsel"
    out = default_engine.formation(here / "workload.csv", here / "officers.csv", as_of=AS_OF).to_dict()
    jsonschema.validate(out, schema("formation"))
    bad = default_engine.formation([{"region": "X", "activity": "nope", "level": "ahli_pertama", "volume": 1}],
                                   as_of=AS_OF).to_dict()
    jsonschema.validate(bad, schema("formation"))
    assert bad["problems"][0]["code"] == "W002"


CASE_FILES = sorted((POLICY_DIR / "tests").glob("*.yaml"))


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_shipped_test_cases_are_valid_against_the_test_case_schema(path):
    jsonschema.validate(yaml_as_json(path), schema("test-case"))


@pytest.mark.parametrize("expected", [
    {"perpindahan/ahli_pertama": {"outcome": "undetermined", "faild": ["x"]}},
    {"perpindahan/ahli_pertama": "eligble"},
    {},
])
def test_the_test_case_schema_refuses_what_load_cases_refuses(tmp_path, expected):
    from formasi_rules import PolicyError
    from formasi_rules.testing import load_cases

    case = {"name": "c", "as_of": "2025-10-09", "input": {"candidate": {"id": "x"}}, "expected": expected}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([case], schema("test-case"))
    (tmp_path / "c.yaml").write_text(json.dumps([case]))
    with pytest.raises(PolicyError):
        load_cases(tmp_path / "c.yaml")


def test_every_schema_has_a_stable_versioned_id():
    names = sorted(p.name[:-len(".schema.json")] for p in files("formasi_rules.schemas").iterdir()
                   if p.name.endswith(".schema.json"))
    assert {"candidate", "policy", "result", "result-compact", "formation", "test-case"} <= set(names)
    for name in names:
        assert schema(name)["$id"] == f"urn:formasi-rules:schema:{name}:1"
