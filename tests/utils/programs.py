"""Tests that need a program outside Python (Nix, systemd-analyze, Chromium).

Without the program a test is skipped, with the reason; with SECTOR7G_STRICT
set (as .ci/run sets it) it fails instead, so CI can never pass by skipping.
"""

import os
import shutil

import pytest


def need(*programs: str) -> None:
    missing = [program for program in programs if shutil.which(program) is None]
    if not missing:
        return
    message = f"not on PATH: {', '.join(missing)}"
    if os.environ.get("SECTOR7G_STRICT"):
        pytest.fail(message)
    pytest.skip(message)
