"""Database backups with pg_dump and pg_restore, off the event loop.

The connection details reach the tools through libpq's environment variables
(PGHOST, PGPASSWORD, ...), never through their command line, where any user
of the machine could read a password. Each backup is written under a temporary
name, checked with `pg_restore --list`, then renamed; the newest
BACKUP_RETENTION are kept.
"""

import asyncio
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.core.config import Settings

PREFIX = "sector7g-"
SUFFIX = ".dump"


class BackupError(Exception):
    """A backup or restore failed; the message carries the tool's complaint."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size_bytes: int


def libpq_environment(settings: Settings) -> dict[str, str]:
    """PG* variables for the configured database (password included, if any)."""
    url = settings.database_url_sync
    socket_dir = url.query.get("host")
    port = url.port or url.query.get("port")
    values = {
        "PGHOST": str(socket_dir or url.host or "localhost"),
        "PGPORT": str(port or 5432),
        "PGUSER": url.username or "",
        "PGDATABASE": url.database or "",
        "PGPASSWORD": url.password or "",
    }
    return {name: value for name, value in values.items() if value}


def backups(directory: Path) -> list[Path]:
    """The backups in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))


async def create_backup(settings: Settings) -> Backup:
    directory = settings.BACKUP_DIR
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = directory / f"{PREFIX}{stamp}{SUFFIX}"
    partial = final.with_suffix(".partial")
    try:
        await _run(["pg_dump", "--format=custom", f"--file={partial}"], settings)
        await _run(["pg_restore", "--list", str(partial)], settings)
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    prune_backups(directory, settings.BACKUP_RETENTION)
    return Backup(final, final.stat().st_size)


async def restore_backup(
    settings: Settings, path: Path, *, clean: bool = False
) -> None:
    """Restore `path` into the configured database (empty, or `clean` first)."""
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    argv = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    if clean:
        argv += ["--clean", "--if-exists"]
    await _run(
        [*argv, f"--dbname={settings.database_url_sync.database}", str(path)], settings
    )


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; the ones deleted."""
    doomed = backups(directory)[:-keep] if keep else backups(directory)
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


async def _run(argv: list[str], settings: Settings) -> str:
    program = shutil.which(argv[0])
    if program is None:
        raise BackupError(f"{argv[0]} not found on PATH")
    process = await asyncio.create_subprocess_exec(
        program,
        *argv[1:],
        env={**os.environ, **libpq_environment(settings)},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        complaint = stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise BackupError(f"{argv[0]} failed: {' / '.join(complaint)}")
    return stdout.decode(errors="replace")
