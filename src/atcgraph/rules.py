"""The fast reasoner: the OWL 2 RL rules the ontology uses, run as SPARQL updates inside Oxigraph.

owlrl (reason.py) stays the reference; tests/test_fastpath.py proves that on the real graph this
closure equals owlrl's for every entailment the queries and shapes use. Here the small schema is
read once and closed in Python (sub-class and sub-property closure, chains, restrictions), then
compiled into a handful of data-level updates that run to a fixpoint. That is what keeps reasoning
linear in the data: no update ever joins the schema with itself.

OWL 2 RL rules implemented (names from the OWL 2 profiles document, table 4-9):
prp-dom, prp-rng (non-literal objects), prp-spo1, prp-spo2 (property chains), prp-inv1/2, prp-trp,
cls-svf1, cls-hv1, cls-hv2, cax-sco, scm-sco/scm-spo (schema closure), and the consistency checks
cax-dw, cax-adc, cls-nothing2 and eq-diff1 through functional properties (prp-fp).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from atcgraph.errors import InconsistencyError
from atcgraph.vocab import shorten

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
_MAX_ROUNDS = 20


@dataclass
class Schema:
    """The schema facts the rules need, closed transitively."""

    superclasses: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    superproperties: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    inverses: set[tuple[str, str]] = field(default_factory=set)
    chains: list[tuple[str, list[str]]] = field(default_factory=list)
    transitive: set[str] = field(default_factory=set)
    domains: set[tuple[str, str]] = field(default_factory=set)
    ranges: set[tuple[str, str]] = field(default_factory=set)
    # ∃p.C ⊑ ...: (p, C, named superclasses, hasValue pairs of superclasses)
    some_values: list[tuple[str, str, set[str], list[tuple[str, str]]]] = field(default_factory=list)
    # ∃p.{v} ⊑ ...: (p, v, named superclasses, hasValue pairs of superclasses)
    has_value_sub: list[tuple[str, str, set[str], list[tuple[str, str]]]] = field(default_factory=list)
    has_value_super: list[tuple[str, str, str]] = field(default_factory=list)  # (C, p, v): C ⊑ ∃p.{v}
    disjoint: set[tuple[str, str]] = field(default_factory=set)
    functional: set[str] = field(default_factory=set)


def reason_store(store: ox.Store) -> int:
    """Materialise the closure in ``store``; return the number of triples added.

    Raises InconsistencyError naming the culprits, as the owlrl path does.
    """
    schema = read_schema(store)
    updates = compile_updates(schema)
    start = len(store)
    store.extend(_schema_closure(schema))
    before = len(store)
    for _ in range(_MAX_ROUNDS):
        for update in updates:
            store.update(update)
        after = len(store)
        if after == before:
            break
        before = after
    _check_consistency(store, schema)
    return len(store) - start


def _key(term: object) -> str:
    """A term as a string key: IRIs as themselves, blank nodes as ``_:id``."""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value  # type: ignore[attr-defined]


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(_key(term) for term in solution) for solution in store.query(query)]


def _is_blank(node: str) -> bool:
    return node.startswith("_:")


def _close(pairs: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Transitive closure (without reflexive pairs) of a small relation."""
    direct: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        if a != b:
            direct[a].add(b)
    closed: dict[str, set[str]] = defaultdict(set)
    for start in list(direct):
        stack, seen = list(direct[start]), set()
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(direct.get(node, ()))
        closed[start] = seen - {start}
    return closed


def _term(node: str) -> object:
    return ox.BlankNode(node[2:]) if _is_blank(node) else ox.NamedNode(node)


def _objects(store: ox.Store, subject: str, predicate: str) -> list[str]:
    """Objects by direct pattern lookup: SPARQL cannot name a stored blank node."""
    return [_key(q.object) for q in store.quads_for_pattern(_term(subject), ox.NamedNode(predicate), None)]


def _list(store: ox.Store, head: str) -> list[str]:
    """The members of an RDF list, in order."""
    items, node = [], head
    while node != f"{RDF}nil":
        first, rest = _objects(store, node, f"{RDF}first"), _objects(store, node, f"{RDF}rest")
        if not first or not rest:
            break
        items.append(first[0])
        node = rest[0]
    return items


def read_schema(store: ox.Store) -> Schema:
    """The schema part of the store, read with a few small queries and closed in Python."""
    schema = Schema()
    schema.superclasses = _close(_rows(store, f"SELECT ?a ?b WHERE {{ ?a <{RDFS}subClassOf> ?b }}"))
    schema.superproperties = _close(_rows(store, f"SELECT ?a ?b WHERE {{ ?a <{RDFS}subPropertyOf> ?b }}"))
    for p, q in _rows(store, f"SELECT ?p ?q WHERE {{ ?p <{OWL}inverseOf> ?q }}"):
        schema.inverses |= {(p, q), (q, p)}
    schema.transitive = {r[0] for r in _rows(store, f"SELECT ?p WHERE {{ ?p a <{OWL}TransitiveProperty> }}")}
    schema.functional = {r[0] for r in _rows(store, f"SELECT ?p WHERE {{ ?p a <{OWL}FunctionalProperty> }}")}
    schema.domains = set(_rows(store, f"SELECT ?p ?c WHERE {{ ?p <{RDFS}domain> ?c FILTER isIRI(?c) }}"))
    schema.ranges = set(_rows(store, f"SELECT ?p ?c WHERE {{ ?p <{RDFS}range> ?c FILTER isIRI(?c) }}"))
    for prop, head in _rows(store, f"SELECT ?p ?l WHERE {{ ?p <{OWL}propertyChainAxiom> ?l }}"):
        schema.chains.append((prop, _list(store, head)))

    def named(r: str) -> set[str]:
        return {c for c in schema.superclasses.get(r, set()) if not _is_blank(c)} | (set() if _is_blank(r) else {r})

    restrictions = _rows(store, f"SELECT ?r ?p ?v WHERE {{ ?r <{OWL}onProperty> ?p ; <{OWL}hasValue> ?v }}")
    values_of = {r: (p, v) for r, p, v in restrictions}

    def values(r: str) -> list[tuple[str, str]]:
        """The (property, value) pairs a member of ``r`` gets from hasValue superclasses (cls-hv1)."""
        return [values_of[c] for c in schema.superclasses.get(r, set()) | {r} if c in values_of]

    for r, p, c in _rows(store, f"SELECT ?r ?p ?c WHERE {{ ?r <{OWL}onProperty> ?p ; <{OWL}someValuesFrom> ?c }}"):
        schema.some_values.append((p, c, named(r), values(r)))
    for r, p, v in restrictions:
        schema.has_value_sub.append((p, v, named(r), [pv for pv in values(r) if pv != (p, v)]))
    schema.has_value_super = [(c, p, v) for c in list(schema.superclasses) if not _is_blank(c)
                              for p, v in values(c)]
    schema.disjoint = set(_rows(store, f"SELECT ?a ?b WHERE {{ ?a <{OWL}disjointWith> ?b }}"))
    for (group,) in _rows(store, f"SELECT ?g WHERE {{ ?g a <{OWL}AllDisjointClasses> }}"):
        for head in _objects(store, group, f"{OWL}members"):
            members = _list(store, head)
            schema.disjoint |= {(a, b) for i, a in enumerate(members) for b in members[i + 1:]}
    return schema


def _schema_closure(schema: Schema) -> list[ox.Quad]:
    """scm-sco and scm-spo: the closed sub-class and sub-property hierarchy among named terms."""
    quads = []
    for relation, predicate in ((schema.superclasses, f"{RDFS}subClassOf"), (schema.superproperties, f"{RDFS}subPropertyOf")):
        for a, supers in relation.items():
            quads += [ox.Quad(ox.NamedNode(a), ox.NamedNode(predicate), ox.NamedNode(b))
                      for b in supers if not _is_blank(a) and not _is_blank(b)]
    return quads


def _values(rows: list[tuple[str, ...]]) -> str:
    return " ".join("(" + " ".join(f"<{t}>" for t in row) + ")" for row in sorted(rows))


def compile_updates(schema: Schema) -> list[str]:
    """Data-level SPARQL updates, one per rule family, with the schema as VALUES tables."""
    updates = []
    sub_props = [(p, q) for p, qs in schema.superproperties.items() for q in qs if not _is_blank(p)]
    if sub_props:
        updates.append(f"INSERT {{ ?x ?q ?y }} WHERE {{ VALUES (?p ?q) {{ {_values(sub_props)} }} ?x ?p ?y }}")
    if schema.inverses:
        updates.append(f"INSERT {{ ?y ?q ?x }} WHERE {{ VALUES (?p ?q) {{ {_values(sorted(schema.inverses))} }} "
                       "?x ?p ?y FILTER(!isLiteral(?y)) }")
    for prop, links in schema.chains:
        hops = " ".join(f"?v{i} <{p}> ?v{i + 1} ." for i, p in enumerate(links))
        updates.append(f"INSERT {{ ?v0 <{prop}> ?v{len(links)} }} WHERE {{ {hops} }}")
    for prop in sorted(schema.transitive):
        updates.append(f"INSERT {{ ?x <{prop}> ?z }} WHERE {{ ?x <{prop}> ?y . ?y <{prop}>+ ?z }}")
    for p, v, supers, implied in schema.has_value_sub:
        heads = [f"?x a <{c}> ." for c in sorted(supers)] + [f"?x <{q}> <{w}> ." for q, w in sorted(implied)]
        if heads:
            updates.append(f"INSERT {{ {' '.join(heads)} }} WHERE {{ ?x <{p}> <{v}> }}")
    if schema.has_value_super:
        rows = _values([(c, p, v) for c, p, v in schema.has_value_super])
        updates.append(f"INSERT {{ ?x ?p ?v }} WHERE {{ VALUES (?c ?p ?v) {{ {rows} }} ?x a ?c }}")
    for p, c, supers, implied in schema.some_values:
        heads = [f"?x a <{d}> ." for d in sorted(supers)] + [f"?x <{q}> <{w}> ." for q, w in sorted(implied)]
        if heads:
            updates.append(f"INSERT {{ {' '.join(heads)} }} WHERE {{ ?x <{p}> ?y . ?y a <{c}> }}")
    if schema.domains:
        updates.append(f"INSERT {{ ?x a ?c }} WHERE {{ VALUES (?p ?c) {{ {_values(sorted(schema.domains))} }} ?x ?p ?y }}")
    if schema.ranges:
        updates.append(f"INSERT {{ ?y a ?c }} WHERE {{ VALUES (?p ?c) {{ {_values(sorted(schema.ranges))} }} "
                       "?x ?p ?y FILTER(!isLiteral(?y)) }")
    sub_classes = [(c, d) for c, ds in schema.superclasses.items() for d in ds
                   if not _is_blank(c) and not _is_blank(d)]
    if sub_classes:
        updates.append(f"INSERT {{ ?x a ?d }} WHERE {{ VALUES (?c ?d) {{ {_values(sub_classes)} }} ?x a ?c }}")
    return updates


def _describe(store: ox.Store, node: str) -> str:
    """``atcd:x "Its label"``, as the owlrl path names culprits."""
    labels = sorted(_objects(store, node, f"{RDFS}label"))
    return f'{shorten(node)} "{labels[0]}"' if labels else shorten(node)


def _check_consistency(store: ox.Store, schema: Schema) -> None:
    culprits = []
    if schema.disjoint:
        rows = _values(sorted(schema.disjoint))
        for x, a, b in _rows(store, f"SELECT ?x ?a ?b WHERE {{ VALUES (?a ?b) {{ {rows} }} ?x a ?a , ?b }}"):
            culprits.append(f"{_describe(store, x)} is an instance of the disjoint classes "
                            f"{shorten(a)} and {shorten(b)}")
    for (x,) in _rows(store, f"SELECT ?x WHERE {{ ?x a <{OWL}Nothing> }}"):
        culprits.append(f"{_describe(store, x)} is an instance of owl:Nothing")
    for prop in sorted(schema.functional):
        query = (f"SELECT ?x ?a ?b WHERE {{ ?x <{prop}> ?a , ?b . FILTER(isIRI(?a) && STR(?a) < STR(?b)) "
                 f"{{ ?a <{OWL}differentFrom> ?b }} UNION {{ ?g <{OWL}distinctMembers> ?l . "
                 f"?l <{RDF}rest>*/<{RDF}first> ?a . ?l <{RDF}rest>*/<{RDF}first> ?b }} }}")
        for x, a, b in _rows(store, query):
            culprits.append(f"{_describe(store, x)} has two different values {shorten(a)} and {shorten(b)} "
                            f"of the functional property {shorten(prop)}")
    if culprits:
        raise InconsistencyError(sorted(set(culprits)))
