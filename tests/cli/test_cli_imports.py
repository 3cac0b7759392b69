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

# A fresh interpreter: this test process has imported half the app already.
LIST_IMPORTED = (
    "import json, sys, app.cli.main; "
    "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
)


def test_importing_the_cli_loads_no_heavy_package() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LIST_IMPORTED],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    imported = set(json.loads(result.stdout))
    assert imported & HEAVY_PACKAGES == set()
