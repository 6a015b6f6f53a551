"""System tools that some tests use (installed by scripts/system-deps.sh).

Missing tools skip their tests on a developer's machine but fail under CI=true, where the
project's own setup must have installed them.
"""
from __future__ import annotations

import os
import shutil

import pytest


def require(command: str) -> str:
    """The path of ``command``, or skip (fail in CI) naming what to install."""
    path = shutil.which(command)
    if path:
        return path
    message = f"{command} is not installed; scripts/system-deps.sh installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
