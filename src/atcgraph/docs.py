"""`atcgraph docs`: the ontology's documentation as HTML, by pyLODE, into build/docs/.

pyLODE is an optional extra (``pip install 'atcgraph[docs]'``): its 3.5 and later releases need
Python 3.12, so the extra pins the last one that runs on 3.11 and documents this ontology.
"""

from __future__ import annotations

import logging

from atcgraph.errors import AtcGraphError
from atcgraph.export import write_text
from atcgraph.paths import Paths


def docs(paths: Paths) -> str:
    """Write build/docs/index.html from the release's ontology; a line to print."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    try:
        from pylode import OntPub
    except ImportError as exc:
        raise AtcGraphError("pyLODE is not installed; pip install 'atcgraph[docs]' installs it") from exc
    finally:  # importing pyLODE calls logging.basicConfig(level=DEBUG): undo it, keep stderr quiet
        root.setLevel(level)
        root.handlers[:] = handlers
    source = paths.release_dir / "ontology.ttl"
    try:
        html = OntPub(str(source), sort_subjects=True).make_html()
    except Exception as exc:  # pyLODE raises its own and rdflib's errors alike
        raise AtcGraphError(f"{source}: pyLODE cannot document it: {exc}") from exc
    write_text(html, paths.docs_html)
    return f"wrote {paths.docs_html}\n"
