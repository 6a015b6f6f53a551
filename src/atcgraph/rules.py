"""The fast reasoner: the OWL 2 RL rules the ontology uses, run as SPARQL updates inside Oxigraph.

owlrl (reason.py) stays the reference; tests/test_fastpath.py proves that on the real graph this
closure equals owlrl's for every entailment the queries and shapes use.

How it stays fast: the small schema is read once and closed in Python, and every rule's head is
written out with everything the schema makes follow from it (a derived property brings its
super-properties and their inverses; a derived type brings its superclasses and the values its
hasValue superclasses imply). Ordered property rules → class rules → chains → restrictions →
domain/range, one pass derives nearly everything; further passes only confirm the fixpoint, and
each rule inserts only what is missing (``FILTER NOT EXISTS``), since inserting is what costs.

OWL 2 RL rules implemented (names from the OWL 2 profiles document, tables 4-9): prp-dom,
prp-rng (non-literal objects), prp-spo1, prp-spo2 (property chains), prp-inv1/2, prp-trp,
cls-svf1, cls-hv1, cls-hv2, cax-sco, scm-sco and scm-spo (schema closure), and the consistency
checks cax-dw, cax-adc, cls-nothing2 and eq-diff1 through functional properties (prp-fp).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from atcgraph.engines import on_every_core
from atcgraph.errors import InconsistencyError
from atcgraph.progress import bar
from atcgraph.vocab import shorten

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
_MAX_ROUNDS = 20


@dataclass
class Schema:
    """The schema facts the rules need, closed transitively. Blank nodes are keyed ``_:id``."""

    superclasses: dict[str, set[str]] = field(default_factory=dict)
    superproperties: dict[str, set[str]] = field(default_factory=dict)
    inverses: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    chains: list[tuple[str, list[str]]] = field(default_factory=list)
    transitive: set[str] = field(default_factory=set)
    domains: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    some_values: list[tuple[str, str, str]] = field(default_factory=list)  # (restriction, p, C)
    has_value: dict[str, tuple[str, str]] = field(default_factory=dict)  # restriction -> (p, v)
    disjoint_pairs: set[tuple[str, str]] = field(default_factory=set)
    disjoint_groups: list[list[str]] = field(default_factory=list)
    functional: set[str] = field(default_factory=set)

    def property_states(self, p: str) -> set[tuple[str, bool]]:
        """(q, flipped) for every property a ``p`` triple implies; flipped means subject and object swap."""
        seen, stack = set(), [(p, False)]
        while stack:
            q, flipped = stack.pop()
            if (q, flipped) in seen:
                continue
            seen.add((q, flipped))
            stack += [(r, flipped) for r in self.superproperties.get(q, ())]
            stack += [(r, not flipped) for r in self.inverses.get(q, ())]
        return seen

    def class_closure(self, c: str) -> tuple[set[str], set[tuple[str, str]]]:
        """Named classes and hasValue (property, value) pairs that membership of ``c`` implies."""
        everything = {c} | self.superclasses.get(c, set())
        return ({d for d in everything if not _is_blank(d)},
                {self.has_value[d] for d in everything if d in self.has_value})


def reason_store(store: ox.Store, quiet: bool = True) -> int:
    """Materialise the closure in ``store``; return the number of triples added.

    The first pass runs every rule whose premises occur in the store or can be derived. A later pass re-runs only
    rules that read what a rule after them wrote, except the closure rules: every head already
    carries the closure of what it concludes. Raises InconsistencyError naming the culprits, as
    the owlrl path does.
    """
    schema = read_schema(store)
    rules = compile_rules(schema)
    start = len(store)
    store.extend(_schema_closure(schema))
    reachable = _present(store)
    while True:  # keys the store has, or that rules able to fire can write
        grown = reachable.union(*(rule.writes for rule in rules if rule.reads <= reachable))
        if grown == reachable:
            break
        reachable = grown
    todo = [rule for rule in rules if rule.reads <= reachable]
    before = len(store)
    for _ in range(_MAX_ROUNDS):
        written: set[str] = set()
        rerun: list[Rule] = []
        for rule in reversed(todo):  # what a later rule writes, an earlier one must read again
            if not rule.closure and rule.reads & written:
                rerun.append(rule)
            written |= rule.writes
        for rule in bar(todo, "reasoning", quiet):
            store.update(rule.text)
        after = len(store)
        if after == before or not rerun:
            break
        before, todo = after, rerun[::-1]
    _check_consistency(store, schema)
    return len(store) - start


def _present(store: ox.Store) -> set[str]:
    """The keys rules read: every predicate in the store, and 'a <class>' for every class with members."""
    keys = {row["p"].value for row in store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}
    keys |= {f"a {row['c'].value}" for row in store.query("SELECT DISTINCT ?c WHERE { ?s a ?c }")
             if isinstance(row["c"], ox.NamedNode)}
    return keys


@dataclass(frozen=True)
class Rule:
    """One SPARQL update, with the keys (predicates, or 'a <class>') it reads and writes."""

    text: str
    reads: frozenset[str]
    writes: frozenset[str]
    closure: bool = False  # a sub-property / superclass closure rule: never needs a second pass


# ------------------------------------------------------------------------------ reading the schema

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
    closed: dict[str, set[str]] = {}
    for start in direct:
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
        schema.inverses[p].add(q)
        schema.inverses[q].add(p)
    schema.transitive = {r[0] for r in _rows(store, f"SELECT ?p WHERE {{ ?p a <{OWL}TransitiveProperty> }}")}
    schema.functional = {r[0] for r in _rows(store, f"SELECT ?p WHERE {{ ?p a <{OWL}FunctionalProperty> }}")}
    for p, c in _rows(store, f"SELECT ?p ?c WHERE {{ ?p <{RDFS}domain> ?c FILTER isIRI(?c) }}"):
        schema.domains[p].add(c)
    for p, c in _rows(store, f"SELECT ?p ?c WHERE {{ ?p <{RDFS}range> ?c FILTER isIRI(?c) }}"):
        schema.ranges[p].add(c)
    for prop, head in _rows(store, f"SELECT ?p ?l WHERE {{ ?p <{OWL}propertyChainAxiom> ?l }}"):
        schema.chains.append((prop, _list(store, head)))
    schema.some_values = _rows(store, f"SELECT ?r ?p ?c WHERE {{ ?r <{OWL}onProperty> ?p ; <{OWL}someValuesFrom> ?c }}")
    schema.has_value = {r: (p, v) for r, p, v in
                        _rows(store, f"SELECT ?r ?p ?v WHERE {{ ?r <{OWL}onProperty> ?p ; <{OWL}hasValue> ?v }}")}
    schema.disjoint_pairs = set(_rows(store, f"SELECT ?a ?b WHERE {{ ?a <{OWL}disjointWith> ?b }}"))
    for (group,) in _rows(store, f"SELECT ?g WHERE {{ ?g a <{OWL}AllDisjointClasses> }}"):
        schema.disjoint_groups += [_list(store, head) for head in _objects(store, group, f"{OWL}members")]
    return schema


def _schema_closure(schema: Schema) -> list[ox.Quad]:
    """scm-sco and scm-spo: the closed sub-class and sub-property hierarchy among named terms."""
    quads = []
    for relation, predicate in ((schema.superclasses, f"{RDFS}subClassOf"),
                                (schema.superproperties, f"{RDFS}subPropertyOf")):
        for a, supers in relation.items():
            quads += [ox.Quad(ox.NamedNode(a), ox.NamedNode(predicate), ox.NamedNode(b))
                      for b in supers if not _is_blank(a) and not _is_blank(b)]
    return quads


# ------------------------------------------------------------------------------ compiling the rules

Head = tuple[str, str]  # a triple pattern a rule writes, and its key (see Rule)


def _property_heads(schema: Schema, s: str, p: str, o: str, include_self: bool) -> list[Head]:
    """Triple patterns that an ``s p o`` triple implies (sub-properties and inverses, closed)."""
    return sorted((f"{o} <{q}> {s} ." if flipped else f"{s} <{q}> {o} .", q)
                  for q, flipped in schema.property_states(p)
                  if include_self or (q, flipped) != (p, False))


def _type_heads(schema: Schema, x: str, c: str, include_self: bool) -> list[Head]:
    """Triple patterns that ``x a c`` implies (superclasses and hasValue values, closed)."""
    classes, values = schema.class_closure(c)
    heads = {(f"{x} a <{d}> .", f"a {d}") for d in classes if include_self or d != c}
    for p, v in values:
        heads.update(_property_heads(schema, x, p, f"<{v}>", include_self=True))
    return sorted(heads)


def _rule(heads: list[Head], body: str, reads: set[str], closure: bool = False) -> Rule | None:
    """``reads``: the keys of the body's triple patterns, which decide when the rule can fire."""
    if not heads:
        return None
    head = " ".join(pattern for pattern, _ in heads)
    return Rule(f"INSERT {{ {head} }} WHERE {{ {body} FILTER NOT EXISTS {{ {head} }} }}",
                frozenset(reads), frozenset(key for _, key in heads), closure)


def compile_rules(schema: Schema) -> list[Rule]:
    """One SPARQL update per schema fact, in the order that lets one pass derive nearly everything."""
    rules: list[Rule | None] = []
    properties = set(schema.superproperties) | set(schema.inverses)
    for p in sorted(properties):
        heads = _property_heads(schema, "?x", p, "?y", False)
        rules.append(_rule([h for h in heads if h[0].startswith("?x ")], f"?x <{p}> ?y .", {p}, True))
        rules.append(_rule([h for h in heads if h[0].startswith("?y ")], f"?x <{p}> ?y . FILTER(!isLiteral(?y))",
                           {p}, True))
    for c in sorted(c for c in schema.superclasses if not _is_blank(c)):
        rules.append(_rule(_type_heads(schema, "?x", c, False), f"?x a <{c}> .", {f"a {c}"}, True))
    for prop, links in schema.chains:
        body = " ".join(f"?v{i} <{p}> ?v{i + 1} ." for i, p in enumerate(links))
        rules.append(_rule(_property_heads(schema, "?v0", prop, f"?v{len(links)}", True), body, set(links)))
    for p in sorted(schema.transitive):
        rules.append(_rule(_property_heads(schema, "?x", p, "?z", True), f"?x <{p}> ?y . ?y <{p}>+ ?z .", {p}))
    for r, p, c in sorted(schema.some_values):
        rules.append(_rule(_type_heads(schema, "?x", r, False), f"?x <{p}> ?y . ?y a <{c}> .", {p, f"a {c}"}))
    for r, (p, v) in sorted(schema.has_value.items()):
        heads = [h for h in _type_heads(schema, "?x", r, False) if h[0] != f"?x <{p}> <{v}> ."]
        rules.append(_rule(heads, f"?x <{p}> <{v}> .", {p}))
    for relation, var, extra in ((schema.domains, "?x", ""), (schema.ranges, "?y", " FILTER(!isLiteral(?y))")):
        # Properties with the same domain (range) share one rule that checks each node once.
        by_classes: dict[frozenset[str], list[str]] = defaultdict(list)
        for p, classes in relation.items():
            by_classes[frozenset(classes)].append(p)
        for classes, props in sorted(by_classes.items(), key=lambda item: sorted(item[1])):
            heads = sorted({h for c in classes for h in _type_heads(schema, var, c, True)})
            values = " ".join(f"<{p}>" for p in sorted(props))
            body = f"{{ SELECT DISTINCT {var} WHERE {{ VALUES ?p {{ {values} }} ?x ?p ?y .{extra} }} }}"
            rules.append(_rule(heads, body, set(props)))
    return [rule for rule in rules if rule]


# ------------------------------------------------------------------------------ consistency

def _describe(store: ox.Store, node: str) -> str:
    """``atcd:x "Its label"``, as the owlrl path names culprits."""
    labels = sorted(_objects(store, node, f"{RDFS}label"))
    return f'{shorten(node)} "{labels[0]}"' if labels else shorten(node)


def _iris(nodes: list[str]) -> str:
    return " ".join(f"<{n}>" for n in nodes if not _is_blank(n))


def _check_consistency(store: ox.Store, schema: Schema) -> None:
    """cax-dw/cax-adc, cls-nothing2 and eq-diff1 via prp-fp, as independent queries on both cores."""
    checks: list[tuple[str, Callable[[tuple[str, ...]], str]]] = []
    disjoint = "is an instance of the disjoint classes"
    for members in schema.disjoint_groups:  # one pass per group, not one per pair
        checks.append((f"SELECT ?x (GROUP_CONCAT(STR(?c); separator=' ') AS ?cs) WHERE {{ VALUES ?c "
                       f"{{ {_iris(members)} }} ?x a ?c }} GROUP BY ?x HAVING (COUNT(DISTINCT ?c) > 1)",
                       lambda row: "{} {} {} and {}".format(_describe(store, row[0]), disjoint,
                                                            *map(shorten, sorted(row[1].split())[:2]))))
    for a, b in sorted(schema.disjoint_pairs):
        checks.append((f"SELECT ?x WHERE {{ ?x a <{a}> , <{b}> }}",
                       lambda row, a=a, b=b: f"{_describe(store, row[0])} {disjoint} {shorten(a)} and {shorten(b)}"))
    checks.append((f"SELECT ?x WHERE {{ ?x a <{OWL}Nothing> }}",
                   lambda row: f"{_describe(store, row[0])} is an instance of owl:Nothing"))
    for prop in sorted(schema.functional):
        checks.append((f"SELECT ?x ?a ?b WHERE {{ ?x <{prop}> ?a , ?b . FILTER(isIRI(?a) && STR(?a) < STR(?b)) "
                       f"{{ ?a <{OWL}differentFrom> ?b }} UNION {{ ?g <{OWL}distinctMembers> ?l . "
                       f"?l <{RDF}rest>*/<{RDF}first> ?a . ?l <{RDF}rest>*/<{RDF}first> ?b }} }}",
                       lambda row, prop=prop: f"{_describe(store, row[0])} has two different values "
                                              f"{shorten(row[1])} and {shorten(row[2])} of the functional property "
                                              f"{shorten(prop)}"))
    found = on_every_core(lambda check: [check[1](row) for row in _rows(store, check[0])], checks)
    culprits = sorted({line for lines in found for line in lines})
    if culprits:
        raise InconsistencyError(culprits)
