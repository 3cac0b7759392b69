"""Requests per second and median latency of the product's webserver against a
bare FastAPI app, measured with wrk in one run.

Product: `sector-7g webserver` (one uvicorn process) on /health/live, on
/health/ and on an authenticated read, GET /api/v1/auth/me with a bearer
token (JWT check, then the account from the process's memory of principals;
from Redis or PostgreSQL when it has none). Baseline: uvicorn serving a bare
FastAPI app's GET / (bench/bare_app.py), also one process. Both run side by
side; every endpoint gets the same wrk settings, after a short warm-up run
of its own, in three rounds that take the endpoints in turn, and each figure
is the median of its rounds. No scheduler or worker runs here, so /health/
answers 503: wrk counts those apart.

    uv run python -m bench.http [--seconds 4]
"""

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from app.devstack.servers import free_port
from bench.common import (
    BIN,
    EMAIL,
    PASSWORD,
    Row,
    Servers,
    Webserver,
    at_least,
    at_most,
    print_table,
    throwaway_servers,
    wait_until,
)

# One client thread: on a 2-core machine the other core is the server's.
THREADS = 1
CONNECTIONS = 50
WARM_UP_S = 1
ROUNDS = 3
SECONDS_PER_ROUND = 4
AUTH_READ = "/api/v1/auth/me"
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Load:
    """What one wrk run reports."""

    requests_per_s: float
    p50_ms: float
    non_2xx: int
    socket_errors: str


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> Load:
    header_args = [a for k, v in (headers or {}).items() for a in ("-H", f"{k}: {v}")]
    argv = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        *header_args,
        url,
    ]
    output = subprocess.run(
        argv, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+([0-9.]+)(us|ms|s)\s*$", output, re.M)
    if rps is None or p50 is None:
        raise SystemExit(f"bench: could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return Load(
        float(rps.group(1)),
        float(p50.group(1)) * UNITS_MS[p50.group(2)],
        int(non_2xx.group(1)) if non_2xx else 0,
        errors.group(1) if errors else "none",
    )


@dataclass(frozen=True)
class Target:
    label: str
    url: str
    headers: dict[str, str] | None = None


def _median_load(loads: list[Load]) -> Load:
    return Load(
        statistics.median(load.requests_per_s for load in loads),
        statistics.median(load.p50_ms for load in loads),
        sum(load.non_2xx for load in loads),
        "; ".join(sorted({load.socket_errors for load in loads})),
    )


def _rounds(targets: list[Target], seconds: int) -> list[Load]:
    """Each target's median over ROUNDS runs, taken in turn: the baseline and
    the product share every stretch of the machine's time, so a slow minute
    (another process, a CPU's clock) weighs on both alike."""
    runs: list[list[Load]] = [[] for _ in targets]
    for number in range(1, ROUNDS + 1):
        print(f" round {number} of {ROUNDS}")
        for target, loads in zip(targets, runs, strict=True):
            wrk(target.url, WARM_UP_S, target.headers)
            load = wrk(target.url, seconds, target.headers)
            loads.append(load)
            print(
                f"  {target.label:<32} {load.requests_per_s:8.0f} req/s"
                f"  p50 {load.p50_ms:6.2f} ms  non-2xx {load.non_2xx}"
                f"  socket errors: {load.socket_errors}"
            )
    return [_median_load(loads) for loads in runs]


@contextmanager
def _bare_app(servers: Servers) -> Generator[Webserver]:
    port = free_port()
    process = servers.spawn(
        "bare-app", [str(BIN / "python"), "-m", "bench.bare_app", str(port)]
    )
    try:
        bare = Webserver(process, port)
        wait_until(lambda: bare.answers("/"), 30, "the bare app")
        yield bare
    finally:
        process.stop()


def measure(seconds: int) -> list[Row]:
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed; run `apt-get install wrk`")
    print(
        f"http: wrk, {THREADS} thread, {CONNECTIONS} connections, {seconds} s per "
        f"endpoint and round after {WARM_UP_S} s of warm-up, {ROUNDS} rounds "
        "(medians); one uvicorn process each"
    )
    with (
        throwaway_servers() as servers,
        _bare_app(servers) as bare,
        servers.webserver() as webserver,
    ):
        asyncio.run(servers.create_user())
        token = httpx.post(
            f"{webserver.url}/api/v1/auth/token",
            data={"username": EMAIL, "password": PASSWORD},
        ).json()["access_token"]
        baseline, live, health, read = _rounds(
            [
                Target("bare FastAPI GET /", f"{bare.url}/"),
                Target("webserver /health/live", f"{webserver.url}/health/live"),
                Target("webserver /health/", f"{webserver.url}/health/"),
                Target(
                    f"webserver {AUTH_READ}",
                    f"{webserver.url}{AUTH_READ}",
                    {"Authorization": f"Bearer {token}"},
                ),
            ],
            seconds,
        )
    return [
        at_least(
            "requests/s, /health/live vs bare FastAPI",
            live.requests_per_s,
            baseline.requests_per_s,
            "/s",
            0.8,
        ),
        at_least(
            f"requests/s, {AUTH_READ} vs bare FastAPI",
            read.requests_per_s,
            baseline.requests_per_s,
            "/s",
            0.6,
        ),
        at_most(
            "p50 ms, /health/ vs /health/live", health.p50_ms, live.p50_ms, "ms", 3
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="HTTP load against a bare app.")
    parser.add_argument("--seconds", type=int, default=4, help="per endpoint and round")
    print_table(measure(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
