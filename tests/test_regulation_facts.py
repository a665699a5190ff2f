"""Facts of the fact sheet (shared/domain/regulations.md) decided on their boundaries.

Most boundary cases are staff cases in policies/pengantar_kerja/tests/boundaries.yaml; the ones
here need a changed copy of the policy (a table value the shipped policy does not reach)."""

import datetime as dt

import pytest

import formasi_rules as fr
from conftest import BACKENDS, edit

PEDOMAN = "pengangkatan.pedoman_ditetapkan"


@pytest.mark.parametrize("backend", BACKENDS)
def test_appointment_is_allowed_on_the_day_the_guideline_is_set(policy_copy, backend):
    """PermenPANRB 21/2025 Pasal 11 ayat (3) (fact sheet 1.9, P): no appointment *before* the
    guideline is set. On the day it is set an appointment may be made; the day before it may not."""
    edit(policy_copy / "tables" / "position.yaml", "- set_on: 2023-12-31", "- set_on: 2025-11-03")
    record = {"id": "p", "employment_status": "PNS", "education": "S1", "rank": "III/a", "region": "R",
              "performance": [{"year": 2024, "rating": "baik"}]}
    with fr.Engine(fr.load_policy(policy_copy), backend=backend) as engine:
        def failed(day):
            result = engine.evaluate(record, as_of=day, formation={"R": {"ahli_pertama": 1}})
            return result.decision("pengangkatan_pertama", "ahli_pertama")

        assert PEDOMAN in failed(dt.date(2025, 11, 2)).failed
        on_the_day = failed(dt.date(2025, 11, 3))
        assert PEDOMAN not in on_the_day.failed and on_the_day.outcome == "eligible"
