"""Progress bars for the slow stages of big graphs, and silence for everything quick.

A bar appears only if the work is still running after two seconds, only on a terminal, and
never with ``--quiet``: the seed graph builds without a single line of noise.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
_DELAY_SECONDS = 2.0


def bar(items: Iterable[T], desc: str, quiet: bool, total: int | None = None) -> Iterator[T]:
    """``items``, with a bar on stderr once the work has taken longer than a moment."""
    return iter(tqdm(items, desc=desc, total=total, delay=_DELAY_SECONDS, leave=False, file=sys.stderr,
                     disable=True if quiet else None, unit="step"))
