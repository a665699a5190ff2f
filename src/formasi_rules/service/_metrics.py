"""Prometheus metrics in the text exposition format (version 0.0.4), kept by hand.

Few series, so no client library: requests by route template and status, a latency
histogram, records evaluated and rejected, policy reloads and their failures, and the
version in service. Each process counts for itself (with ``--workers`` each worker has
its own figures; Prometheus sums them across scrapes of each).
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    if not pairs:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Metrics:
    """Counters and one histogram; every method is safe from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple, int] = defaultdict(int)
        self._latency: dict[str, list[int]] = {}
        self._latency_sum: dict[str, float] = defaultdict(float)
        self._latency_count: dict[str, int] = defaultdict(int)
        self.evaluated = 0
        self.rejected = 0
        self._reloads: dict[tuple, int] = defaultdict(int)
        self._info: dict[str, tuple[str, str]] = {}

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self._requests[(("method", method), ("route", route), ("status", str(status)))] += 1
            counts = self._latency.setdefault(route, [0] * (len(BUCKETS) + 1))
            counts[bisect.bisect_left(BUCKETS, seconds)] += 1
            self._latency_sum[route] += seconds
            self._latency_count[route] += 1

    def records(self, evaluated: int, rejected: int) -> None:
        with self._lock:
            self.evaluated += evaluated
            self.rejected += rejected

    def reload(self, policy: str, ok: bool) -> None:
        with self._lock:
            self._reloads[(("policy", policy), ("result", "ok" if ok else "refused"))] += 1

    def in_service(self, policy: str, version: str, digest: str) -> None:
        with self._lock:
            self._info[policy] = (version, digest)

    def render(self) -> str:
        with self._lock:
            out = ["# HELP formasi_requests_total HTTP requests answered, by route template and status.",
                   "# TYPE formasi_requests_total counter"]
            out += [f"formasi_requests_total{_labels(k)} {v}" for k, v in sorted(self._requests.items())]
            out += ["# HELP formasi_request_duration_seconds Time from request to the last byte of the answer.",
                    "# TYPE formasi_request_duration_seconds histogram"]
            for route, counts in sorted(self._latency.items()):
                running = 0
                for bound, n in zip((*BUCKETS, float("inf")), counts):
                    running += n
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    out.append(f"formasi_request_duration_seconds_bucket{_labels((('route', route), ('le', le)))} "
                               f"{running}")
                out.append(f"formasi_request_duration_seconds_sum{_labels((('route', route),))} "
                           f"{self._latency_sum[route]:.6f}")
                out.append(f"formasi_request_duration_seconds_count{_labels((('route', route),))} "
                           f"{self._latency_count[route]}")
            out += ["# HELP formasi_records_evaluated_total Candidate records evaluated.",
                    "# TYPE formasi_records_evaluated_total counter",
                    f"formasi_records_evaluated_total {self.evaluated}",
                    "# HELP formasi_records_rejected_total Candidate records rejected (an error item in their place).",
                    "# TYPE formasi_records_rejected_total counter",
                    f"formasi_records_rejected_total {self.rejected}",
                    "# HELP formasi_policy_reloads_total Policy reloads, put in service (ok) or refused.",
                    "# TYPE formasi_policy_reloads_total counter"]
            out += [f"formasi_policy_reloads_total{_labels(k)} {v}" for k, v in sorted(self._reloads.items())]
            out += ["# HELP formasi_policy_info The policy version in service (value always 1).",
                    "# TYPE formasi_policy_info gauge"]
            out += [f"formasi_policy_info{_labels((('policy', name), ('version', v), ('digest', d)))} 1"
                    for name, (v, d) in sorted(self._info.items())]
            return "\n".join(out) + "\n"
