"""The canned queries as data: read queries/*.rq, their grlc-style headers and parameters.

A query file is plain SPARQL 1.1 with a header (``#+ summary:``, ``#+ description:``,
``#+ tags:``, ``#+ defaults:``, ``#+ parameters:``). Each parameter appears in the body as one
``VALUES ?name { default }`` line, so the file runs unchanged in any SPARQL store; binding a
parameter replaces that line's term with the user's value, parsed and checked as an RDF term
first and written back by rdflib, so no user text ever reaches the query unparsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH

from atcgraph.errors import AtcGraphError
from atcgraph.paths import Paths
from atcgraph.vocab import PREFIXES

QUERIES_NS = Namespace("https://w3id.org/atcgraph/queries/")
SCHEMA = Namespace("https://schema.org/")
# Where `atcgraph serve` answers by default: the endpoint these queries are written for.
DEFAULT_ENDPOINT = URIRef("http://127.0.0.1:7878/query")
_HEADER = re.compile(r"^#\+\s?(.*)$")
_KEY = re.compile(r"^(\w+):\s*(.*)$")
_ITEM = re.compile(r"^\s+-\s+(.*)$")
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


@dataclass(frozen=True)
class CannedQuery:
    """One ``.rq`` file: its header as data and its SPARQL text."""

    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)  # name -> class its value must have

    @classmethod
    def from_file(cls, path: Path) -> CannedQuery:
        text = path.read_text(encoding="utf-8")
        header = _parse_header(text)
        return cls(
            name=path.stem,
            path=path,
            text=text,
            summary=str(header.get("summary", "")),
            description=str(header.get("description", "")),
            tags=tuple(header.get("tags", ())),
            defaults=_pairs(header.get("defaults", ())),
            parameters=_pairs(header.get("parameters", ())),
        )

    def bind(self, values: dict[str, str]) -> str:
        """The query text with each parameter's VALUES line holding the given (or default) term."""
        unknown = sorted(set(values) - set(self.defaults))
        if unknown:
            known = ", ".join(self.defaults) or "none"
            raise AtcGraphError(f"query {self.name} has no parameter {', '.join(unknown)} (parameters: {known})")
        text = self.text
        for name in self.defaults:
            if name not in values:
                continue
            term = parse_iri(values[name], what=f"parameter {name}")
            text = set_values(text, name, term.n3(), where=f"{self.path}: parameter {name}")
        return text


def set_values(text: str, name: str, term: str, where: str) -> str:
    """``text`` with its one ``VALUES ?name { ... }`` line holding ``term`` (SPARQL syntax, checked
    by the caller); ``where`` names the query in the error when there is not exactly one line."""
    text, count = _values_line(name).subn(lambda m: f"{m.group(1)} {term} {m.group(3)}", text)
    if count != 1:
        raise AtcGraphError(f"{where} needs exactly one 'VALUES ?{name} {{ ... }}' line")
    return text


def catalogue(paths: Paths) -> dict[str, CannedQuery]:
    """Every canned query by name, in name order."""
    if not paths.queries_dir.is_dir():
        raise AtcGraphError(f"{paths.relative(paths.queries_dir)}: folder not found")
    return {p.stem: CannedQuery.from_file(p) for p in sorted(paths.queries_dir.glob("*.rq"))}


def resolve(name_or_file: str, paths: Paths) -> CannedQuery:
    """A canned query by name, or any ``.rq`` file by path."""
    queries = catalogue(paths)
    if name_or_file in queries:
        return queries[name_or_file]
    path = Path(name_or_file)
    if path.suffix == ".rq":
        if not path.is_file():
            raise AtcGraphError(f"{path}: file not found")
        return CannedQuery.from_file(path)
    raise AtcGraphError(f"no canned query named {name_or_file!r}; `atcgraph query --list` shows them")


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``name=value`` strings from the command line into a dict."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise AtcGraphError(f"--param expects name=value, got {pair!r}")
        values[name.strip()] = value.strip()
    return values


def parse_iri(value: str, what: str = "value") -> URIRef:
    """A full IRI (with or without <>) or a prefixed name with a project prefix, else an error."""
    text = value[1:-1] if value.startswith("<") and value.endswith(">") else value
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and re.fullmatch(r"[\w.\-]*", local):
        return URIRef(str(PREFIXES[prefix]) + local)
    if _IRI.match(text) and "//" in text:
        return URIRef(text)
    known = ", ".join(f"{p}:" for p in PREFIXES)
    raise AtcGraphError(f"{what}: {value!r} is not an IRI (give <https://...> or a prefixed name with {known})")


def _values_line(name: str) -> re.Pattern[str]:
    return re.compile(r"(VALUES\s+\?" + re.escape(name) + r"\s*\{)([^}]*)(\})", re.IGNORECASE)


def default_term(query: CannedQuery, name: str) -> str:
    """The term written in the body's VALUES line for a parameter (what runs when unbound)."""
    matches = _values_line(name).findall(query.text)
    return matches[0][1].strip() if len(matches) == 1 else ""


def _parse_header(text: str) -> dict[str, object]:
    """grlc decorators: ``#+ key: value`` or ``#+ key:`` followed by ``#+   - item`` lines."""
    header: dict[str, object] = {}
    key = None
    for line in text.splitlines():
        match = _HEADER.match(line)
        if not match:
            if line.strip() and not line.startswith("#"):
                break
            continue
        body = match.group(1)
        item = _ITEM.match(body)
        if item and key:
            current = header.setdefault(key, [])
            if isinstance(current, list):
                current.append(item.group(1).strip())
            continue
        pair = _KEY.match(body.strip())
        if pair:
            key, value = pair.group(1), pair.group(2).strip()
            header[key] = value if value else []
    return header


def _pairs(items: object) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items if isinstance(items, list) else ():
        name, _, value = str(item).partition(":")
        out[name.strip()] = value.strip()
    return out


def as_rdf(queries: dict[str, CannedQuery]) -> Graph:
    """The catalogue as RDF in the SIB sparql-examples convention, so endpoint users can find it."""
    graph = Graph(bind_namespaces="none")
    for prefix, ns in (("sh", SH), ("rdfs", RDFS), ("schema", SCHEMA), ("atcq", QUERIES_NS)):
        graph.bind(prefix, ns)
    for query in queries.values():
        node = QUERIES_NS[query.name]
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, SH.SPARQLSelectExecutable))
        graph.add((node, RDFS.label, Literal(query.summary, lang="en")))
        graph.add((node, RDFS.comment, Literal(query.description, lang="en")))
        graph.add((node, SH.select, Literal(query.text)))
        graph.add((node, SCHEMA.target, DEFAULT_ENDPOINT))
        for tag in query.tags:
            graph.add((node, SCHEMA.keywords, Literal(tag)))
    return graph
