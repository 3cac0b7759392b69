"""`sector-7g up` from nothing: the time to "ready", and the memory of the
eight app processes once idle, against eight plain arq workers in the same run.

The stack starts as a new user's would: an empty data directory, so
PostgreSQL is initialised first. The baseline is the library floor: eight
`arq` processes serving a no-op task, the least a Python worker on Redis costs.
The target is absolute: the eight app processes within 400 MiB of RSS.

    uv run python -m bench.stack
"""

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import psutil

from app.core.topology import load_topology
from app.devstack.servers import ManagedProcess, RedisServer, free_port
from bench.common import BIN, Row, print_table, wait_until

READY = re.compile(r"ready in ([0-9.]+) s")
APP_PROCESSES = 8
IDLE_S = 10.0
BUDGET_MIB = 400
MIB = 1024 * 1024


def measure() -> list[Row]:
    print(f"stack: `sector-7g up` from an empty data directory, then {IDLE_S:g} s idle")
    workdir = Path(tempfile.mkdtemp(prefix="sector7g-bench-stack-"))
    workdir.chmod(0o755)  # PostgreSQL may run as another account
    try:
        ready_s, app_mib = _up(workdir)
        arq_mib = _plain_arq(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"ready after {ready_s:.1f} s (as `up` reports it)")
    return [
        Row(
            "RSS, 8 app processes (vs 8 plain arq)",
            app_mib,
            arq_mib,
            "MiB",
            f"<= {BUDGET_MIB}",
            app_mib <= BUDGET_MIB,
        )
    ]


def _up(workdir: Path) -> tuple[float, float]:
    up = ManagedProcess("up", workdir / "up.log")
    up.spawn(
        [
            str(BIN / "sector-7g"),
            "up",
            f"--data-dir={workdir / 'data'}",
            f"--port={free_port()}",
            f"--api-port={free_port()}",
            f"--postgres-port={free_port()}",
            f"--redis-port={free_port()}",
        ],
        env={**_environ(), "PORT": str(free_port()), "SIMULATION_ENABLED": "false"},
    )
    try:
        wait_until(lambda: _ready(up) is not None, 120, "sector-7g up")
        ready_s = _ready(up) or 0.0
        time.sleep(IDLE_S)
        assert up.pid is not None
        children = psutil.Process(up.pid).children()
        app = [child for child in children if "app" in child.cmdline()]
        assert len(app) == APP_PROCESSES, [child.cmdline() for child in app]
        for child in app:
            role = " ".join(child.cmdline()[child.cmdline().index("app") + 1 :])
            print(f"  {role:<22} {child.memory_info().rss / MIB:6.1f} MiB")
        return ready_s, _rss_mib(app)
    finally:
        up.stop(timeout_s=20)


def _plain_arq(workdir: Path) -> float:
    redis = RedisServer(workdir / "redis-baseline")
    redis.start()
    workers = []
    try:
        env = {
            **_environ(),
            "REDIS_URL": redis.url(),
            "BENCH_MAX_JOBS": "15",
            "BENCH_POLL_DELAY_S": str(load_topology().workers.poll_delay_s),
        }
        for n in range(APP_PROCESSES):
            worker = ManagedProcess(f"arq-{n}", workdir / f"arq-{n}.log")
            worker.spawn(
                [str(BIN / "arq"), "bench.plain_arq_worker.WorkerSettings"], env=env
            )
            workers.append(worker)
        time.sleep(IDLE_S)
        return _rss_mib([psutil.Process(w.pid) for w in workers if w.pid is not None])
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()


def _ready(up: ManagedProcess) -> float | None:
    if not up.running:
        raise SystemExit(f"bench: sector-7g up exited:\n{up.log_tail(40)}")
    assert up.log_path is not None
    match = READY.search(up.log_path.read_text(errors="replace"))
    return float(match.group(1)) if match else None


def _rss_mib(processes: list[psutil.Process]) -> float:
    return sum(process.memory_info().rss for process in processes) / MIB


def _environ() -> dict[str, str]:
    """Ours, without service URLs: `up` then starts its own servers."""
    return {k: v for k, v in os.environ.items() if not k.endswith("_URL")}


def main() -> None:
    print_table(measure())


if __name__ == "__main__":
    main()
