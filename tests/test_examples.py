"""The bundled South Sumatra example data shows what each record says it shows."""

import json

import pytest

from conftest import AS_OF, BACKENDS, ROOT

HERE = ROOT / "examples" / "sumsel"
CASES = json.loads((HERE / "cases.json").read_text())
RECORDS = json.loads((HERE / "candidates.json").read_text())


def test_every_region_of_south_sumatra_is_there():
    regions = {r["region"] for r in RECORDS}
    assert len(regions) == 17
    assert sum(r.startswith("Kota ") for r in regions) == 4
    assert all("(synthetic)" in r["name"] for r in RECORDS)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["id"])
def test_example_case_shows_what_it_claims(engine, record):
    result = engine.evaluate(record, as_of=AS_OF, formation=HERE / "formation.csv")
    for key, want in CASES[record["id"]]["expect"].items():
        assert result.decision(*key.split("/")).outcome == want, CASES[record["id"]]["case"]


def test_examples_cover_every_route_and_outcome(default_engine):
    seen = set()
    for record in RECORDS:
        result = default_engine.evaluate(record, as_of=AS_OF, formation=HERE / "formation.csv")
        seen |= {(d.route, d.outcome) for d in result.decisions}
    routes = {"pengangkatan_pertama", "perpindahan", "penyesuaian", "kenaikan_jenjang", "kenaikan_pangkat"}
    assert {r for r, o in seen if o == "eligible"} == routes - {"penyesuaian"}  # its window closed in 2023
    assert {o for _, o in seen} == {"eligible", "not_eligible", "undetermined"}


INSTRUKTUR = ROOT / "examples" / "instruktur"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_instruktur_example_shows_what_it_claims(backend):
    """The second position, written in YAML only: keterampilan levels, golongan II, SLTA."""
    import datetime as dt

    import formasi_rules as fr

    claims = json.loads((INSTRUKTUR / "cases.json").read_text())
    with fr.Engine(fr.load_policy(ROOT / "policies" / "instruktur"), backend=backend) as engine:
        for record in json.loads((INSTRUKTUR / "candidates.json").read_text()):
            result = engine.evaluate(record, as_of=dt.date(2025, 11, 3), formation=INSTRUKTUR / "formation.csv")
            for key, want in claims[record["id"]]["expect"].items():
                assert result.decision(*key.split("/")).outcome == want, claims[record["id"]]["case"]
