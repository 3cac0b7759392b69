"""flet_web as the appliance ships it: without the files nix/flet-web-unused.txt
lists, which nix/package.nix removes in flet-web's postInstall and
bench/shipped.py removes for the size benchmark.

The first tests need only this environment. The last ones evaluate
nix/package.nix and need the pinned Nix sources (see test_module_eval.py);
without them they skip. That the page never asks for a listed file in a real
browser is tests/dashboard/test_assets.py.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path, PurePosixPath

import flet_web
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.integrations.dashboard import DASHBOARD_PATH
from app.integrations.dashboard_host import build_dashboard
from bench.shipped import (
    PACKAGE,
    is_unused,
    prune_flet_web,
    unused_files,
    unused_patterns,
)
from tests.nix.test_module_eval import SOURCES, nix_eval
from tests.utils.systemd import REPO

SITE_PACKAGES = Path(flet_web.__file__).resolve().parent.parent
# A file name as scripts spell the files they load.
FILE_NAME = re.compile(r"[\w./-]+\.(?:js|mjs|wasm|json|map|symbols)\b")
# Read by a browser's developer tools only, never by the page.
SOURCE_MAP_COMMENT = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)

needs_sources = pytest.mark.skipif(
    not SOURCES or not Path(SOURCES, "build-system-pkgs").is_dir(),
    reason="SECTOR7G_NIX_SOURCES does not hold the pinned Nix sources",
)


def listed(path: PurePosixPath) -> list[str]:
    """The patterns of the list that leave out `path` (relative to flet_web)."""
    return [pattern for pattern in unused_patterns() if is_unused(path, pattern)]


class Loads(HTMLParser):
    """The files an HTML page loads by itself: its src and href attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.files += [v for k, v in attrs if k in ("src", "href") and v]


@pytest.fixture
async def served(tmp_path: Path, monkeypatch) -> AsyncIterator[AsyncClient]:
    """The dashboard's static files, served as the webserver serves them."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # Flet's patched index
    root = FastAPI()
    root.mount(DASHBOARD_PATH, build_dashboard(root)[0])
    transport = ASGITransport(app=root)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def test_every_listed_pattern_matches_files_flet_web_ships() -> None:
    """A Flet upgrade that moves or drops a listed file fails here, loudly."""
    unused = unused_files(SITE_PACKAGES)
    assert unused, "the list is empty"
    assert [pattern for pattern, files in unused.items() if not files] == []


async def test_the_served_page_loads_no_listed_file_in_server_mode(
    served: AsyncClient,
) -> None:
    page = await served.get(f"{DASHBOARD_PATH}/")
    assert page.status_code == 200
    # The page runs the app over the websocket, never Python in the browser:
    # the client then never reads flet.pyodideUrl nor starts python-worker.js.
    assert "flet.pyodide = false;" in page.text
    assert "flet.pyodideUrl" not in page.text
    loads = Loads()
    loads.feed(page.text)
    assert "flutter_bootstrap.js" in loads.files
    assert [f for f in loads.files if listed(PurePosixPath("web", f))] == []


async def test_flutter_bootstrap_names_no_listed_file(served: AsyncClient) -> None:
    script = await served.get(f"{DASHBOARD_PATH}/flutter_bootstrap.js")
    assert script.status_code == 200
    names = FILE_NAME.findall(SOURCE_MAP_COMMENT.sub("", script.text))
    assert "main.dart.js" in names
    assert [name for name in names if listed(PurePosixPath("web", name))] == []


@pytest.fixture(scope="module")
def nix_flet_web() -> dict:
    """nix/package.nix's flet-web, evaluated by tests/nix/flet-web.nix."""
    return nix_eval(
        f"import {REPO}/tests/nix/flet-web.nix "
        f"{{ sources = {SOURCES}; repo = {REPO}; }}"
    )


def run_post_install(script: str, out: Path) -> subprocess.CompletedProcess:
    """The hook as stdenv runs it: bash, with errexit, nounset and pipefail."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={**os.environ, "out": str(out)},
        capture_output=True,
        text=True,
    )


def tree(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


@needs_sources
def test_nix_removes_from_flet_web_what_the_benchmark_removes(
    nix_flet_web: dict, tmp_path: Path
) -> None:
    assert nix_flet_web["pname"] == "flet-web"
    assert nix_flet_web["version"] == version("flet-web")
    assert nix_flet_web["wheel"].endswith("py3-none-any.whl")
    # The venv, and so the app and its images, is made of this flet-web.
    assert nix_flet_web["storePath"] in nix_flet_web["venvDependencies"]

    installed = tmp_path / "out" / nix_flet_web["sitePackages"] / PACKAGE
    shutil.copytree(SITE_PACKAGES / PACKAGE, installed)
    hook = run_post_install(nix_flet_web["postInstall"], tmp_path / "out")
    assert hook.returncode == 0, hook.stderr

    site = tmp_path / "site-packages"
    shutil.copytree(SITE_PACKAGES / PACKAGE, site / PACKAGE)
    for record in SITE_PACKAGES.glob(f"{PACKAGE}-*.dist-info"):
        shutil.copytree(record, site / record.name)
    assert prune_flet_web(site) > 0

    assert not (installed / "web" / "pyodide").exists()
    assert tree(installed) == tree(site / PACKAGE)


@needs_sources
def test_a_stale_pattern_fails_the_nix_build(
    nix_flet_web: dict, tmp_path: Path
) -> None:
    """A flet_web without web/pyodide: the list no longer fits that Flet."""
    installed = tmp_path / nix_flet_web["sitePackages"] / PACKAGE
    for name in ("web/python-worker.js", "web/flutter.js.map", "web/c/a.js.symbols"):
        (installed / name).parent.mkdir(parents=True, exist_ok=True)
        (installed / name).write_text("")
    hook = run_post_install(nix_flet_web["postInstall"], tmp_path)
    assert hook.returncode != 0
    assert "web/pyodide matches nothing in flet_web" in hook.stderr
    assert (installed / "web" / "flutter.js.map").exists()  # nothing removed
