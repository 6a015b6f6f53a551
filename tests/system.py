"""System tools that some tests use (installed by scripts/system-deps.sh).

Missing tools skip their tests on a developer's machine but fail under CI=true, where the
project's own setup must have installed them.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest


def require(command: str) -> str:
    """The path of ``command``, or skip (fail in CI) naming what to install."""
    path = shutil.which(command)
    if path:
        return path
    unavailable(f"{command} is not installed; scripts/system-deps.sh installs it")


def require_file(path: Path, package: str) -> Path:
    """A file a Debian package installs (a jar, say), or skip (fail in CI) naming the package."""
    if path.is_file():
        return path
    unavailable(f"{path} is missing; scripts/system-deps.sh installs {package}")


def unavailable(message: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
