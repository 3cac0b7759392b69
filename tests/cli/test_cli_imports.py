"""What `import app.cli.main` loads.

Every process of the stack (webserver, scheduler, each worker, migrate) starts
through the CLI, which imports every command module: what a command does not
use, its process should not load.
"""

import json
import subprocess
import sys

HEAVY_PACKAGES = {
    "alembic",
    "httpx",
    "sqlalchemy",
    "sqlmodel",
    "redis",
    "arq",
    "psycopg",
    "apscheduler",
    "fastapi",
    "flet",
    "uvicorn",
    "pwdlib",
    "argon2",
    "psutil",
    "prometheus_client",
}

# What a worker runs on: its queue (arq, Redis) and the job history (asyncpg).
WORKER_PACKAGES = {"arq", "redis"}


def imported_packages(module: str) -> set[str]:
    """The top-level packages a fresh interpreter (this test process has
    imported half the app already) loads with `module`."""
    code = (
        f"import json, sys, {module}; "
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout))


def test_importing_the_cli_loads_no_heavy_package() -> None:
    assert imported_packages("app.cli.main") & HEAVY_PACKAGES == set()


def test_a_worker_loads_neither_sqlalchemy_nor_the_webserver() -> None:
    """SQLAlchemy is 16 MiB of each worker's memory; the history is plain SQL."""
    imported = imported_packages("app.cli.main, app.entrypoints.worker")
    assert imported & HEAVY_PACKAGES == WORKER_PACKAGES
