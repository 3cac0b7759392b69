"""The migrations the package ships, read from their scripts without Alembic.

Alembic's script machinery (templates, autogenerate) would cost the webserver
about 12 MiB for good; the health check and the dashboard only need each
script's revision, the one it follows and its title. Alembic itself still
runs the migrations (app.core.migrations); a test checks that both agree.
"""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VERSIONS = Path(__file__).resolve().parents[1] / "alembic" / "versions"


@dataclass(frozen=True)
class Migration:
    revision: str
    down_revision: str | None
    description: str


@cache
def shipped() -> tuple[Migration, ...]:
    """Every migration, newest first (the head first)."""
    by_parent: dict[str | None, Migration] = {}
    for script in sorted(VERSIONS.glob("*.py")):
        migration = _read(script)
        if migration.down_revision in by_parent:
            raise RuntimeError(f"the migrations branch at {migration.down_revision}")
        by_parent[migration.down_revision] = migration
    chain, parent = [], None
    while parent in by_parent:
        chain.append(by_parent[parent])
        parent = chain[-1].revision
    if len(chain) != len(by_parent):
        raise RuntimeError(f"migrations outside the chain in {VERSIONS}")
    return tuple(reversed(chain))


def head() -> str | None:
    migrations = shipped()
    return migrations[0].revision if migrations else None


def _read(script: Path) -> Migration:
    module = ast.parse(script.read_text(encoding="utf-8"))
    values = {}
    for statement in module.body:
        if isinstance(statement, ast.AnnAssign | ast.Assign):
            targets = (
                [statement.target]
                if isinstance(statement, ast.AnnAssign)
                else statement.targets
            )
            for target in targets:
                if isinstance(target, ast.Name) and statement.value is not None:
                    values[target.id] = statement.value
    revision = ast.literal_eval(values["revision"])
    down = ast.literal_eval(values["down_revision"])
    if not isinstance(revision, str) or not isinstance(down, str | None):
        raise RuntimeError(f"{script.name}: a merge or an unreadable revision")
    title = (ast.get_docstring(module) or "").strip().splitlines()
    return Migration(revision, down, title[0] if title else "")
