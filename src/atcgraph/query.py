"""Stage 5: run a canned query over the built graph, with its parameters checked."""

from __future__ import annotations

import textwrap

from rdflib import URIRef

from atcgraph.build import built_engine
from atcgraph.catalogue import CannedQuery, catalogue, parse_iri, resolve
from atcgraph.engines import Engine
from atcgraph.errors import AtcGraphError
from atcgraph.paths import Paths
from atcgraph.results import render
from atcgraph.vocab import shorten as _short


def run_query(paths: Paths, name_or_file: str, values: dict[str, str], fmt: str,
              engine: Engine | None = None, quiet: bool = False) -> str:
    """Bind, check and run one query over the built graph; the formatted result."""
    query = resolve(name_or_file, paths)
    text = query.bind(values)
    if engine is None:
        engine = built_engine(paths, quiet)
    check_parameter_types(query, values, engine)
    return render(engine.select(text), engine, fmt)


def check_parameter_types(query: CannedQuery, values: dict[str, str], engine: Engine) -> None:
    """A bound IRI must be an instance of the class the header names, or the answer is empty for
    a reason the user cannot see (a typo, a class instead of an individual)."""
    for name, value in values.items():
        expected = query.parameters.get(name)
        if not expected:
            continue
        iri = parse_iri(value, what=f"parameter {name}")
        members = engine.select(f"SELECT ?x WHERE {{ ?x a <{URIRef(expected)}> }} ORDER BY ?x").rows
        allowed = [str(row[0]) for row in members]
        if str(iri) not in allowed:
            shown = ", ".join(_short(a) for a in allowed)
            raise AtcGraphError(f"parameter {name}: {_short(str(iri))} is not a {_short(expected)}; one of: {shown}")


def query_list(paths: Paths) -> str:
    """Each canned query's name, summary and question, for ``atcgraph query --list``."""
    lines = []
    for query in catalogue(paths).values():
        lines.append(f"{query.name}\n    {query.summary}\n")
        lines += [f"    {line}\n" for line in textwrap.wrap(query.description, 92)]
        for name, default in query.defaults.items():
            lines.append(f"    --param {name}=IRI  (default {_short(default)})\n")
    return "".join(lines)


