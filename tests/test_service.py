"""The decision service, tested against a real uvicorn server on a free loopback port.

Each server runs in a thread of this process (so a test can reach into it, e.g. to make an
internal error), but every request goes over TCP with httpx, as a client's would.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from click.testing import CliRunner  # noqa: E402

from formasi_rules.cli import main  # noqa: E402
from formasi_rules.service import Limits, create_app  # noqa: E402

from conftest import POLICY_DIR, ROOT  # noqa: E402

EXAMPLES = ROOT / "examples" / "sumsel"
AS_OF = "2025-10-09"
CANDIDATES = json.loads((EXAMPLES / "candidates.json").read_text(encoding="utf-8"))
TOKEN = "s3cret-token-for-tests-0123456789"
LIMITS = Limits(max_body=64 << 10, max_records=40, spool_memory=256 << 10)


class Server:
    """uvicorn serving ``app`` on 127.0.0.1 at a port the system chose."""

    def __init__(self, app):
        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the server did not start"
            time.sleep(0.02)
        self.client = httpx.Client(base_url=self.url, timeout=60)

    @property
    def registry(self):
        return self.app.state.registry

    def stop(self):
        self.client.close()
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()


def _policies(tmp: Path) -> Path:
    root = tmp / "policies"
    for folder in POLICY_DIR.parent.iterdir():  # the policy and the base it extends
        if folder.is_dir() and folder.name in (POLICY_DIR.name, "jf_umum"):
            shutil.copytree(folder, root / folder.name, ignore=shutil.ignore_patterns("tests"))
    return root


@pytest.fixture(scope="module")
def policies_dir(tmp_path_factory):
    return _policies(tmp_path_factory.mktemp("served"))


@pytest.fixture(scope="module")
def served(policies_dir):
    formations = policies_dir.parent / "formations"
    formations.mkdir()
    shutil.copy(EXAMPLES / "formation.csv", formations / "sumsel.csv")
    server = Server(create_app(str(policies_dir), limits=LIMITS, formations_dir=str(formations)))
    yield server
    server.stop()


def _cli(*args: str, tmp_path: Path, policies: Path) -> bytes:
    out = tmp_path / "cli.out"
    result = CliRunner().invoke(main, [*args, "--policies", str(policies), "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    return out.read_bytes()


def _places() -> list[dict]:
    with open(EXAMPLES / "formation.csv", encoding="utf-8") as f:
        return [{"region": r["region"], "level": r["level"], "open": int(r["open"])} for r in csv.DictReader(f)]


def _header_version(response) -> str:
    name_version, digest = response.headers["formasi-policy"].split(" ")
    return name_version.split("@", 1)[1], digest


# --- the same bytes as the command line ---------------------------------------------------------

@pytest.mark.parametrize("layout", ["full", "compact"])
def test_evaluate_list_is_byte_for_byte_the_cli_json(served, policies_dir, tmp_path, layout):
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}&layout={layout}", json=CANDIDATES)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    cli = _cli("evaluate", str(EXAMPLES / "candidates.json"), "--as-of", AS_OF, "--layout", layout, "-q",
               tmp_path=tmp_path, policies=policies_dir)
    assert r.content == cli
    version, digest = _header_version(r)
    assert json.loads(r.content)[0]["policy"]["digest"] == digest if layout == "full" else True
    assert r.headers["formasi-rejected"] == "0"


def test_one_candidate_and_filters_match_the_cli(served, policies_dir, tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(CANDIDATES[0]), encoding="utf-8")
    route, level = CANDIDATES[0]["request"]["route"], CANDIDATES[0]["request"]["level"]
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}&route={route}&level={level}", json=CANDIDATES[0])
    assert r.status_code == 200
    assert r.content == _cli("evaluate", str(one), "--as-of", AS_OF, "--route", route, "--level", level, "-q",
                             tmp_path=tmp_path, policies=policies_dir)
    [result] = json.loads(r.content)
    assert [(d["route"], d["level"]) for d in result["decisions"]] == [(route, level)]
    # written as staff write them ("Ahli Pertama"), as a record's request is read: the same answer
    spoken = served.client.post(f"/v1/evaluate?as_of={AS_OF}&route={route.upper()}&level="
                                f"{level.replace('_', ' ').title()}", json=CANDIDATES[0])
    assert spoken.status_code == 200 and spoken.content == r.content


def test_allocate_and_inline_places_match_the_cli(served, policies_dir, tmp_path):
    body = {"candidates": CANDIDATES, "formation": _places()}
    r = served.client.post(f"/v1/allocate?as_of={AS_OF}", json=body)
    assert r.status_code == 200
    cli = _cli("evaluate", str(EXAMPLES / "candidates.json"), "--as-of", AS_OF, "--formation",
               str(EXAMPLES / "formation.csv"), "--allocate", "-q", tmp_path=tmp_path, policies=policies_dir)
    assert r.content == cli
    assert any(d.get("allocation") for res in json.loads(r.content) for d in res["decisions"])
    # places inline without allocation: as --formation, and the mapping form is the same as rows
    mapping = {}
    for row in _places():
        mapping.setdefault(row["region"], {})[row["level"]] = row["open"]
    a = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json={"candidates": CANDIDATES, "formation": _places()})
    b = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json={"candidates": CANDIDATES, "formation": mapping})
    assert a.content == b.content == _cli("evaluate", str(EXAMPLES / "candidates.json"), "--as-of", AS_OF,
                                          "--formation", str(EXAMPLES / "formation.csv"), "-q",
                                          tmp_path=tmp_path, policies=policies_dir)
    r = served.client.post(f"/v1/allocate?as_of={AS_OF}", json=CANDIDATES)
    assert r.status_code == 422 and r.json()["problems"][0]["path"] == "$.formation"
    # by the name of a formation the service holds: the same as inline
    named = served.client.post(f"/v1/allocate?as_of={AS_OF}&formation=sumsel", json=CANDIDATES)
    assert named.status_code == 200 and named.content == cli
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}&formation=sumsel", json=body)
    assert r.status_code == 422 and "not both" in r.json()["title"]
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}&formation=atlantis", json=CANDIDATES)
    assert r.status_code == 422 and "sumsel" in r.json()["title"]
    assert served.client.get("/v1/policies").json()["formations"] == ["sumsel"]
    # rows of places as a formation file's: a region and level twice, a region that is no name, a region
    # given a number: each the request's error at its place, never the last row's count or a crash
    row = {"region": "Kota Palembang", "level": "ahli_pertama", "open": 2}
    for places, path in (([row, {**row, "open": 0}], "$.formation[1]"),
                         ([{**row, "region": ["Kota Palembang"]}], "$.formation[0].region"),
                         ([{**row, "level": {"a": 1}}], "$.formation[0].level"),
                         ([row, {**row, "region": "Kota X", "level": "Ahli Pertma"}], "$.formation[1].level"),
                         ([row, {**row, "region": "Kota X", "open": -1}], "$.formation[1].open")):
        r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json={"candidates": CANDIDATES[:1], "formation": places})
        assert r.status_code == 422 and r.json()["problems"][0]["path"] == path, r.text
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json={"candidates": CANDIDATES[:1],
                                                                "formation": {"Kota Palembang": 2}})
    assert r.status_code == 422 and "F006" in r.text, r.text


def test_formation_json_csv_html(served):
    with open(EXAMPLES / "workload.csv", encoding="utf-8") as f:
        workload = list(csv.DictReader(f))
    with open(EXAMPLES / "officers.csv", encoding="utf-8") as f:
        existing = list(csv.DictReader(f))
    r = served.client.post(f"/v1/formation?as_of={AS_OF}", json={"workload": workload, "existing": existing})
    assert r.status_code == 200
    data = r.json()
    assert data["policy"]["digest"] == _header_version(r)[1] and data["rows"]
    r = served.client.post(f"/v1/formation?as_of={AS_OF}&format=csv", json={"workload": workload})
    assert r.status_code == 200 and r.text.startswith("region,level,")
    assert r.headers["formasi-problems"] == "0" and int(r.headers["formasi-warnings"]) >= 0
    r = served.client.post(f"/v1/formation?as_of={AS_OF}&format=csv",
                           json={"workload": [dict(workload[0], volume="many"), *workload[1:]]})
    assert r.status_code == 207 and r.headers["formasi-problems"] == "1"  # the table cannot list it: counted
    r = served.client.post(f"/v1/formation?as_of={AS_OF}&format=html", json={"workload": workload})
    assert r.status_code == 200 and "<html" in r.text.lower()
    bad = [dict(workload[0], volume="many"), *workload[1:]]
    r = served.client.post(f"/v1/formation?as_of={AS_OF}", json={"workload": bad})
    assert r.status_code == 207 and r.headers["formasi-rejected"] == "1"
    assert r.json()["rows"]  # the rest is computed
    assert [p["path"] for p in r.json()["problems"]] == ["$.workload[0].volume"]  # which list, which row
    officers = [dict(existing[0], count="two"), *existing[1:]]
    r = served.client.post(f"/v1/formation?as_of={AS_OF}", json={"workload": bad, "existing": officers})
    paths = [p["path"] for p in r.json()["problems"]]
    assert "$.workload[0].volume" in paths and any(p.startswith("$.existing[0]") for p in paths), paths
    r = served.client.post(f"/v1/formation?as_of={AS_OF}", json={"workload": None, "existing": []})
    assert r.status_code == 422 and r.json()["problems"][0]["path"] == "$.workload"  # not "query.as_of"


# --- streaming ------------------------------------------------------------------------------------

def _lines(n: int, bad_at: int | None = None) -> list[bytes]:
    out = []
    for i in range(n):
        if i == bad_at:
            out.append(b"{not json\n")
            continue
        record = dict(CANDIDATES[i % len(CANDIDATES)], id=f"S{i:05d}")
        out.append(json.dumps(record).encode() + b"\n")
    return out


def test_stream_of_10000_records_in_order_as_the_cli(served, policies_dir, tmp_path):
    lines = _lines(10_000, bad_at=7_777)

    def body():
        for start in range(0, len(lines), 250):
            yield b"".join(lines[start:start + 250])

    got = []
    with served.client.stream("POST", f"/v1/evaluate?as_of={AS_OF}", content=body(),
                              headers={"content-type": "application/x-ndjson"}) as r:
        assert r.status_code == 200 and r.headers["content-type"] == "application/x-ndjson"
        for line in r.iter_lines():
            got.append(line)
    catalogue = json.loads(got[0])
    assert "catalogue" in catalogue and catalogue["catalogue"]["policy"]["digest"] == _header_version(r)[1]
    records = [json.loads(line) for line in got[1:]]
    assert len(records) == 10_000
    assert records[7_777]["error"]["where"] == "$[7777] (line 7778)"
    assert [rec.get("candidate") for rec in records[:3]] == ["S00000", "S00001", "S00002"]
    assert all(rec["candidate"] == f"S{i:05d}" for i, rec in enumerate(records) if i != 7_777)
    # byte for byte what `formasi evaluate --format jsonl` writes, on a part without the bad line
    part = tmp_path / "part.jsonl"
    part.write_bytes(b"".join(lines[:300]))
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}&layout=full", content=part.read_bytes(),
                           headers={"content-type": "application/x-ndjson"})
    assert r.content == _cli("evaluate", str(part), "--as-of", AS_OF, "--format", "jsonl", "--layout", "full",
                             "-q", tmp_path=tmp_path, policies=policies_dir)


def test_stream_limits(tmp_path):
    limits = Limits(max_body=8 << 10, max_stream_records=300)
    server = Server(create_app(str(_policies(tmp_path)), limits=limits))
    headers = {"content-type": "application/x-ndjson"}
    try:
        long_line = b'{"id": "' + b"x" * (limits.max_body + 10) + b'"}\n'
        r = server.client.post(f"/v1/evaluate?as_of={AS_OF}", content=long_line, headers=headers)
        assert r.status_code == 413 and r.json()["limit"] == limits.max_body
        # past the record limit once answers have begun: the records within it are answered,
        # then a last line says why the stream ends
        r = server.client.post(f"/v1/evaluate?as_of={AS_OF}", content=b"".join(_lines(800)), headers=headers)
        assert r.status_code == 200
        answered = r.content.splitlines()
        last = json.loads(answered[-1])
        assert last["error"]["problems"][0]["code"] == "S414"
        assert last["error"]["where"] == f"$[{limits.max_stream_records}]"
        assert str(limits.max_stream_records) in last["error"]["problems"][0]["en"]
        assert len(answered) == 1 + limits.max_stream_records + 1  # catalogue, every record within, the error
        assert json.loads(answered[-2])["candidate"] == f"S{limits.max_stream_records - 1:05d}"
        # a line over the limit after answers have begun ends the stream the same way
        def late():
            yield b"".join(_lines(5))
            time.sleep(0.3)  # so the long line comes in a later chunk, after the answer began
            yield long_line

        r = server.client.post(f"/v1/evaluate?as_of={AS_OF}", content=late(), headers=headers)
        answered = r.content.splitlines()
        assert r.status_code == 200 and len(answered) == 1 + 5 + 1
        assert json.loads(answered[-1])["error"]["where"].startswith("$[5]")
        r = server.client.post(f"/v1/evaluate?as_of={AS_OF}", content=b"", headers=headers)
        assert r.status_code == 200 and len(r.content.splitlines()) == 1  # the catalogue alone
        # the long line in the same chunk as good lines, or cut over chunks: every line before it
        # is answered, and the error names the long line's own place
        for chunks in ([b"".join(_lines(3)) + long_line], [b"".join(_lines(3)) + long_line[:100], long_line[100:]]):
            r = server.client.post(f"/v1/evaluate?as_of={AS_OF}", content=iter(chunks), headers=headers)
            answered = r.content.splitlines()
            assert r.status_code == 200 and len(answered) == 1 + 3 + 1, r.content[:300]
            assert json.loads(answered[-1])["error"]["where"] == "$[3] (line 4)"
    finally:
        server.stop()


def test_a_stream_past_its_record_limit_in_the_first_chunk_answers_those_within(tmp_path):
    limits = Limits(max_stream_records=3)
    server = Server(create_app(str(_policies(tmp_path)), limits=limits))
    try:
        r = server.client.post(f"/v1/evaluate?as_of={AS_OF}", content=b"".join(_lines(5)),
                               headers={"content-type": "application/x-ndjson"})
        answered = r.content.splitlines()
        assert r.status_code == 200 and len(answered) == 1 + 3 + 1, r.content[:300]
        last = json.loads(answered[-1])["error"]
        assert last["where"] == "$[3]" and last["problems"][0]["code"] == "S414"
    finally:
        server.stop()


# --- errors ---------------------------------------------------------------------------------------

def test_not_json_is_400_with_place(served):
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", content=b'{"id": ', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "S400" and body["problems"][0]["code"] == "I011" and body["problems"][0]["column"]
    assert body["title_id"] and body["request_id"] == r.headers["x-request-id"]


JSON = {"content-type": "application/json"}


def test_a_key_given_twice_is_the_records_error_as_on_the_command_line(served):
    """orjson keeps the last of a key given twice; the service, as the CLI, says so instead."""
    twice = b'{"id": "A", "education": "S1", "education": "S3"}'
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", content=twice, headers=JSON)
    assert r.status_code == 422
    (problem,) = r.json()["problems"]
    assert problem["code"] == "I015" and problem["path"] == "$.education"
    # in a list: that record is rejected, the others answered
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", content=b"[" + twice + b', {"id": "B"}]', headers=JSON)
    assert r.status_code == 207 and r.headers["formasi-rejected"] == "1"
    first, second = r.json()
    assert first["error"]["problems"][0]["code"] == "I015" and first["error"]["problems"][0]["path"] == "$[0].education"
    assert second["candidate"] == "B"
    # in a stream: that line's error record, as `formasi evaluate` writes for a JSON Lines file
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}&layout=full", content=twice + b'\n{"id": "B"}\n',
                           headers={"content-type": "application/x-ndjson"})
    first, second = [json.loads(line) for line in r.content.splitlines()]
    assert first["error"]["problems"][0]["code"] == "I015" and second["candidate"] == "B"
    # in the envelope, or a formation request: the request's error
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", content=b'{"candidates": [], "candidates": []}', headers=JSON)
    assert r.status_code == 422 and r.json()["problems"][0]["path"] == "$.candidates"
    r = served.client.post(f"/v1/formation?as_of={AS_OF}", headers=JSON, content=b'{"workload": [{"region": "X", '
                           b'"region": "Y", "activity": "penempatan", "level": "ahli_pertama", "volume": 1}]}')
    assert r.status_code == 422 and r.json()["problems"][0]["path"] == "$.workload[0].region"


def test_a_byte_order_mark_is_read_as_the_command_line_reads_it(served):
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", content=b"\xef\xbb\xbf" + json.dumps(CANDIDATES[0]).encode(),
                           headers=JSON)
    assert r.status_code == 200 and r.json()[0]["candidate"] == CANDIDATES[0]["id"]
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", content=b"\xff{}", headers=JSON)
    assert r.status_code == 400 and "UTF-8" in r.json()["problems"][0]["en"]
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}&layout=full", headers={"content-type": "application/x-ndjson"},
                           content=b"\xef\xbb\xbf" + json.dumps(CANDIDATES[0]).encode() + b"\n\xff\n")
    first, second = [json.loads(line) for line in r.content.splitlines()]
    assert first["candidate"] == CANDIDATES[0]["id"]
    assert second["error"]["problems"][0]["code"] == "I012" and "line" in second["error"]["problems"][0]["en"]


def test_a_query_parameter_given_twice_is_refused(served):
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}&as_of=2020-01-01", json=CANDIDATES[0])
    assert r.status_code == 422
    problem = r.json()["problems"][0]
    assert problem["path"] == "query.as_of" and "more than once" in problem["en"] and problem["id"]


def test_an_unknown_query_parameter_is_refused_on_reads_too(served):
    """A misspelt parameter (polcy=) would otherwise give the answer without it, unnoticed."""
    for url in ("/v1/schemas/result?polcy=pengantar_kerja", "/v1/policies?x=1", "/openapi.json?v=2",
                f"/v1/policies/pengantar_kerja?asof={AS_OF}"):
        r = served.client.get(url)
        assert r.status_code == 422 and r.json()["problems"][0]["path"].startswith("query."), (url, r.text)
    assert served.client.get("/v1/schemas/result?policy=pengantar_kerja").status_code == 200


def test_a_body_said_to_be_in_another_charset_is_refused(served):
    body = json.dumps(CANDIDATES[0]).encode()
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", content=body,
                           headers={"content-type": "application/json; charset=latin-1"})
    assert r.status_code == 415 and "UTF-8" in r.json()["title"]
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", content=body,
                           headers={"content-type": "application/json; charset=UTF-8"})
    assert r.status_code == 200


def test_a_compressed_body_is_refused_naming_its_encoding(served):
    """A gzip body was answered 'the body is not UTF-8 (byte 2)'."""
    import gzip
    body = gzip.compress(json.dumps(CANDIDATES[0]).encode())
    for path, kind in ((f"/v1/evaluate?as_of={AS_OF}", "application/json"),
                       (f"/v1/evaluate?as_of={AS_OF}", "application/x-ndjson"),
                       (f"/v1/formation?as_of={AS_OF}", "application/json")):
        r = served.client.post(path, content=body, headers={"content-type": kind, "content-encoding": "gzip"})
        assert r.status_code == 415 and "Content-Encoding gzip" in r.json()["title"], (path, kind, r.text)


def test_bad_single_record_is_422_naming_the_path(served):
    bad = dict(CANDIDATES[0], birth_date="30/04/85")
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json=bad)
    assert r.status_code == 422
    problem = r.json()["problems"][0]
    assert problem["path"] == "$.birth_date" and problem["code"] == "I005"
    assert "1985-04-30" in problem["en"] and problem["id"] != problem["en"]
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json=dict(CANDIDATES[0], nickname="x"))
    assert r.status_code == 422 and r.json()["problems"][0]["path"] == "$.nickname"


def test_bad_record_in_a_list_is_an_item_in_its_place(served):
    records = [CANDIDATES[0], CANDIDATES[1], CANDIDATES[2], dict(CANDIDATES[3], birth_date="30/04/85"), CANDIDATES[4]]
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json=records)
    assert r.status_code == 207 and r.headers["formasi-rejected"] == "1"
    items = r.json()
    assert [i.get("candidate") for i in items[:3]] == [c["id"] for c in CANDIDATES[:3]]
    assert items[3]["error"]["problems"][0]["path"] == "$[3].birth_date"
    assert items[4]["candidate"] == CANDIDATES[4]["id"] and items[4]["decisions"]


def test_body_and_record_limits_are_413_naming_the_limit(served):
    big = json.dumps([CANDIDATES[0]] * 200).encode()
    assert len(big) > LIMITS.max_body
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "S413" and r.json()["limit"] == LIMITS.max_body
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json=[CANDIDATES[0]] * (LIMITS.max_records + 1))
    assert r.status_code == 413 and r.json()["code"] == "S414" and r.json()["limit"] == LIMITS.max_records
    assert str(LIMITS.max_records) in r.json()["title"]


def test_oversized_body_is_refused_before_it_is_read_whole(served):
    """Chunked, no length declared, and never finished: the 413 comes while it is still arriving."""
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(f"POST /v1/evaluate?as_of={AS_OF} HTTP/1.1\r\nHost: {host}\r\n"
                  "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"[" + b" " * (16 << 10)
        for _ in range(5):  # 80 KiB, over the 64 KiB limit, and the body not closed
            s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            chunk = b" " * (16 << 10)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413")


def test_bad_options_media_and_routes(served):
    c = served.client
    assert c.post("/v1/evaluate", json=CANDIDATES[0]).json()["problems"][0]["path"] == "query.as_of"
    r = c.post("/v1/evaluate?as_of=09/10/2025", json=CANDIDATES[0])
    assert r.status_code == 422 and "2025-10-09" in r.json()["title"]
    r = c.post("/v1/evaluate?as_of=1990-01-01", json=CANDIDATES[0])
    assert r.status_code == 422 and r.json()["problems"][0]["path"] == "query.as_of"
    r = c.post(f"/v1/evaluate?as_of={AS_OF}&route=nowhere", json=CANDIDATES[0])
    assert r.status_code == 422 and CANDIDATES[0]["request"]["route"] in r.json()["title"]
    r = c.post(f"/v1/evaluate?as_of={AS_OF}&layout=tiny", json=CANDIDATES[0])
    assert r.status_code == 422
    r = c.post(f"/v1/evaluate?as_of={AS_OF}&policy=other", json=CANDIDATES[0])
    assert r.status_code == 404
    r = c.post(f"/v1/evaluate?as_of={AS_OF}", content=b"a=1", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["code"] == "S415"
    assert c.get("/v1/evaluate").status_code == 405
    assert c.get("/v1/nothing").json()["code"] == "S404"
    r = c.post(f"/v1/evaluate?as_of={AS_OF}", json=[1, "x"])
    assert r.status_code == 207 and r.json()[0]["error"]["where"] == "$[0]"


def test_internal_error_is_a_problem_with_request_id_and_no_traceback(served, monkeypatch, caplog):
    engine = served.registry.slots[POLICY_DIR.name].engine

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail at /srv/private/path")

    monkeypatch.setattr(engine, "evaluate_many", broken)
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES[0], headers={"x-request-id": "req-42"})
    assert r.status_code == 500 and r.json()["code"] == "S500"
    assert r.headers["x-request-id"] == "req-42" == r.json()["request_id"]
    assert "secret" not in r.text and "Traceback" not in r.text
    assert any("req-42" in rec.getMessage() for rec in caplog.records)


# --- the other endpoints --------------------------------------------------------------------------

def test_policies_schemas_openapi_docs_probes(served):
    c = served.client
    [info] = c.get("/v1/policies").json()["policies"]
    service = info["in_service"]
    assert service["version"] == "2025.10" and service["digest"].startswith("sha256:")
    assert service["periods"] and info["refused"] is None
    one = c.get(f"/v1/policies/{POLICY_DIR.name}?as_of={AS_OF}").json()
    assert one["catalogue"]["catalogue"]["checks"] and one["in_service"]["digest"] == service["digest"]
    assert c.get("/v1/policies/none").status_code == 404

    printed = CliRunner().invoke(main, ["schema", "candidate"]).output
    assert c.get("/v1/schemas/candidate").json() == json.loads(printed)
    assert c.get("/v1/schemas/nope").status_code == 404

    doc = c.get("/openapi.json").json()
    assert doc["openapi"] == "3.1.0" and doc["components"]["schemas"]["candidate"] == json.loads(printed)
    assert {"/v1/evaluate", "/v1/formation", "/v1/allocate", "/v1/policies/{name}", "/metrics"} <= set(doc["paths"])
    params = {p["name"]: p for p in doc["paths"]["/v1/evaluate"]["post"]["parameters"]}
    assert CANDIDATES[0]["request"]["route"] in params["route"]["schema"]["enum"]  # from the policy

    page = c.get("/docs")
    assert page.status_code == 200 and "openapi.json" in page.text
    assert "<script src" not in page.text and "https://" not in page.text.replace("https://json-schema", "")

    assert c.get("/healthz").json() == {"status": "ok"}
    ready = c.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    assert ready.headers["formasi-policy"].startswith(f"{POLICY_DIR.name}@2025.10 sha256:")

    r = c.post(f"/v1/evaluate?as_of={AS_OF}", json=[CANDIDATES[0], {"id": "x", "birth_date": "30/04/85"}])
    assert r.status_code == 207
    metrics = c.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert 'formasi_requests_total{method="POST",route="/v1/evaluate",status="207"}' in text
    assert 'formasi_request_duration_seconds_bucket{route="/v1/evaluate",le="+Inf"}' in text
    evaluated = int(next(line.split()[-1] for line in text.splitlines()
                         if line.startswith("formasi_records_evaluated_total")))
    rejected = int(next(line.split()[-1] for line in text.splitlines()
                        if line.startswith("formasi_records_rejected_total")))
    assert evaluated >= 1 and rejected >= 1
    assert f'formasi_policy_info{{policy="{POLICY_DIR.name}",version="2025.10"' in text


def test_request_id_is_echoed_when_plain_and_replaced_when_not(served):
    assert served.client.get("/healthz", headers={"x-request-id": "abc-123"}).headers["x-request-id"] == "abc-123"
    other = served.client.get("/healthz", headers={"x-request-id": "bad id\twith spaces"}).headers["x-request-id"]
    assert other != "bad id\twith spaces" and len(other) == 32


def test_bearer_token(tmp_path):
    server = Server(create_app(str(_policies(tmp_path)), token=TOKEN))
    try:
        c = server.client
        r = c.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES[0])
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["code"] == "S401"
        wrong = {"authorization": "Bearer " + TOKEN[:-1] + "x"}
        assert c.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES[0], headers=wrong).status_code == 401
        assert c.get("/metrics", headers={"authorization": "Basic " + TOKEN}).status_code == 401
        right = {"authorization": "Bearer " + TOKEN}
        assert c.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES[0], headers=right).status_code == 200
        assert c.get("/healthz").status_code == 200 and c.get("/readyz").status_code == 200  # probes stay open
        assert c.get("/openapi.json").status_code == 200 and c.get("/docs").status_code == 200
        assert c.get("/v1/policies").status_code == 401
    finally:
        server.stop()


# --- hot reload ------------------------------------------------------------------------------------

def _set_version(policy_yaml: Path, version: str, scratch: Path) -> None:
    """Rewrite the version atomically, so the watcher never reads half a file."""
    text = policy_yaml.read_text(encoding="utf-8")
    start = text.index('version: "') + len('version: "')
    text = text[:start] + version + text[text.index('"', start):]
    tmp = scratch / "policy.yaml.new"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, policy_yaml)


def _wait(predicate, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def watched(tmp_path):
    root = _policies(tmp_path)
    server = Server(create_app(str(root), watch=True, watch_debounce_ms=50))
    yield server, root / POLICY_DIR.name
    server.stop()


def test_reload_while_requests_are_in_flight(watched, tmp_path):
    server, folder = watched
    stop = threading.Event()
    seen, failures = [], []

    def client():
        with httpx.Client(base_url=server.url, timeout=30) as c:
            while not stop.is_set():
                r = c.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES[:6])
                version, digest = _header_version(r)
                body = r.json()
                if r.status_code != 200 or any(item["policy"] != {"name": POLICY_DIR.name, "version": version,
                                                                   "digest": digest} for item in body):
                    failures.append((r.status_code, version, [item.get("policy") for item in body]))
                seen.append(version)
                s = c.post(f"/v1/evaluate?as_of={AS_OF}", content=b"".join(_lines(40)),
                           headers={"content-type": "application/x-ndjson"})
                version, digest = _header_version(s)
                lines = [json.loads(line) for line in s.content.splitlines()]
                if lines[0]["catalogue"]["policy"]["digest"] != digest or len(lines) != 41:
                    failures.append(("stream", version))
                seen.append(version)

    threads = [threading.Thread(target=client) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for n in range(1, 4):
            time.sleep(0.4)
            _set_version(folder / "policy.yaml", f"2025.10-r{n}", tmp_path)
            _wait(lambda n=n: server.registry.slots[folder.name].engine.policy.version == f"2025.10-r{n}")
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not failures
    assert set(seen) <= {"2025.10", "2025.10-r1", "2025.10-r2", "2025.10-r3"}
    assert len(set(seen)) >= 3, set(seen)  # the reloads happened during the requests
    assert server.client.get("/v1/policies").json()["policies"][0]["in_service"]["version"] == "2025.10-r3"


def test_a_refused_reload_keeps_the_old_version_and_says_why(watched, tmp_path):
    server, folder = watched
    before = server.client.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES[0])
    rule_file = next((folder / "rules").glob("*.yaml"))
    good = rule_file.read_text(encoding="utf-8")
    rule_file.write_text(good + "\nthis is: [not valid yaml\n", encoding="utf-8")
    _wait(lambda: server.registry.slots[folder.name].refused is not None)
    ready = server.client.get("/readyz")
    assert ready.status_code == 200  # the old version serves
    refused = ready.json()["policies"][folder.name]["refused"]
    assert refused["problems"] and rule_file.name in json.dumps(refused["problems"])
    listed = server.client.get("/v1/policies").json()["policies"][0]
    assert listed["refused"] == refused and listed["in_service"]["version"] == "2025.10"
    after = server.client.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES[0])
    assert after.status_code == 200 and after.content == before.content
    assert after.headers["formasi-policy"] == before.headers["formasi-policy"]
    assert 'result="refused"' in server.client.get("/metrics").text
    rule_file.write_text(good, encoding="utf-8")  # fixed: accepted again, the refusal cleared
    _wait(lambda: server.registry.slots[folder.name].refused is None)


def test_a_policy_that_never_loaded_is_not_ready(tmp_path):
    root = _policies(tmp_path)
    (root / POLICY_DIR.name / "policy.yaml").write_text("policy: [broken\n", encoding="utf-8")
    server = Server(create_app(str(root)))
    try:
        r = server.client.get("/readyz")
        assert r.status_code == 503 and r.json()["policies"][POLICY_DIR.name]["refused"]["problems"]
        r = server.client.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES[0])
        assert r.status_code == 503 and r.json()["code"] == "S503"
    finally:
        server.stop()


def test_time_limit_and_cors(tmp_path):
    root = _policies(tmp_path)
    server = Server(create_app(str(root), limits=Limits(timeout=0.001), cors_origins=["https://hr.example"]))
    try:
        r = server.client.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES)
        assert r.status_code == 503 and r.json()["code"] == "S504" and r.json()["limit"] == 0.001
        preflight = server.client.options("/v1/evaluate", headers={
            "origin": "https://hr.example", "access-control-request-method": "POST",
            "access-control-request-headers": "content-type"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://hr.example"
        other = server.client.get("/healthz", headers={"origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers
    finally:
        server.stop()


def test_no_cors_unless_configured(served):
    r = served.client.get("/healthz", headers={"origin": "https://hr.example"})
    assert not any(k.startswith("access-control-") for k in r.headers)


def test_exported_members():
    import formasi_rules.service as service

    assert sorted(service.__all__) == ["Limits", "ServiceError", "create_app"]


def test_stream_with_named_places_matches_the_cli(served, policies_dir, tmp_path):
    part = tmp_path / "part.jsonl"
    part.write_bytes(b"".join(_lines(60)))
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}&formation=sumsel", content=part.read_bytes(),
                           headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 200
    assert r.content == _cli("evaluate", str(part), "--as-of", AS_OF, "--format", "jsonl", "--formation",
                             str(EXAMPLES / "formation.csv"), "-q", tmp_path=tmp_path, policies=policies_dir)


def test_openapi_schemas_and_examples_are_valid(served):
    jsonschema = pytest.importorskip("jsonschema")
    doc = served.client.get("/openapi.json").json()
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
    candidate = jsonschema.Draft202012Validator(doc["components"]["schemas"]["candidate"])
    examples = doc["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    candidate.validate(examples["one"]["value"])
    r = served.client.post(f"/v1/evaluate?as_of={AS_OF}", json=examples["one"]["value"])
    assert r.status_code == 200  # the documented example is one the service takes


def test_serve_command_and_worker_factory(tmp_path, monkeypatch):
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--policies", "--host", "--port", "--workers", "--watch", "--token-file", "--max-body",
                   "--max-records", "--formations", "--timeout", "--cors-origin"):
        assert option in result.output
    assert "127.0.0.1" in result.output
    token = tmp_path / "token"
    token.write_text("short\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--token-file", str(token)])
    assert result.exit_code == 2 and "16 characters" in result.output
    # what each --workers process builds, from the settings the parent leaves in the environment
    from formasi_rules.service import _serve

    token.write_text(TOKEN + "\n", encoding="utf-8")
    monkeypatch.setenv("FORMASI_SERVE", json.dumps({
        "policies_dir": str(_policies(tmp_path)), "backend": None, "token_file": str(token), "watch": False,
        "log_level": "warning", "cors_origins": None, "formations_dir": None,
        "limits": {"max_body": 1000, "max_records": 3, "max_stream_records": None, "spool_memory": 1 << 20,
                   "timeout": 5.0}}))
    app = _serve.app_from_env()
    try:
        assert app.state.service.token == TOKEN and app.state.service.limits.max_records == 3
    finally:
        app.state.registry.close()


def test_several_policies_are_named_by_folder(tmp_path):
    root = tmp_path / "policies"
    for name in ("first", "second"):
        shutil.copytree(POLICY_DIR, root / name, ignore=shutil.ignore_patterns("tests"))
    shutil.copytree(POLICY_DIR.parent / "jf_umum", root / "jf_umum")  # the base both extend: not served itself
    server = Server(create_app(str(root)))
    try:
        r = server.client.post(f"/v1/evaluate?as_of={AS_OF}", json=CANDIDATES[0])
        assert r.status_code == 422 and r.json()["problems"][0]["path"] == "query.policy"
        assert "first, second" in r.json()["title"]
        r = server.client.post(f"/v1/evaluate?as_of={AS_OF}&policy=second", json=CANDIDATES[0])
        assert r.status_code == 200
        assert [p["name"] for p in server.client.get("/v1/policies").json()["policies"]] == ["first", "second"]
        assert server.client.get("/healthz").headers["formasi-policy"].count("sha256:") == 2
    finally:
        server.stop()


def test_a_client_that_goes_away_mid_stream_stops_the_work(served):
    def streams():
        return [t for t in threading.enumerate() if t.name == "formasi-stream"]

    host, port = served.url.removeprefix("http://").split(":")
    lines = b"".join(_lines(400))
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(f"POST /v1/evaluate?as_of={AS_OF} HTTP/1.1\r\nHost: {host}\r\n"
                  "Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        s.sendall(f"{len(lines):x}\r\n".encode() + lines + b"\r\n")  # and the body never ends
        assert s.recv(65536).startswith(b"HTTP/1.1 200")
        assert streams()
    _wait(lambda: not streams(), 10)  # the evaluating thread ended with the connection
    assert served.client.get("/healthz").status_code == 200


def test_the_candidate_schema_is_the_served_policys(served):
    """GET /v1/schemas/candidate?policy=NAME gives the records the policy reads: its vocabularies' values
    (and the aliases real exports use) and the fields it adds."""
    body = served.client.get(f"/v1/schemas/candidate?policy={POLICY_DIR.name}").json()
    assert "Baik" in body["properties"]["performance"]["oneOf"][0]["items"]["properties"]["rating"]["enum"]
    assert "strategic_need" in body["properties"]
    result = served.client.get(f"/v1/schemas/result?policy={POLICY_DIR.name}").json()  # its routes and levels
    decision = result["items"]["oneOf"][0]["properties"]["decisions"]["items"]["properties"]
    assert decision["route"]["enum"] and "enum" not in served.client.get("/v1/schemas/result").json()[
        "items"]["oneOf"][0]["properties"]["decisions"]["items"]["properties"]["route"]
    (info,) = served.client.get("/v1/policies").json()["policies"]
    assert info["in_service"]["layers"] == ["jf_umum", POLICY_DIR.name]  # the chain it was built from


def test_a_route_with_a_trailing_slash_is_a_404_naming_the_route(served):
    """POST /v1/evaluate/ answered 307 with an empty body and an http:// Location, which a client
    following it may not send its body to."""
    c = served.client
    for method, path in (("post", f"/v1/evaluate/?as_of={AS_OF}"), ("get", "/v1/policies/"),
                         ("get", f"/v1/policies/{POLICY_DIR.name}/"), ("get", "/healthz//")):
        r = getattr(c, method)(path, **({"json": CANDIDATES[0]} if method == "post" else {}))
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
        body = r.json()
        assert body["code"] == "S404" and "location" not in r.headers
        meant = path.split("?")[0].rstrip("/")
        assert f"the route is {meant}, without the final slash" in body["detail"] and "/ " not in body["detail"]
        (problem,) = body["problems"]
        assert "garis miring" in problem["id"] and f"the route is {meant}" in problem["en"]
    assert "detail" not in c.get("/v1/nothing/").json()  # no route to name


@pytest.mark.parametrize("url", ["/v1/evaluate?as_of=2020-01-01", "/v1/policies/pengantar_kerja?as_of=2020-01-01"])
def test_a_date_outside_the_policy_is_said_in_each_language_in_its_own_field(served, url):
    """The Python API words it "English / Indonesian"; a problem gives each half its own field."""
    r = served.client.post(url, json=CANDIDATES[0]) if "evaluate" in url else served.client.get(url)
    assert r.status_code == 422, r.text
    problem = r.json()["problems"][0]
    assert problem["path"] == "query.as_of"
    assert "outside it" in problem["en"] and "cakupan" not in problem["en"]
    assert "cakupan" in problem["id"] and "outside" not in problem["id"]


def test_a_date_with_its_month_s_name_is_refused_with_the_date_it_would_be(served):
    """as_of=9 Oktober 2025 is not read as a date (nothing is guessed), but the hint gives it as
    year-month-day, as the command line's --as-of does."""
    r = served.client.post("/v1/evaluate?as_of=9 Oktober 2025", json=CANDIDATES[0])
    assert r.status_code == 422
    (problem,) = r.json()["problems"]
    assert problem["path"] == "query.as_of" and "2025-10-09" in problem["hint"], r.text
    r = served.client.post("/v1/evaluate?as_of=09/10/2025", json=CANDIDATES[0])  # day first, as a sheet writes it
    assert r.status_code == 422 and "2025-10-09" in r.json()["problems"][0]["hint"], r.text

