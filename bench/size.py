"""The size of the runtime virtual environment, against an absolute budget.

The environment is what a deployment installs: the locked dependencies
without the dev group, and the project itself as a wheel (not editable),
built by `uv sync` into a temporary directory from uv's cache only (the
project's own environment has put every runtime package there), then pruned
as the Nix package prunes it (bench/shipped.py: the flet_web files a served
dashboard never loads). Its size is the sum of its files' sizes (each file
once, symlinks not followed); the interpreter it links to is not counted. The
size before pruning is shown too. The ten largest distributions are listed,
by the files their RECORD names that are still there.

    uv run python -m bench.size
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Row, print_table
from bench.shipped import prune_flet_web

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MIB = 150.0
MIB = 1024 * 1024
LARGEST = 10


def measure() -> list[Row]:
    print("size: the runtime environment (no dev dependencies, project as a wheel)")
    workdir = Path(tempfile.mkdtemp(prefix="sector7g-bench-size-"))
    try:
        venv = workdir / "venv"
        _build(venv)
        unpruned_mib = _tree_bytes(venv) / MIB
        pruned = prune_flet_web(_site_packages(venv))
        total_mib = _tree_bytes(venv) / MIB
        sizes = _distributions(venv)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"{total_mib:.1f} MiB as shipped, {len(sizes)} distributions (project included)"
    )
    print(
        f"{unpruned_mib:.1f} MiB as uv installs it: the appliance leaves out "
        f"{pruned} flet_web files, {unpruned_mib - total_mib:.1f} MiB"
    )
    for name, size in sorted(sizes.items(), key=lambda item: -item[1])[:LARGEST]:
        print(f"  {name:<36} {size / MIB:6.1f} MiB")
    return [
        Row(
            "runtime venv MiB as shipped, no dev deps",
            total_mib,
            BUDGET_MIB,
            "MiB",
            f"<= {BUDGET_MIB:g}",
            total_mib <= BUDGET_MIB,
        )
    ]


def _build(venv: Path) -> None:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        raise SystemExit("bench: uv is not on PATH")
    python = os.environ.get("UV_PYTHON") or str(
        Path(sys.base_prefix)
        / "bin"
        / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    )
    argv = [uv, "sync", "--frozen", "--no-dev", "--no-editable", "--offline", "-q"]
    built = subprocess.run(
        [*argv, "--python", python],
        cwd=ROOT,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if built.returncode != 0:
        raise SystemExit(
            f"bench: `uv sync` into {venv} failed (uv's cache lacks a package? "
            f"`uv sync` once fills it):\n{built.stderr}"
        )


def _tree_bytes(root: Path) -> int:
    """The size of every file under `root`, each inode once, like `du -b`."""
    seen: set[int] = set()
    total = 0
    for directory, _, files in os.walk(root):
        for name in files:
            stat = os.lstat(os.path.join(directory, name))
            if stat.st_ino not in seen:
                seen.add(stat.st_ino)
                total += stat.st_size
    return total


def _site_packages(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def _distributions(venv: Path) -> dict[str, int]:
    """Bytes per installed distribution, from the files each RECORD lists."""
    site = _site_packages(venv)
    sizes = {}
    for record in site.glob("*.dist-info/RECORD"):
        name, _, version = record.parent.name.removesuffix(".dist-info").partition("-")
        total = 0
        for line in record.read_text().splitlines():
            path = site / line.rsplit(",", 2)[0]
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        sizes[f"{name} {version}"] = total
    return sizes


def main() -> None:
    print_table(measure())


if __name__ == "__main__":
    main()
