"""atcgraph: knowledge graph of nanomedicine studies for anaplastic thyroid cancer.

The product is the declarative RDF/OWL/SHACL/SPARQL files; this package only
loads, reasons over, validates, reports on and exports them.
"""

__version__ = "0.1.0"
