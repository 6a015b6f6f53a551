"""The ground truth the data tests compare with: the review's text, Table 1, reference list,
and the checked identifier files, read from ../shared beside the checkout."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
REVIEW_FILE = SHARED / "sources" / "000_52b7b8e731bdc268.txt"
IDENTIFIERS_FILE = SHARED / "reference" / "identifiers.tsv"
MISIDENTIFIED_FILE = SHARED / "reference" / "problematic_cell_lines.tsv"

if not REVIEW_FILE.exists():  # the sources travel beside the repository, not inside it
    pytest.skip(f"the review text is not at {REVIEW_FILE}", allow_module_level=True)

REVIEW_TEXT = REVIEW_FILE.read_text(encoding="utf-8")


_SCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789")


def normalise(text: str) -> str:
    """Write sub- and superscripts plainly (^{131}I -> 131I, MnO_2 -> MnO2) and collapse spaces."""
    text = text.translate(_SCRIPTS)
    text = re.sub(r"\^\{([^}]*)\}", r"\1", text)
    text = re.sub(r"_\{([^}]*)\}", r"\1", text)
    text = re.sub(r"(?<=[A-Za-z])_(?=\d)", "", text)
    text = text.replace("*", "").replace("β -", "β-")
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class PrintedRow:
    number: int
    strategy: str
    agent: str
    nanoparticles: str
    reference: int


@cache
def table1_rows() -> tuple[PrintedRow, ...]:
    """Table 1's rows in printed order; the strategy cell is printed on the first row of its group."""
    lines = REVIEW_TEXT.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Table 1 Overview"))
    rows, strategy = [], ""
    for line in lines[start + 1:]:
        if line.startswith("Treatment strategies\t"):  # the header
            continue
        if not line.strip():
            if rows:
                break
            continue
        cells = line.split("\t")
        strategy = cells[0].strip() or strategy
        number = int(re.fullmatch(r"\[(\d+)\]", cells[4].strip()).group(1))
        rows.append(PrintedRow(len(rows) + 1, strategy, normalise(cells[1]), normalise(cells[2]), number))
    return tuple(rows)


@cache
def reference_list() -> dict[int, str]:
    """The review's numbered references, each joined onto one line."""
    body = REVIEW_TEXT[REVIEW_TEXT.index("\nReferences\n"):]
    entries: dict[int, str] = {}
    current = None
    for line in body.splitlines()[2:]:
        match = re.match(r"\s*(\d{1,3})\.\s+(.*)", line)
        if match and (current is None or int(match.group(1)) == current + 1):
            current = int(match.group(1))
            entries[current] = match.group(2)
        elif current is not None and line.strip() and not line.startswith("Publisher"):
            entries[current] += " " + line.strip()
    return entries


def _identifiers() -> frozenset[str]:
    rows = [line.split("\t") for line in IDENTIFIERS_FILE.read_text(encoding="utf-8").splitlines()[1:]]
    return frozenset(r[3].strip() for r in rows if len(r) > 3)


def _misidentified() -> frozenset[str]:
    names: set[str] = set()
    for line in MISIDENTIFIED_FILE.read_text(encoding="utf-8").splitlines()[1:]:
        listed = line.split("\t")[0]
        names.update(n.strip() for n in re.split(r"[,/]", listed) if n.strip())
    return frozenset(names)


REFERENCE_IDS = _identifiers()
MISIDENTIFIED_NAMES = _misidentified()
