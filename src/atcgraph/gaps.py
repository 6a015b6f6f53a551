"""Stage 6: gap analysis — evidence and gap maps of the graph, ranked and checked against the review.

The field's convention (EPPI-Mapper, 3ie, Campbell) is a matrix of categories whose cells count
studies and open onto them. Every count here is SPARQL in ``queries/gaps/`` (see its README): a
dimension is a categories query and a members query, and ``matrix.rq`` joins two of them. This
module composes those files, fills in the empty cells from the categories, ranks the cells that
hold fewer studies than their margins predict, and checks the gaps the review itself states.
``gaps_render`` writes the reports, ``gaps_figure`` the figures.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from atcgraph import __version__
from atcgraph.build import built_engine
from atcgraph.catalogue import set_values
from atcgraph.engines import Engine
from atcgraph.errors import AtcGraphError
from atcgraph.paths import Paths
from atcgraph.vocab import ATC, curie

# name -> (what one category is, what several are, default level; None: the dimension has no levels)
DIMENSIONS: dict[str, tuple[str, str, int | None]] = {
    "target": ("molecular target", "molecular targets", None),
    "modality": ("therapy modality", "therapy modalities", None),
    "strategy": ("review section", "review sections", 2),
    "carrier": ("nanocarrier class", "nanocarrier classes", 1),
    "payload": ("payload class", "payload classes", 1),
}
CLASS_DIMENSIONS = frozenset({"carrier", "payload"})  # their categories are OWL classes
STANDARD = (("target", "modality"), ("carrier", "strategy"), ("payload", "modality"))
MAX_LEVEL = 9  # deeper than the ontology's hierarchies: a level past the deepest gives the leaves

_INCLUDE = re.compile(r"^[ \t]*#include[ \t]+(rows|columns)[ \t]*$", re.MULTILINE)
_PREFIX = re.compile(r"^PREFIX\s+(\w*):\s*<([^>]*)>\s*$", re.MULTILINE | re.IGNORECASE)
_HEADER = re.compile(r"^#\+.*\n?", re.MULTILINE)


@dataclass(frozen=True)
class Dimension:
    """One axis of a gap map: ``carrier:2`` is the carrier dimension at the second level."""

    name: str
    level: int | None = None

    @classmethod
    def parse(cls, spec: str) -> Dimension:
        name, sep, level = spec.strip().partition(":")
        if name not in DIMENSIONS:
            raise AtcGraphError(f"unknown dimension {name!r}; one of: {', '.join(DIMENSIONS)}")
        default = DIMENSIONS[name][2]
        if not sep:
            return cls(name, default)
        if default is None:
            raise AtcGraphError(f"dimension {name} has no levels (levels: {', '.join(levelled())})")
        if not level.isdigit() or not 1 <= int(level) <= MAX_LEVEL:
            raise AtcGraphError(f"dimension {spec!r}: the level must be a number from 1 to {MAX_LEVEL}")
        return cls(name, int(level))

    @property
    def spec(self) -> str:
        return self.name if self.level == DIMENSIONS[self.name][2] else f"{self.name}:{self.level}"

    @property
    def title(self) -> str:
        return self._level(DIMENSIONS[self.name][0])

    @property
    def plural(self) -> str:
        return self._level(DIMENSIONS[self.name][1])

    def _level(self, noun: str) -> str:
        return noun if self.spec == self.name else f"{noun} (level {self.level})"

    @property
    def of_classes(self) -> bool:
        return self.name in CLASS_DIMENSIONS


def levelled() -> list[str]:
    return [name for name, (_, _, level) in DIMENSIONS.items() if level is not None]


@dataclass(frozen=True)
class Category:
    iri: str
    label: str


@dataclass(frozen=True)
class Count:
    """Distinct studies in a cell or margin, as SPARQL counted them."""

    n: int = 0
    in_vivo: int = 0
    in_vitro: int = 0
    studies: tuple[str, ...] = ()


EMPTY = Count()


@dataclass(frozen=True)
class Matrix:
    rows: Dimension
    columns: Dimension
    row_categories: tuple[Category, ...]
    column_categories: tuple[Category, ...]
    cells: dict[tuple[str, str], Count]  # only cells with studies
    row_totals: dict[str, Count]
    column_totals: dict[str, Count]
    total: Count  # studies with at least one category on both dimensions
    sparql: str

    def cell(self, row: str, column: str) -> Count:
        return self.cells.get((row, column), EMPTY)

    def expected(self, row: str, column: str) -> float:
        """Studies the cell would hold if rows and columns were independent: row × column / N."""
        if not self.total.n:
            return 0.0
        return self.row_totals.get(row, EMPTY).n * self.column_totals.get(column, EMPTY).n / self.total.n


@dataclass(frozen=True)
class Gap:
    """A cell with fewer studies than its margins predict, with the evidence around it."""

    row: Category
    column: Category
    observed: int
    expected: float
    score: float  # P(X <= observed), X ~ Poisson(expected): lower is more surprising
    same_row: tuple[tuple[Category, int], ...]  # the row's other columns with studies
    same_column: tuple[tuple[Category, int], ...]
    row_carriers: tuple[tuple[Category, int], ...]  # carrier families the row's studies used
    command: str  # the `atcgraph query` command that lists the cell's studies


@dataclass(frozen=True)
class Study:
    iri: str
    first_author: str
    year: int
    reference: int | None
    section: str
    finding: str
    carriers: tuple[str, ...]
    payloads: tuple[str, ...]
    in_vivo: bool
    in_vitro: bool

    @property
    def citation(self) -> str:
        number = f" [{self.reference}]" if self.reference is not None else ""
        return f"{self.first_author} {self.year}{number}"


@dataclass(frozen=True)
class ClaimCheck:
    """One claimed-missing term of a review-stated gap, against the studies."""

    claimed: Category  # a nanocarrier class or a therapy modality
    scope: Category | None  # the section or modality within which it is claimed missing
    within: tuple[str, ...]  # studies that fall within the claim
    expected: float | None  # from the gap map's margins (scarcity claims)
    elsewhere: tuple[str, ...]  # studies of the claimed class outside the scope
    confirmed: bool


@dataclass(frozen=True)
class ReviewGap:
    iri: str
    label: str
    quote: str
    comment: str
    absence: bool  # worded as absence (unexplored ...) rather than scarcity (limited ...)
    checks: tuple[ClaimCheck, ...]

    @property
    def verdict(self) -> str:
        confirmed = sum(check.confirmed for check in self.checks)
        if confirmed == len(self.checks):
            return "confirmed"
        return "contradicted" if confirmed == 0 else "partly contradicted"


@dataclass(frozen=True)
class GapReport:
    matrix: Matrix
    gaps: tuple[Gap, ...]
    studies: dict[str, Study]
    review_gaps: tuple[ReviewGap, ...]
    version: str = __version__

    @property
    def empty_rows(self) -> tuple[Category, ...]:
        return tuple(c for c in self.matrix.row_categories if c.iri not in self.matrix.row_totals)

    @property
    def empty_columns(self) -> tuple[Category, ...]:
        return tuple(c for c in self.matrix.column_categories if c.iri not in self.matrix.column_totals)


def poisson_cdf(observed: int, mean: float) -> float:
    """P(X <= observed) for X ~ Poisson(mean): how likely so few studies are by chance alone."""
    term = total = math.exp(-mean)
    for k in range(1, observed + 1):
        term *= mean / k
        total += term
    return min(total, 1.0)


class GapAnalysis:
    """The gap maps of one built graph; each matrix is counted once (its small query files are read
    on each use)."""

    def __init__(self, paths: Paths, engine: Engine) -> None:
        self.paths = paths
        self.engine = engine
        self._categories: dict[Dimension, tuple[Category, ...]] = {}
        self._matrices: dict[tuple[Dimension, Dimension], Matrix] = {}
        self._studies: dict[str, Study] | None = None
        self._review: tuple[ReviewGap, ...] | None = None

    # ------------------------------------------------------------------ SPARQL files
    def text(self, name: str, level: int | None = None) -> str:
        """A query of queries/gaps/, with its ``VALUES ?level`` line bound when the dimension has levels."""
        path = self.paths.gap_queries_dir / f"{name}.rq"
        if not path.is_file():
            raise AtcGraphError(f"{self.paths.relative(path)}: file not found")
        text = path.read_text(encoding="utf-8")
        return text if level is None else set_values(text, "level", str(level), where=f"{self.paths.relative(path)}:")

    def compose(self, rows: Dimension, columns: Dimension) -> str:
        """matrix.rq with each ``#include`` line replaced by its dimension's two queries as sub-SELECTs."""
        prefixes: dict[str, str] = {}
        parts = {}
        for slot, dim in (("rows", rows), ("columns", columns)):
            categories = _hoist(self.text(f"{dim.name}-categories", dim.level), prefixes)
            members = _hoist(self.text(f"{dim.name}-members"), prefixes)
            parts[slot] = f"{{ {categories} }}\n{{ {members} }}"
        body, count = _INCLUDE.subn(lambda m: parts[m.group(1)], _hoist(self.text("matrix"), prefixes))
        if count != 2:
            raise AtcGraphError("queries/gaps/matrix.rq needs one '#include rows' and one '#include columns' line")
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items())) + body

    # ------------------------------------------------------------------ the map
    def categories(self, dim: Dimension) -> tuple[Category, ...]:
        if dim not in self._categories:
            rows = self.engine.select(self.text(f"{dim.name}-categories", dim.level)).rows
            if not rows:
                raise AtcGraphError(f"dimension {dim.spec} has no categories in the graph")
            self._categories[dim] = tuple(Category(str(r[0]), str(r[1] or r[0])) for r in rows)
        return self._categories[dim]

    def matrix(self, rows: Dimension, columns: Dimension) -> Matrix:
        key = (rows, columns)
        if key not in self._matrices:
            sparql = self.compose(rows, columns)
            cells, row_totals, column_totals, total = {}, {}, {}, EMPTY
            for row, column, n, vivo, vitro, members in self.engine.select(sparql).rows:
                count = Count(int(n), int(vivo), int(vitro), tuple(sorted(str(members or "").split())))
                if row is not None and column is not None:
                    cells[(str(row), str(column))] = count
                elif row is not None:
                    row_totals[str(row)] = count
                elif column is not None:
                    column_totals[str(column)] = count
                else:
                    total = count
            self._matrices[key] = Matrix(rows, columns, self.categories(rows), self.categories(columns),
                                         cells, row_totals, column_totals, total, sparql)
        return self._matrices[key]

    def report(self, rows: Dimension, columns: Dimension) -> GapReport:
        matrix = self.matrix(rows, columns)
        carriers = None
        if "carrier" not in (rows.name, columns.name):
            carriers = self.matrix(rows, Dimension.parse("carrier"))
        return GapReport(matrix, rank(matrix, carriers), self.studies(), self.review_gaps())

    def studies(self) -> dict[str, Study]:
        if self._studies is None:
            rows = self.engine.select(self.text("studies")).rows
            sections = self.engine.labels(sorted({r[4] for r in rows}))
            self._studies = {
                str(r[0]): Study(str(r[0]), str(r[1]), int(r[2]), int(r[3]) if r[3] is not None else None,
                                 sections.get(r[4], str(r[4])), str(r[5] or ""), _split(r[8]), _split(r[9]),
                                 _true(r[6]), _true(r[7]))
                for r in rows
            }
        return self._studies

    # ------------------------------------------------------------------ what the review says is missing
    def review_gaps(self) -> tuple[ReviewGap, ...]:
        if self._review is None:
            rows = self.engine.select(self.text("review-gaps")).rows
            terms: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
            first = {}
            for gap, label, quote, comment, kind, role, term in rows:
                first.setdefault(str(gap), (str(label), str(quote), str(comment or ""), kind == ATC.AbsenceClaim))
                terms[str(gap)][str(role)].append(str(term))
            self._review = tuple(
                ReviewGap(gap, *first[gap], checks=self._checks(terms[gap], first[gap][3])) for gap in first
            )
        return self._review

    def _checks(self, terms: dict[str, list[str]], absence: bool) -> tuple[ClaimCheck, ...]:
        scopes = [("strategy", s) for s in terms["strategy"]] + [("modality", m) for m in terms["withModality"]]
        checks = [self._check_modality(m) for m in terms["modality"]]
        for carrier in terms["carrier"]:
            checks += [self._check_carrier(carrier, scope, absence) for scope in scopes or [None]]
        return tuple(checks)

    def _check_modality(self, modality: str) -> ClaimCheck:
        matrix = self.matrix(Dimension("strategy", 1), Dimension("modality"))
        within = matrix.column_totals.get(modality, EMPTY).studies
        return ClaimCheck(_find(matrix.column_categories, modality), None, within, None, (), not within)

    def _check_carrier(self, carrier: str, scope: tuple[str, str] | None, absence: bool) -> ClaimCheck:
        rows = self._dimension_holding("carrier", carrier)
        columns = self._dimension_holding(*scope) if scope else Dimension("strategy", 1)
        matrix = self.matrix(rows, columns)
        claimed = _find(matrix.row_categories, carrier)
        everywhere = matrix.row_totals.get(carrier, EMPTY).studies
        if scope is None:
            return ClaimCheck(claimed, None, everywhere, None, (), not everywhere)
        within = matrix.cell(carrier, scope[1]).studies
        expected = matrix.expected(carrier, scope[1])
        confirmed = not within if absence else len(within) < expected or not within
        elsewhere = tuple(s for s in everywhere if s not in within)
        return ClaimCheck(claimed, _find(matrix.column_categories, scope[1]), within,
                          None if absence else expected, elsewhere, confirmed)

    def _dimension_holding(self, name: str, iri: str) -> Dimension:
        """The shallowest level of a dimension at which ``iri`` is a category."""
        levels = range(1, MAX_LEVEL + 1) if DIMENSIONS[name][2] is not None else [None]
        for level in levels:
            dim = Dimension(name, level)
            if any(c.iri == iri for c in self.categories(dim)):
                return dim
        raise AtcGraphError(f"{curie(iri)} is not a category of the {name} dimension")


def rank(matrix: Matrix, carriers: Matrix | None = None) -> tuple[Gap, ...]:
    """Cells holding fewer studies than expected, most surprising first (lowest Poisson P, then larger E)."""
    found = []
    for row in matrix.row_categories:
        for column in matrix.column_categories:
            expected = matrix.expected(row.iri, column.iri)
            observed = matrix.cell(row.iri, column.iri).n
            if observed >= expected:
                continue
            found.append(Gap(
                row, column, observed, expected, poisson_cdf(observed, expected),
                _neighbours(matrix.column_categories, lambda c: matrix.cell(row.iri, c.iri).n, column),
                _neighbours(matrix.row_categories, lambda r: matrix.cell(r.iri, column.iri).n, row),
                _neighbours(carriers.column_categories, lambda c: carriers.cell(row.iri, c.iri).n) if carriers else (),
                reproduce(matrix.rows, matrix.columns, row, column),
            ))
    return tuple(sorted(found, key=lambda g: (g.score, -g.expected, g.row.label.lower(), g.column.label.lower())))


def reproduce(rows: Dimension, columns: Dimension, row: Category, column: Category) -> str:
    """The canned query that lists one cell's studies (none, for an empty cell)."""
    if rows.of_classes and columns.of_classes:
        name, params = "studies-in-class-pair", (("firstClass", row), ("secondClass", column))
    elif rows.of_classes or columns.of_classes:
        cls, other = (row, column) if rows.of_classes else (column, row)
        name, params = "studies-in-class-cell", (("carrierOrPayloadClass", cls), ("category", other))
    else:
        name, params = "studies-in-cell", (("rowCategory", row), ("columnCategory", column))
    return f"atcgraph query {name} " + " ".join(f"--param {p}={curie(c.iri)}" for p, c in params)


def open_analysis(paths: Paths, engine: Engine | None = None, quiet: bool = False) -> GapAnalysis:
    """Over the built graph (rebuilt only if a source changed), with Oxigraph unless told otherwise."""
    return GapAnalysis(paths, engine if engine is not None else built_engine(paths, quiet))


def write_standard_reports(paths: Paths, engine: Engine | None = None, quiet: bool = False) -> list[Path]:
    """target × modality, carrier × strategy, payload × modality under build/reports/, with an index."""
    from atcgraph.gaps_render import write_set  # rendering imports this module's types

    analysis = open_analysis(paths, engine, quiet)
    reports = [analysis.report(Dimension.parse(r), Dimension.parse(c)) for r, c in STANDARD]
    return write_set(reports, paths.reports_dir)


def report_bytes(paths: Paths, rows: str, columns: str, fmt: str,
                 engine: Engine | None = None, quiet: bool = False) -> bytes:
    """One gap map in one format."""
    from atcgraph.gaps_render import render

    rows_dim, columns_dim = Dimension.parse(rows), Dimension.parse(columns)  # fail before building
    return render(open_analysis(paths, engine, quiet).report(rows_dim, columns_dim), fmt)


def _hoist(text: str, prefixes: dict[str, str]) -> str:
    """The query without its header and PREFIX lines, which are collected (a sub-SELECT has none)."""
    for prefix, namespace in _PREFIX.findall(text):
        if prefixes.setdefault(prefix, namespace) != namespace:
            raise AtcGraphError(f"queries/gaps: prefix {prefix}: means two namespaces")
    return _PREFIX.sub("", _HEADER.sub("", text)).strip()


def _neighbours(categories: tuple[Category, ...], count: Callable[[Category], int],
                skip: Category | None = None) -> tuple[tuple[Category, int], ...]:
    found = [(c, count(c)) for c in categories if c != skip]
    return tuple(sorted(((c, n) for c, n in found if n), key=lambda cn: (-cn[1], cn[0].label.lower())))


def _find(categories: tuple[Category, ...], iri: str) -> Category:
    return next((c for c in categories if c.iri == iri), Category(iri, curie(iri)))


def _split(joined: object) -> tuple[str, ...]:
    return tuple(sorted({part for part in str(joined or "").split("|") if part}, key=str.lower))


def _true(value: object) -> bool:
    return str(value).lower() in {"true", "1"}
