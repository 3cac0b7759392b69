"""`sector-7g up` from nothing: its own PostgreSQL and Redis, everything ready
in order, and everything stopped by one SIGTERM."""

import os
import re
import signal
import subprocess
import time

import psutil

from app.devstack.servers import ManagedProcess, free_port
from tests.conftest import TEST_SECRET_KEY
from tests.e2e.conftest import READY
from tests.utils.processes import SECTOR_7G, wait_for
from tests.utils.services import scratch_dir

STOP_BUDGET_S = 15


def test_up_starts_its_own_servers_and_stops_everything_on_sigterm() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith(("_URL", "_FILE"))
    }
    env |= {
        "APP_ENV": "dev",
        "SECRET_KEY": TEST_SECRET_KEY,
        "PORT": str(free_port()),
        "SIMULATION_ENABLED": "false",
        "LOG_FORMAT": "console",
    }
    with scratch_dir("up") as base:
        base.chmod(0o755)  # PostgreSQL may run as another account
        up = ManagedProcess("up", base / "up.log")
        up.spawn(
            [
                SECTOR_7G,
                "up",
                f"--data-dir={base / 'data'}",
                f"--port={free_port()}",
                f"--api-port={free_port()}",
                f"--postgres-port={free_port()}",
                f"--redis-port={free_port()}",
            ],
            env=env,
        )
        try:
            wait_for(lambda: _log(up, READY), timeout_s=90, message="ready")
            assert up.pid is not None
            family = psutil.Process(up.pid).children(recursive=True)
            names = {" ".join(p.cmdline()[:3]) for p in family}
            assert any("postgres" in name for name in names), names
            assert any("redis-server" in name for name in names), names
            log = _text(up)
            # (Traefik says nothing unless something is wrong.)
            for program in ("postgres", "redis", "migrate", "webserver", "scheduler"):
                assert re.search(rf"^{program} +\| ", log, re.MULTILINE), program
            assert re.search(r"open http://127\.0\.0\.1:\d+/dashboard/", log)

            started = time.monotonic()
            os.kill(up.pid, signal.SIGTERM)
            code = up.wait()
            took = time.monotonic() - started
        finally:
            up.stop(timeout_s=30)
        assert code == 0, up.log_tail(30)
        assert took < STOP_BUDGET_S, took
        assert not [p for p in family if p.is_running() and p.status() != "zombie"]
    print(f"stopped everything {took:.1f} s after SIGTERM")


def test_up_explains_itself() -> None:
    result = subprocess.run(
        [SECTOR_7G, "up", "--help"], capture_output=True, text=True, check=True
    )
    for words in ("DATABASE_URL", "Ctrl-C", "--data-dir", "--port"):
        assert words in result.stdout, words


def _text(up: ManagedProcess) -> str:
    assert up.log_path is not None
    return up.log_path.read_text(errors="replace")


def _log(up: ManagedProcess, pattern: re.Pattern[str]) -> bool:
    if not up.running:
        raise AssertionError(f"sector-7g up exited:\n{up.log_tail(60)}")
    return bool(pattern.search(_text(up)))
