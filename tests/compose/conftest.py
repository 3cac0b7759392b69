"""One private Docker engine and one build of the stand-in images for every
Compose test that runs containers (tests/utils/docker.py)."""

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.docker import (
    DockerEngine,
    StandinImages,
    build_standin_images,
    private_dockerd,
)


@pytest.fixture(scope="session")
def engine() -> Iterator[DockerEngine]:
    # Short: the engine's socket path must fit in ~107 bytes.
    with private_dockerd(Path(tempfile.mkdtemp(prefix="s7g-d-"))) as engine:
        yield engine


@pytest.fixture(scope="session")
def images(engine: DockerEngine) -> Iterator[StandinImages]:
    workdir = Path(tempfile.mkdtemp(prefix="s7g-images-"))
    started = time.monotonic()
    try:
        images = build_standin_images(engine, workdir)
        print(f"\nstand-in images built in {time.monotonic() - started:.0f} s")
        yield images
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
