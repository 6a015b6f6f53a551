"""Stage 5: say in a few numbers what the graph holds, for people and for CI."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from atcgraph.vocab import ATC, compact, shorten


@dataclass(frozen=True)
class Stats:
    studies: int
    triples_asserted: int
    triples_inferred: int
    classes: dict[str, int]  # atc: class -> instances, largest first

    def to_text(self) -> str:
        added = self.triples_inferred - self.triples_asserted
        lines = [
            f"studies:          {self.studies}",
            f"triples asserted: {self.triples_asserted}",
            f"triples inferred: {self.triples_inferred} (+{added} by OWL-RL)",
        ]
        if self.classes:
            width = max(len(name) for name in self.classes)
            lines.append("instances per class:")
            lines += [f"  {name.ljust(width)}  {n}" for name, n in self.classes.items()]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def stats(asserted: Graph, inferred: Graph) -> Stats:
    """Counts come from the inferred graph, so subclass members count for their superclasses."""
    counts = Counter(
        compact(inferred, cls)
        for cls in inferred.objects(None, RDF.type)
        if isinstance(cls, URIRef) and cls.startswith(str(ATC))
    )
    classes = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return Stats(
        studies=len(set(inferred.subjects(RDF.type, ATC.Study))),
        triples_asserted=len(asserted),
        triples_inferred=len(inferred),
        classes=classes,
    )


def stats_store(store: ox.Store, asserted: int) -> Stats:
    """The same numbers from the fast path's store, counted by SPARQL inside Oxigraph."""
    rows = store.query(f"SELECT ?c (COUNT(?x) AS ?n) WHERE {{ ?x a ?c FILTER STRSTARTS(STR(?c), \"{ATC}\") }} GROUP BY ?c")
    counts = {shorten(row["c"].value): int(row["n"].value) for row in rows}
    studies = next(iter(store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{ATC.Study}> }}")))
    return Stats(
        studies=int(studies["n"].value),
        triples_asserted=asserted,
        triples_inferred=len(store),
        classes=dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))),
    )
