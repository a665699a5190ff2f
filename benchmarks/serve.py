"""The decision service under a bounded load, on 127.0.0.1 only, beside the in-process figures.

    python benchmarks/serve.py [--requests N] [--stream M] [--memory-to K] [--workers W]
        (defaults: N = 600 requests per run, M = 20000 streamed records, K = 0: skip the
         long memory run, W = 1)

Starts `formasi serve` as a child process on a free loopback port, then:
1. single-candidate requests (POST /v1/evaluate, one JSON object) at concurrency 1, 8 and 64,
   in the full layout (the default, ~100 KB an answer) and the compact one: requests/s and
   p50/p95/p99 latency, beside `Engine.evaluate` + `to_json` timed in this process;
2. M records streamed as JSON Lines (compact answers, read as they come): records/s, beside
   `Engine.evaluate_lines` in this process on the same records, and the server's peak RSS;
3. with --memory-to K: a stream of K records, and the server's peak RSS after it (flat memory
   means about the same peak as after M).
Every run is a fixed number of requests and stops by itself; the client shares the machine's
two cores with the server, so the figures are a floor for a server with a machine of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from evaluate import candidates  # noqa: E402  the same synthetic candidates as the other benchmarks

import formasi_rules as fr  # noqa: E402

AS_OF = "2025-10-09"
POLICIES = HERE.parent / "policies"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    formasi = shutil.which("formasi") or str(Path(sys.executable).parent / "formasi")
    cmd = [formasi, "serve", "--policies", str(POLICIES), "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start: " + proc.stderr.read().decode()[-2000:])


def peak_rss_mb(pid: int) -> float:
    """The server's peak RSS (VmHWM), its children's too when it runs workers."""
    total = 0.0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
    return total


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def load(url: str, bodies: list[bytes], concurrency: int, layout: str) -> dict:
    """Send every body once, from `concurrency` keep-alive clients; latency per request."""
    latencies: list[float] = []
    lock = threading.Lock()
    next_index = iter(range(len(bodies)))
    errors = []

    def worker():
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                began = time.perf_counter()
                r = client.post(f"/v1/evaluate?as_of={AS_OF}&layout={layout}", content=bodies[i],
                                headers={"content-type": "application/json"})
                took = time.perf_counter() - began
                if r.status_code != 200:
                    errors.append(r.status_code)
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    assert not errors, errors[:5]
    return {"rps": len(bodies) / wall, "p50": pct(latencies, 50) * 1000, "p95": pct(latencies, 95) * 1000,
            "p99": pct(latencies, 99) * 1000}


def in_process_single(engine: fr.Engine, records: list[dict], layout: str) -> dict:
    day = dt.date.fromisoformat(AS_OF)
    times = []
    for record in records:
        began = time.perf_counter()
        engine.evaluate(record, as_of=day).to_json(layout)
        times.append(time.perf_counter() - began)
    return {"rps": len(times) / sum(times), "p50": pct(times, 50) * 1000, "p99": pct(times, 99) * 1000}


def stream(url: str, lines: list[bytes]) -> tuple[float, int]:
    def body():
        for start in range(0, len(lines), 500):
            yield b"".join(lines[start:start + 500])

    count = 0
    began = time.perf_counter()
    with httpx.Client(base_url=url, timeout=600) as client:
        with client.stream("POST", f"/v1/evaluate?as_of={AS_OF}", content=body(),
                           headers={"content-type": "application/x-ndjson"}) as r:
            assert r.status_code == 200, r.status_code
            for _ in r.iter_lines():
                count += 1
    return (count - 1) / (time.perf_counter() - began), count - 1


def generated_stream(url: str, n: int) -> int:
    """n records made as they are sent (no list of n in this process)."""
    def body():
        chunk = []
        for record in candidates(n):
            chunk.append(json.dumps(record).encode() + b"\n")
            if len(chunk) == 500:
                yield b"".join(chunk)
                chunk = []
        if chunk:
            yield b"".join(chunk)

    count = 0
    with httpx.Client(base_url=url, timeout=3600) as client:
        with client.stream("POST", f"/v1/evaluate?as_of={AS_OF}", content=body(),
                           headers={"content-type": "application/x-ndjson"}) as r:
            for _ in r.iter_lines():
                count += 1
    return count - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--stream", type=int, default=20_000)
    parser.add_argument("--memory-to", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    records = list(candidates(max(args.requests, args.stream)))
    bodies = [json.dumps(r).encode() for r in records[:args.requests]]
    engine = fr.Engine(fr.load_policy(POLICIES / "pengantar_kerja"))
    port = free_port()
    server = start_server(port, args.workers)
    url = f"http://127.0.0.1:{port}"
    try:
        print(f"formasi serve on {url}, {args.workers} worker(s), backend {engine.backend.name}, "
              f"{os.cpu_count()} CPUs (client and server share them)")
        load(url, bodies[:50], 4, "compact")  # warm up both sides
        for layout in ("full", "compact"):
            here = in_process_single(engine, records[:args.requests], layout)
            print(f"\nsingle candidate, layout {layout}: in process Engine.evaluate + to_json "
                  f"{here['rps']:,.0f}/s (p50 {here['p50']:.2f} ms, p99 {here['p99']:.2f} ms)")
            print(f"  {'concurrency':>11} {'requests/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
            for concurrency in (1, 8, 64):
                got = load(url, bodies, concurrency, layout)
                print(f"  {concurrency:>11} {got['rps']:>10,.0f} {got['p50']:>8.2f} {got['p95']:>8.2f} "
                      f"{got['p99']:>8.2f}")

        lines = [json.dumps(r).encode() + b"\n" for r in records[:args.stream]]
        texts = [line.decode() for line in lines]
        day = dt.date.fromisoformat(AS_OF)
        began = time.perf_counter()
        done = sum(1 for _ in engine.evaluate_lines(((f"$[{i}]", json.loads(t)) for i, t in enumerate(texts)),
                                                    as_of=day, layout="compact"))
        here = done / (time.perf_counter() - began)
        rate, count = stream(url, lines)
        print(f"\nstreamed batch of {count:,} records (JSON Lines, compact): {rate:,.0f} records/s; "
              f"in process Engine.evaluate_lines {here:,.0f} records/s ({rate / here:.0%})")
        print(f"  server peak RSS after it: {peak_rss_mb(server.pid):.1f} MB")
        if args.memory_to:
            began = time.perf_counter()
            n = generated_stream(url, args.memory_to)
            print(f"streamed {n:,} more records in {time.perf_counter() - began:.0f} s: server peak RSS "
                  f"{peak_rss_mb(server.pid):.1f} MB")
    finally:
        server.terminate()
        server.wait(15)
        engine.close()


if __name__ == "__main__":
    main()
