"""The formasi command: output formats, exit codes, and no traceback ever."""

import json

import pytest
from click.testing import CliRunner

from conftest import HAVE_DURABLE, ROOT, edit
from formasi_rules.cli import main

EXAMPLE = str(ROOT / "examples" / "sumsel" / "candidates.json")
FORMATION = str(ROOT / "examples" / "sumsel" / "formation.csv")
POLICIES = str(ROOT / "policies")


BACKEND = "durable" if HAVE_DURABLE else "reference"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_evaluate_json_is_one_object_per_candidate():
    r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--formation", FORMATION, "--policies", POLICIES)
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out) == 34
    first = out[0]
    assert set(first) == {"format", "candidate", "as_of", "policy", "backend", "derived", "decisions"}
    assert first["format"] == 1  # the shape of a full result, versioned
    assert first["backend"] == ("durable_rules" if HAVE_DURABLE else "reference")
    assert first["as_of"] == "2025-10-09"
    assert "34 record(s): 34 evaluated, 0 rejected" in r.stderr


def test_table_route_and_level_filters(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--format", "table", "--route", "perpindahan",
            "--level", "ahli_pertama", "--policies", POLICIES)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80  # fits the terminal
    rows = [line for line in lines if line.split()[:1] in (["perpindahan"], ["pengangkatan_pertama"])]
    assert rows and all(line.split()[:2] == ["perpindahan", "ahli_pertama"] for line in rows)
    assert any("outside --route/--level" in line for line in lines)  # a pengangkatan_pertama request
    assert "SUMSEL-01-2" in r.stdout and "perpindahan.age: Age at most" in r.stdout.replace("\n", " ")


def test_table_leads_each_candidate_with_a_summary_and_keeps_long_ids_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "72")
    path = tmp_path / "c.json"
    nip = "198503302010011001"
    path.write_text(json.dumps([{"id": nip, "employment_status": "PNS", "education": "D3"}]))
    r = run("evaluate", str(path), "--as-of", "2025-10-09", "--format", "table", "--policies", POLICIES,
            "--backend", "reference")
    first = r.stdout.splitlines()[0]
    assert first.startswith(f"{nip} — eligible for: none; closest: ")
    assert max(len(line) for line in r.stdout.splitlines()) <= 72


def test_bad_records_are_reported_and_the_rest_evaluated(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a", "education": "S1"}\n{"id": "b", "birth_date": "30/04/85"}\nnot json\n'
                    '{"id": "d"}\n')
    r = run("evaluate", str(path), "--as-of", "2025-10-09", "--format", "jsonl", "--policies", POLICIES,
            "--backend", "reference")
    assert r.exit_code == 1
    catalogue, *items = [json.loads(line) for line in r.stdout.splitlines()]
    assert "catalogue" in catalogue
    assert [("error" in i) for i in items] == [False, True, True, False]
    assert '$[1].birth_date: I005: expected a date like 1985-04-30, got "30/04/85"' in r.stderr
    assert "line 3" in r.stderr
    assert "4 record(s): 2 evaluated, 2 rejected" in r.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_a_misspelt_column_is_said_once_at_the_end(tmp_path, fmt):
    """Each record it spoils is rejected and said, as any; the end of the run names the column once,
    with the field meant, where more than one record gave it."""
    path = tmp_path / "c.csv"
    path.write_text("id,employment_status,birthdate,education,catatan\na1,PNS,1980-01-01,S1,\n"
                    "a2,PNS,1981-01-01,S1,ada\na3,PNS,1982-01-01,S1,\n")
    r = run("evaluate", str(path), "--as-of", "2025-10-09", "--format", fmt, "--policies", POLICIES,
            "--backend", "reference")
    assert r.exit_code == 1
    assert r.stderr.count("I003: unknown field 'birthdate'") == 3
    notes = [line for line in r.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "3 records were rejected for the field 'birthdate'" in notes[0]
    assert "did you mean 'birth_date'?" in notes[0] and "perbaiki kolom itu" in notes[0]
    assert "'catatan'" not in notes[0]  # in one record only: said with it, not again
    assert "3 record(s): 0 evaluated, 3 rejected" in r.stderr


def test_broken_policy_exits_2_with_file_and_line(tmp_path):
    import shutil

    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    edit(tmp_path / "policies" / "jf_umum" / "rules" / "perpindahan.yaml", "      age: {at_most:", "      ages: {at_most:")
    r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--policies", str(tmp_path / "policies"))
    assert r.exit_code == 2
    assert "perpindahan.yaml:" in r.stderr and "[rule perpindahan.age]" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


@pytest.mark.parametrize("args, message", [
    (["--as-of", "09/10/2025"], "expected a date like 2025-10-09"),
    (["--route", "perpindahn"], "perpindahan"),
])
def test_bad_options_are_explained(args, message):
    r = run("evaluate", EXAMPLE, *args, "--policies", POLICIES)
    assert r.exit_code == 2 and message in r.stderr


@pytest.mark.parametrize("args, english, indonesian", [
    (["evaluate", EXAMPLE, "--as-off", "2025-10-09"], "No such option '--as-off'",
     "opsi '--as-off' tidak ada; maksud Anda '--as-of'?"),
    (["evaluate"], "Missing argument 'CANDIDATES'", "argumen 'CANDIDATES' wajib diberikan"),
    (["evaluate", EXAMPLE, "--as-of"], "requires an argument", "opsi '--as-of' memerlukan nilai"),
    (["evaluate", EXAMPLE, "--format", "xml"], "'xml' is not one of", "nilai tidak sah untuk '--format'; pilihan:"),
    (["evaluat"], "No such command 'evaluat'", "perintah 'evaluat' tidak ada (maksud Anda 'evaluate'"),
    (["evaluate", EXAMPLE, "extra.json"], "unexpected extra argument", "argumen berlebih: extra.json"),
    (["--nope"], "No such option '--nope'", "opsi '--nope' tidak ada"),
])
def test_usage_errors_are_said_in_both_languages(args, english, indonesian):
    """click words a usage error in English; the command adds it in Bahasa Indonesia, as every
    other message it writes, and still exits 2."""
    r = run(*args)
    assert r.exit_code == 2
    assert english in r.stderr and indonesian in r.stderr, r.stderr
    assert r.stderr.count(" / ") == 1  # once: a message with both already is not translated again


def test_a_message_already_in_both_languages_is_left_as_it_is():
    r = run("evaluate", EXAMPLE, "--as-of", "besok", "--policies", POLICIES)
    assert r.exit_code == 2
    assert r.stderr.strip().endswith("/ tanggal seperti 2025-10-09") and r.stderr.count(" / ") == 1
    # a date written day first gets the year-month-day it would be, in both languages, once each
    r = run("evaluate", EXAMPLE, "--as-of", "09/10/2025", "--policies", POLICIES)
    assert r.exit_code == 2 and r.stderr.count("2025-10-09 if that is the day meant") == 1
    assert r.stderr.count("2025-10-09 bila itu tanggal yang dimaksud") == 1
    # and a date with its time is told to give the date alone
    r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09 00:00:00", "--policies", POLICIES)
    assert r.exit_code == 2 and r.stderr.count("give the date alone: 2025-10-09 if that is the day meant") == 1


def test_missing_input_file_and_date_outside_policy():
    r = run("evaluate", "nope.json", "--as-of", "2025-10-09", "--policies", POLICIES)
    assert r.exit_code == 2 and "cannot open the file" in r.stderr
    r = run("evaluate", EXAMPLE, "--as-of", "2019-01-01", "--policies", POLICIES)
    assert r.exit_code == 2 and "covers" in r.stderr and "Traceback" not in r.stderr


def test_validate_and_schema_commands():
    r = run("validate", str(ROOT / "policies" / "pengantar_kerja"), "--backend", BACKEND)
    assert r.exit_code == 0 and r.stdout.startswith("ok: policy pengantar_kerja")
    r = run("schema", "candidate")
    assert r.exit_code == 0 and json.loads(r.stdout)["title"] == "formasi_rules candidate record"


def test_policy_commands_find_a_policy_by_name_in_policies(tmp_path, monkeypatch):
    """validate, check and book take --policies DIR as evaluate does: a policy named there is
    found from any folder, and a name not there is an error saying where it looked."""
    import shutil
    shutil.copytree(ROOT / "policies", tmp_path / "mine")
    (tmp_path / "mine" / "pengantar_kerja" / "policy.yaml").write_text(
        (tmp_path / "mine" / "pengantar_kerja" / "policy.yaml").read_text().replace(
            'version: "2025.10"', 'version: "9.mine"', 1))
    monkeypatch.chdir(tmp_path)
    r = run("validate", "pengantar_kerja", "--policies", str(tmp_path / "mine"), "--backend", "reference")
    assert r.exit_code == 0 and r.stdout.startswith("ok: policy pengantar_kerja 9.mine"), r.output
    r = run("check", "pengantar_kerja", "--policies", str(tmp_path / "mine"), "--static-only")
    assert r.exit_code in (0, 1) and "no policy named" not in r.output
    r = run("book", "pengantar_kerja", "--policies", str(tmp_path / "mine"), "-o", str(tmp_path / "site"))
    assert r.exit_code == 0 and (tmp_path / "site" / "index.html").exists()
    r = run("validate", "nope", "--policies", str(tmp_path / "mine"))
    assert r.exit_code == 2 and "no policy named 'nope'" in r.stderr and str(tmp_path / "mine") in r.stderr


def test_policy_option_takes_the_path_of_a_policy_folder(tmp_path, monkeypatch):
    """--policy policies/mine was "no policy named 'policies/mine'", though validate takes the same
    folder: a name written as a path is that folder; a path that holds no policy says so."""
    import shutil
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    mine = tmp_path / "policies" / "pengantar_kerja" / "policy.yaml"
    mine.write_text(mine.read_text(encoding="utf-8").replace('version: "2025.10"', 'version: "9.mine"', 1),
                    encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for given in ("policies/pengantar_kerja", "./policies/pengantar_kerja", str(tmp_path / "policies" / "pengantar_kerja")):
        r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--format", "jsonl", "--policy", given)
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout.splitlines()[0])["catalogue"]["policy"]["version"] == "9.mine"
    r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--policy", "policies/nope")
    assert r.exit_code == 2 and "P000" in r.stderr and "policies/nope" in r.stderr and "Traceback" not in r.output


def test_policies_lists_a_broken_policy_with_its_first_problem_and_fails(tmp_path):
    """It said "(invalid) the policy files could not be read", no more, and exited 0."""
    import shutil
    shutil.copytree(ROOT / "policies", tmp_path / "mine")
    (tmp_path / "mine" / "instruktur" / "tables" / "bad.yaml").write_text("tables: [\n", encoding="utf-8")
    r = run("policies", "--policies", str(tmp_path / "mine"))
    assert r.exit_code == 1 and "(invalid)" in r.stdout and "bad.yaml:2:1: P002" in r.stdout, r.output
    assert "pengantar_kerja          2025.10" in r.stdout  # the others listed all the same
    assert run("policies", "--policies", POLICIES).exit_code == 0


def test_validate_notes_a_policy_named_other_than_its_folder(tmp_path):
    """policy: instruktur in the pengantar_kerja folder (a policy.yaml copied from another position)
    validated without a word, and every result then named instruktur."""
    import shutil
    shutil.copytree(ROOT / "policies", tmp_path / "mine")
    path = tmp_path / "mine" / "pengantar_kerja" / "policy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("policy: pengantar_kerja", "policy: instruktur", 1),
                    encoding="utf-8")
    r = run("validate", str(tmp_path / "mine" / "pengantar_kerja"), "--backend", "reference")
    assert r.exit_code == 0 and "note: the policy names itself 'instruktur'" in r.stdout, r.output
    assert "note:" not in run("validate", str(ROOT / "policies" / "pengantar_kerja"), "--backend", "reference").stdout


def test_internal_errors_are_one_line_not_a_traceback(monkeypatch):
    import formasi_rules.cli._common as cli

    def boom(*a, **k):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(cli, "load_policy", boom)
    r = CliRunner().invoke(main, ["evaluate", EXAMPLE, "--policies", POLICIES])
    assert r.exit_code == 3 and "internal error" in r.stderr and "Traceback" not in r.stderr


WORKLOAD = str(ROOT / "examples" / "sumsel" / "workload.csv")
OFFICERS = str(ROOT / "examples" / "sumsel" / "officers.csv")


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "html"])
def test_formation_formats(fmt, tmp_path):
    out = tmp_path / f"f.{fmt}"
    r = run("formation", WORKLOAD, "--existing", OFFICERS, "--as-of", "2025-10-09", "--format", fmt,
            "--policies", POLICIES, "-o", str(out))
    assert r.exit_code == 0, r.stderr
    text = out.read_text()
    assert "Kota Palembang" in text
    if fmt == "json":
        data = json.loads(text)
        assert data["parameters"]["effective_minutes_per_year"]["value"] == 75000
        assert data["totals"]["all"]["existing"] == 28
    elif fmt == "csv":
        assert text.splitlines()[0] == "region,level,workload_minutes,need_exact,need,existing,gap,ej,band"
    elif fmt == "html":
        assert text.startswith("<!doctype html>") and "<svg" in text and "http" not in text.split("<svg")[0].replace(
            "http://www.w3.org", "")


def test_formation_bad_rows_exit_1_and_the_rest_is_computed(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("region,activity,level,volume\nKota A,registrasi_pencari_kerja,ahli_pertama,100\n"
                    "Kota A,registrasi_pencari_kerj,ahli_pertama,5\nKota A,penempatan,ahli_pertama,-2\n")
    r = run("formation", str(path), "--as-of", "2025-10-09", "--policies", POLICIES, "--format", "csv")
    assert r.exit_code == 1
    assert "$[1].activity" in r.stderr and "did you mean 'registrasi_pencari_kerja'" in r.stderr
    assert "$[2].volume" in r.stderr
    assert "Kota A,ahli_pertama,2000," in r.stdout


def test_evaluate_from_workload_warns_as_formation_does(tmp_path):
    """``evaluate --workload`` without ``--existing`` counted no officer in post anywhere, so every
    place of the need was open, without a word; ``formasi formation`` says it. Evaluate says it too."""
    args = ["evaluate", EXAMPLE, "--workload", WORKLOAD, "--as-of", "2025-10-09", "--policies", POLICIES,
            "--format", "jsonl", "-o", str(tmp_path / "out.jsonl")]
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    (warning,) = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert "no officers in post" in warning and "tidak ada data pejabat" in warning
    r = run(*args, "--existing", OFFICERS)
    assert r.exit_code == 0 and "no officers in post" not in r.stderr, r.stderr


def test_check_with_a_date_before_the_policy_is_a_message_not_a_bug():
    r = CliRunner().invoke(main, ["check", str(ROOT / "policies" / "pengantar_kerja"), "--as-of", "2019-01-01",
                                  "--max-examples", "1"])
    assert r.exit_code == 2, r.output
    assert "--as-of 2019-01-01 is outside policy pengantar_kerja" in r.stderr and "internal error" not in r.stderr


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_expand_on_full_output_says_it_is_not_compact_output(tmp_path, fmt):
    full = tmp_path / f"full.{fmt}"
    run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--format", fmt, "--layout", "full", "-q",
        "--policies", POLICIES, "--backend", "reference", "-o", str(full))
    r = CliRunner().invoke(main, ["expand", str(full)])
    assert r.exit_code == 2
    assert "this is full-layout output" in r.stderr and "not valid JSON" not in r.stderr


@pytest.mark.parametrize("command", [
    ["formation", str(ROOT / "examples" / "sumsel" / "workload.csv"), "--as-of", "2025-10-09",
     "--policies", str(ROOT / "policies")],
    ["evaluate", EXAMPLE, "--as-of", "2025-10-09", "--policies", str(ROOT / "policies"), "-q"],
    ["formation", str(ROOT / "examples" / "sumsel" / "workload.csv"), "--as-of", "2025-10-09",
     "--policies", str(ROOT / "policies"), "--format", "xlsx"],
    ["formation", "template", "--regions", str(ROOT / "examples" / "sumsel" / "regions.txt"),
     "--policies", str(ROOT / "policies")],
    ["diff", str(ROOT / "policies" / "pengantar_kerja"), str(ROOT / "policies" / "pengantar_kerja")]])
def test_an_output_in_a_missing_folder_is_a_message_not_a_bug(tmp_path, command):
    out = "out.xlsx" if "xlsx" in command or "template" in command else "out.txt"
    r = CliRunner().invoke(main, [*command, "-o", str(tmp_path / "nowhere" / out)])
    assert r.exit_code == 2, r.output
    assert "the folder" in r.stderr and "does not exist" in r.stderr and "internal error" not in r.stderr


def test_a_route_and_level_no_route_has_is_refused_with_the_pairs():
    r = CliRunner().invoke(main, ["evaluate", EXAMPLE, "--as-of", "2025-10-09", "--route", "kenaikan_jenjang",
                                  "--level", "ahli_pertama", "--policies", POLICIES, "--format", "table"])
    assert r.exit_code == 2, r.output
    assert "no route and level of policy pengantar_kerja matches kenaikan_jenjang/ahli_pertama" in r.stderr
    assert "kenaikan_jenjang/ahli_muda" in r.stderr and r.stdout == ""


def test_the_default_full_json_warns_of_its_size_once_a_batch_is_large(tmp_path, monkeypatch):
    from formasi_rules.cli import _evaluate
    monkeypatch.setattr(_evaluate, "SIZE_WARNING_AFTER", 20)
    args = ["evaluate", EXAMPLE, "--as-of", "2025-10-09", "--policies", POLICIES, "--backend", "reference", "-q",
            "-o", str(tmp_path / "o.json")]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0 and r.stderr.count("warning: the full layout") == 1 and "KB each" in r.stderr
    r = CliRunner().invoke(main, [*args, "--layout", "full"])  # asked for: no warning
    assert r.exit_code == 0 and "warning" not in r.stderr


@pytest.mark.parametrize("content, fmt", [("", "json"), ("", "yaml"), ("{", "json"), ("", "csv"), ("\n\r\n", "csv"),
                                          ("\ufeff", "csv"), (" \t \n", "csv"), (";;;\n;;;\n", "csv")])
def test_a_file_that_cannot_be_read_leaves_no_half_document_on_stdout(tmp_path, content, fmt):
    """An empty CSV file (no header: a failed export?) was 0 records and exit 0, where an empty JSON
    or YAML file is refused: each says the file is empty. No records is [] or a header alone."""
    path = tmp_path / f"c.{fmt}"
    path.write_text(content, encoding="utf-8")
    r = run("evaluate", str(path), "--as-of", "2025-10-09", "--policies", POLICIES)
    assert r.exit_code == 2 and r.stdout == "" and "I011" in r.stderr
    if not content.strip("\ufeff\r\n \t;"):
        assert "the file is empty" in r.stderr and "kosong" in r.stderr


@pytest.mark.parametrize("name, content", [("c.jsonl", ""), ("c.csv", "id,education\n"), ("c.json", "[]")])
def test_an_input_without_records_is_warned_about(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    r = run("evaluate", str(path), "--as-of", "2025-10-09", "--policies", POLICIES, "--format", "jsonl")
    assert r.exit_code == 0 and "holds no records" in r.stderr and "0 record(s)" in r.stderr


def test_expand_says_what_is_wrong_with_what_it_was_given(tmp_path):
    compact = tmp_path / "compact.jsonl"
    run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--format", "jsonl", "-q", "--policies", POLICIES,
        "--backend", "reference", "-o", str(compact))
    headless = tmp_path / "headless.jsonl"
    headless.write_text("".join(compact.read_text(encoding="utf-8").splitlines(keepends=True)[1:]), encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    for path, said in ((headless, "compact records without their catalogue"), (empty, "the file is empty")):
        r = CliRunner().invoke(main, ["expand", str(path)])
        assert r.exit_code == 2 and said in r.stderr, r.output
        assert "full-layout" not in r.stderr and "not valid JSON" not in r.stderr
    assert CliRunner().invoke(main, ["expand", str(compact)]).exit_code == 0



def test_expand_reads_standard_input(tmp_path):
    compact, full = tmp_path / "c.jsonl", tmp_path / "f.jsonl"
    for path, layout in ((compact, "compact"), (full, "full")):
        run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--format", "jsonl", "--layout", layout, "-q",
            "--policies", POLICIES, "--backend", "reference", "-o", str(path))
    r = CliRunner().invoke(main, ["expand", "-"], input=compact.read_text(encoding="utf-8"))
    assert r.exit_code == 0 and r.stdout == full.read_text(encoding="utf-8")


def test_expand_of_a_run_with_no_records_is_the_full_runs_empty_list(tmp_path):
    """The compact JSON of no records is one line, catalogue and results together; it was taken for
    a JSON Lines catalogue and expanded to an empty file."""
    empty = tmp_path / "empty.json"
    empty.write_text("[]\n", encoding="utf-8")
    compact, full, expanded = tmp_path / "c.json", tmp_path / "f.json", tmp_path / "x.json"
    for args in ((compact, "--layout", "compact"), (full, "--layout", "full")):
        run("evaluate", str(empty), "--as-of", "2025-10-09", "--format", "json", "-q", "--policies", POLICIES,
            "--backend", "reference", "-o", str(args[0]), *args[1:])
    r = CliRunner().invoke(main, ["expand", str(compact), "-o", str(expanded)])
    assert r.exit_code == 0, r.output
    assert expanded.read_bytes() == full.read_bytes() == b"[]\n"


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_expand_says_the_records_the_run_rejected_and_exits_as_evaluate_does(tmp_path, fmt):
    """A run's error items were passed through without a word and expand exited 0: each is now said
    again as 'formasi evaluate' said it (its place and id in the candidates' file), counted, exit 1."""
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a", "education": "S1"}\n{"id": "b", "birth_date": "30/04/85"}\nnot json\n'
                    '{"id": "d"}\n')
    compact = tmp_path / f"compact.{fmt}"
    evaluated = CliRunner().invoke(main, ["evaluate", str(path), "--as-of", "2025-10-09", "--format", fmt,
                                          "--layout", "compact", "--policies", POLICIES, "--backend", "reference",
                                          "-q", "-o", str(compact)])
    assert evaluated.exit_code == 1
    r = CliRunner().invoke(main, ["expand", str(compact)])
    assert r.exit_code == evaluated.exit_code == 1, r.output
    said = [line for line in r.stderr.splitlines() if not line.startswith(("4 record(s)", "note:"))]
    assert said == [line for line in evaluated.stderr.splitlines() if not line.startswith("4 record(s)")]
    assert "rejected $[1] (line 2) (id b):" in said and "rejected $[2] (line 3):" in said
    assert ("4 record(s): 2 expanded, 2 rejected (each an error item in the output, in its place; 2 of them "
            "rejected by the run and passed through as it wrote them) / 4 rekaman: 2 diperluas, 2 ditolak") in r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()] if fmt == "jsonl" else json.loads(r.stdout)
    assert [("error" in item) for item in out] == [False, True, True, False]


def test_expand_says_an_error_item_not_as_a_run_writes_it_without_a_traceback(tmp_path):
    compact = tmp_path / "c.jsonl"
    run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--format", "jsonl", "-q", "--policies", POLICIES,
        "--backend", "reference", "-o", str(compact))
    catalogue, first, *_ = compact.read_text(encoding="utf-8").splitlines()
    odd = tmp_path / "odd.jsonl"
    odd.write_text(f"{catalogue}\n{first}\n" + '{"error": 5}\n'
                   '{"error": {"where": 3, "candidate": ["x"], "problems": [1, {"code": "I005"}]}}\n')
    r = CliRunner().invoke(main, ["expand", str(odd)])
    assert r.exit_code == 1 and "internal error" not in r.stderr and "Traceback" not in r.output
    assert "rejected $[1] (line 3):" in r.stderr and "rejected $[2] (line 4):" in r.stderr  # its place here
    assert "3 record(s): 1 expanded, 2 rejected" in r.stderr
    assert r.stdout.splitlines()[1:] == ['{"error":5}', '{"error":{"where":3,"candidate":["x"],"problems":[1,{"code":"I005"}]}}']


@pytest.mark.parametrize("given", ["20251009", "2025-W41-4"])
def test_a_date_option_is_year_month_day_as_in_a_record(given):
    """Python reads 20251009 and week dates as dates since 3.11; a record refuses them, so does --as-of."""
    r = CliRunner().invoke(main, ["evaluate", EXAMPLE, "--as-of", given, "--policies", POLICIES, "-q"])
    assert r.exit_code == 2 and "expected a date like 2025-10-09" in r.stderr, r.output


def test_evaluate_freezes_what_lives_through_the_run_and_gives_it_back(monkeypatch):
    """The batch runs with the policy and engine out of the collector's full passes (gc.freeze),
    and gives them back when it ends: a process that runs it (a test, a service) keeps collecting them."""
    import gc
    frozen = []
    real = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: (real(), frozen.append(gc.get_freeze_count())))
    r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--format", "jsonl", "--policies", POLICIES)
    assert r.exit_code == 0, r.stderr
    assert frozen and frozen[0] > 0
    assert gc.get_freeze_count() == 0
    # stopped half way (an interrupt while the batch runs): given back all the same
    from formasi_rules import Engine

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt
        yield
    monkeypatch.setattr(Engine, "evaluate_blocks", interrupted)
    r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--format", "jsonl", "--policies", POLICIES)
    assert r.exit_code != 0 and len(frozen) == 2 and gc.get_freeze_count() == 0


@pytest.mark.parametrize("head", ["sep=;\n", "\ufeffsep=;\r\n", ""])
def test_the_progress_total_counts_records_not_the_header_or_a_sep_line(tmp_path, head):
    """Excel's first line sep=; is no record: the time-left estimate counted it as one."""
    from formasi_rules.cli._progress import count_records
    path = tmp_path / "c.csv"
    path.write_text(head + "id;rank\nA;III/a\nB;III/b\n", encoding="utf-8")
    assert count_records(str(path), None) == 2


def test_a_csv_header_in_capitals_and_spaces_is_read(tmp_path):
    """'Birth Date' or 'EMPLOYMENT STATUS' as a header (a field the policy adds too) was every record's I003."""
    path = tmp_path / "c.csv"
    path.write_text("ID,Employment Status,Birth Date,Education,Rank,Strategic-Need\n"
                    "a1,PNS,1980-01-01,S1,III/b,ya\n", encoding="utf-8")
    r = run("evaluate", str(path), "--as-of", "2025-10-09", "--format", "jsonl", "--layout", "full", "--policies",
            POLICIES, "--backend", "reference", "-q")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["derived"]["age"] == 45


def test_an_as_of_with_the_months_name_says_how_to_write_it():
    r = CliRunner().invoke(main, ["evaluate", EXAMPLE, "--as-of", "9 Oktober 2025", "--policies", POLICIES])
    assert r.exit_code == 2 and "write it as year-month-day (YYYY-MM-DD): 2025-10-09" in r.stderr
    assert "tulis sebagai tahun-bulan-tanggal (YYYY-MM-DD): 2025-10-09" in r.stderr


def test_a_places_file_with_bad_rows_is_refused_naming_each_row(tmp_path):
    """A bad row of --formation stops the run before any output (exit 2, no traceback), every bad row
    named file:line with its fix, not only the first."""
    places, out = tmp_path / "places.csv", tmp_path / "out.json"
    places.write_text("region,level,open\nKota Palembang,ahli_prtama,2\nKota Palembang,ahli_muda,x\n"
                      "Kota Lubuklinggau,ahli_muda\n", encoding="utf-8")
    r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--formation", str(places), "--policies", POLICIES,
            "-q", "-o", str(out))
    assert r.exit_code == 2 and "Traceback" not in r.output and not out.exists()
    for said in (f"{places}:2 $[0].level: F003", "did you mean 'ahli_pertama'", f"{places}:3 $[1].open: F004",
                 "write the number of open places", f"{places}:4: I013", "nothing was evaluated"):
        assert said in r.stderr


def test_a_route_and_level_written_as_staff_write_them_filter_as_the_policy_names_them():
    """--level "Ahli Madya" is ahli_madya, as a record's request.level "Ahli Madya" is: it was refused."""
    common = ["evaluate", EXAMPLE, "--as-of", "2025-10-09", "--policies", POLICIES, "--format", "jsonl", "-q"]
    coded = CliRunner().invoke(main, [*common, "--route", "perpindahan", "--level", "ahli_madya"])
    spoken = CliRunner().invoke(main, [*common, "--route", "Perpindahan", "--level", "Ahli Madya"])
    assert coded.exit_code == spoken.exit_code == 0, spoken.output
    assert spoken.stdout == coded.stdout and '"perpindahan/ahli_madya"' in coded.stdout


def test_the_delimiter_option_reads_the_places_file_too(tmp_path):
    """--delimiter was applied to --workload and --existing but not to --formation, whose separator was
    always told from its header: the option is now the places file's too."""
    places = tmp_path / "places.csv"
    places.write_text("region;level;open\nKota Palembang;ahli_pertama;1\n", encoding="utf-8")
    common = ["evaluate", EXAMPLE, "--as-of", "2025-10-09", "--policies", POLICIES, "--formation", str(places),
              "--format", "jsonl", "-q"]
    told = CliRunner().invoke(main, common)
    said = CliRunner().invoke(main, [*common, "--delimiter", ";"])
    assert told.exit_code == said.exit_code == 0 and said.stdout == told.stdout
    wrong = CliRunner().invoke(main, [*common, "--delimiter", ","])  # read as one column: every row is F001
    assert wrong.exit_code == 2 and "F001" in wrong.stderr and "separated by a comma" in wrong.stderr, wrong.output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_no_remember_asks_the_engine_for_every_candidate_and_writes_the_same(monkeypatch, tmp_path, jobs):
    """--no-remember (an audit): the engine is built not to remember, its workers too, and the
    output is what a remembering run writes."""
    import formasi_rules.cli._evaluate as command
    from formasi_rules import Engine
    made = []

    class Recorded(Engine):
        def __init__(self, *args, **kwargs):
            made.append(kwargs.get("remember", True))
            super().__init__(*args, **kwargs)
    monkeypatch.setattr(command, "Engine", Recorded)
    outs = []
    for flags in ([], ["--no-remember"]):
        out = tmp_path / f"out{len(flags)}.jsonl"
        r = run("evaluate", EXAMPLE, "--as-of", "2025-10-09", "--format", "jsonl", "--policies", POLICIES,
                "--jobs", jobs, "-o", str(out), *flags)
        assert r.exit_code == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and made == [True, False]


def test_the_installed_command_imports_the_command_line_only_when_it_runs():
    # `--jobs N` workers import the `formasi` script's module as theirs: they need the engine, not
    # click and the commands; the script (pyproject's entry point) calls run(), which imports them
    import subprocess
    import sys
    import tomllib
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["formasi"]
    module, function = entry.split(":")
    imported = subprocess.run([sys.executable, "-c", f"import sys; from {module} import {function}; "
                               "print(sorted(m for m in ('click', 'rich', 'formasi_rules.cli._main') if m in sys.modules))"],
                              capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]"
    ran = subprocess.run([sys.executable, "-c", f"from {module} import {function}; {function}()", "--version"],
                         capture_output=True, text=True)
    assert ran.returncode == 0 and "version 0." in ran.stdout
