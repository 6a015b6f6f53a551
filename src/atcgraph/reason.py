"""Stage 2: materialise the OWL-RL closure so queries and shapes see implied facts.

Axiomatic and datatype-axiom triples are off: they add hundreds of facts about
the RDF/OWL vocabulary itself (``rdf:type a rdf:Property`` ...) that no query
or shape needs, and they would drown the project's own facts in the output.
"""

from __future__ import annotations

import re

import owlrl
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF

from atcgraph.errors import InconsistencyError
from atcgraph.vocab import describe

# Where owlrl records contradictions it meets (its own choice of vocabulary).
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
_IRI = re.compile(r"https?://[^\s,()'\"<>]+")


def reason(graph: Graph) -> Graph:
    """A new graph: the asserted one plus everything OWL-RL entails from it.

    Raises InconsistencyError if the closure is contradictory, since any
    query answer over a contradictory graph would be meaningless.
    """
    closure = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        closure.bind(prefix, namespace)
    closure += graph
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    messages = _take_errors(closure)
    _drop_non_rdf(closure)
    culprits = _culprits(closure, messages)
    if culprits:
        raise InconsistencyError(culprits)
    return closure


def _take_errors(closure: Graph) -> list[str]:
    """Remove owlrl's error nodes from the graph and return their messages."""
    messages = []
    for node in list(closure.subjects(RDF.type, ERR.ErrorMessage)):
        messages.extend(str(m) for m in closure.objects(node, ERR.error))
        closure.remove((node, None, None))
    return messages


def _drop_non_rdf(closure: Graph) -> None:
    """Drop what owlrl derives but RDF cannot say or nobody needs.

    Triples with a literal subject (``"2020" owl:sameAs "2020"``) are not valid
    RDF and cannot be written as Turtle; ``x owl:sameAs x`` holds for every
    node and would double the graph for nothing.
    """
    for s, p, o in list(closure):
        if isinstance(s, Literal) or not isinstance(p, URIRef) or (p == OWL.sameAs and s == o):
            closure.remove((s, p, o))


def _culprits(closure: Graph, messages: list[str]) -> list[str]:
    """owlrl's messages with each IRI shown with its label, plus owl:Nothing members."""
    lines = {_IRI.sub(lambda m: describe(closure, URIRef(m.group(0))), msg) for msg in messages}
    mentioned = " ".join(messages)
    for node in closure.subjects(RDF.type, OWL.Nothing):
        if str(node) not in mentioned:
            lines.add(f"{describe(closure, node)} is an instance of owl:Nothing")
    return sorted(lines)
