"""The runtime environment as the appliance ships it.

Nix leaves out of the flet_web package the web client's files that a served
dashboard never loads, as listed in nix/flet-web-unused.txt (a postInstall of
flet-web in nix/package.nix). `prune_flet_web` removes the same files from a
venv, so that the size benchmark measures what ships.
"""

import csv
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
UNUSED_LIST = ROOT / "nix" / "flet-web-unused.txt"
PACKAGE = "flet_web"


def unused_patterns(path: Path = UNUSED_LIST) -> list[str]:
    """The list's glob patterns, relative to the package."""
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def is_unused(relative: PurePosixPath, pattern: str) -> bool:
    """Whether removing what `pattern` globs (a directory with everything in it)
    removes the file at `relative`."""
    candidates = (relative, *relative.parents[:-1])
    return any(candidate.full_match(pattern) for candidate in candidates)


def shipped_files(site_packages: Path) -> list[PurePosixPath]:
    """flet_web's files as its wheel installs them, relative to the package.

    Read from the wheel's RECORD, so the same before and after pruning: a
    pattern that matches nothing here has gone stale with a Flet upgrade.
    """
    record = next(site_packages.glob(f"{PACKAGE}-*.dist-info/RECORD"))
    with record.open(newline="") as lines:
        paths = [PurePosixPath(row[0]) for row in csv.reader(lines) if row]
    return [path.relative_to(PACKAGE) for path in paths if path.parts[0] == PACKAGE]


def unused_files(site_packages: Path) -> dict[str, list[PurePosixPath]]:
    """Each pattern, and the shipped files it leaves out."""
    files = shipped_files(site_packages)
    return {
        pattern: [path for path in files if is_unused(path, pattern)]
        for pattern in unused_patterns()
    }


def prune_flet_web(site_packages: Path) -> int:
    """Remove the unused files (and the directories they leave empty) from the
    flet_web in `site_packages`; the number of files removed.

    Like the Nix build, refuses a pattern that matches nothing.
    """
    unused = unused_files(site_packages)
    if stale := [pattern for pattern, files in unused.items() if not files]:
        raise ValueError(f"{UNUSED_LIST.name}: nothing in {PACKAGE} matches {stale}")
    package = site_packages / PACKAGE
    removed = {package / path for files in unused.values() for path in files}
    present = [path for path in removed if path.is_file()]
    for path in present:
        path.unlink()
    _remove_empty_directories(package, {path.parent for path in removed})
    return len(present)


def _remove_empty_directories(package: Path, directories: set[Path]) -> None:
    """Remove each of `directories` left empty, and then its parents, deepest
    first, up to (not including) `package`."""
    candidates = set(directories)
    for directory in directories:
        candidates.update(directory.parents)
    inside = [d for d in candidates if d.is_relative_to(package) and d != package]
    for directory in sorted(inside, key=lambda d: len(d.parts), reverse=True):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
