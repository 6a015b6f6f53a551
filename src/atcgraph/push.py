"""`atcgraph push`: upload the release into any SPARQL 1.1 store by the Graph Store Protocol.

What goes up is one graph: the ontology, the data and their OWL RL entailments (the graph the
canned queries are written for) plus the canned queries as RDF, so the store's users find them.
It is sent with PUT, which replaces the target graph: pushing again gives the same store, not a
doubled one. Without ``--graph`` the target is the store's default graph.
"""

from __future__ import annotations

from atcgraph.catalogue import parse_iri
from atcgraph.formats import ALL_GRAPHS, canonical, read_release, serialize
from atcgraph.paths import Paths
from atcgraph.remote import DEFAULT_TIMEOUT, request, with_query


def push(paths: Paths, endpoint: str, graph: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> str:
    """PUT the release graph to ``endpoint`` (the store's Graph Store Protocol URL); a line to print."""
    if graph:
        graph = str(parse_iri(graph, what="--graph"))
    graphs, _ = read_release(paths, ALL_GRAPHS)
    body = serialize(canonical(graphs), "ntriples", {})
    url = with_query(endpoint, graph=graph) if graph else with_query(endpoint, default=None)
    request("PUT", url, body, headers={"Content-Type": "application/n-triples"}, timeout=timeout)
    target = f"graph <{graph}>" if graph else "the default graph"
    triples = len(body.splitlines())  # N-Triples: one a line
    return f"pushed {triples} triples to {target} of {endpoint}\n"
