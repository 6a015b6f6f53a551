"""Every file location the pipeline uses, decided in one place.

Resolved from the package so the tool works from a checkout (editable
install) and from a wheel (which embeds the declarative files under
``atcgraph/resources``); both can be overridden by arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
# Page templates that travel with the code (the gap map's HTML); not user data, so not overridable.
TEMPLATES_DIR = _PACKAGE_DIR / "templates"


@dataclass(frozen=True)
class Paths:
    root: Path
    ontology_dir: Path
    data_dir: Path
    shapes_dir: Path
    queries_dir: Path
    build_dir: Path

    @classmethod
    def default(cls, root: Path | None = None, build_dir: Path | None = None) -> Paths:
        """Root: argument, else $ATCGRAPH_ROOT, else embedded resources, else the repository."""
        if root is None:
            env = os.environ.get("ATCGRAPH_ROOT")
            resources = _PACKAGE_DIR / "resources"
            if env:
                root = Path(env)
            elif resources.is_dir():
                root = resources
            else:
                root = _PACKAGE_DIR.parents[1]  # src/atcgraph -> repository root
        return cls(
            root=root,
            ontology_dir=root / "ontology",
            data_dir=root / "data",
            shapes_dir=root / "shapes",
            queries_dir=root / "queries",
            build_dir=build_dir if build_dir is not None else Path.cwd() / "build",
        )

    @property
    def asserted_ttl(self) -> Path:
        """What the files say, merged: the input of reasoning."""
        return self.build_dir / "asserted.ttl"

    @property
    def inferred_ttl(self) -> Path:
        """Asserted graph plus its OWL-RL closure: what queries run on."""
        return self.build_dir / "inferred.ttl"

    @property
    def validation_txt(self) -> Path:
        """SHACL report written for people, not machines."""
        return self.build_dir / "validation.txt"

    @property
    def queries_ttl(self) -> Path:
        """The canned queries as SPARQL executables (SIB sparql-examples), for endpoint users."""
        return self.build_dir / "queries.ttl"

    @property
    def manifest_json(self) -> Path:
        """Fingerprint of the inputs of the last build: tells when to rebuild."""
        return self.build_dir / "manifest.json"

    @property
    def gap_queries_dir(self) -> Path:
        """SPARQL the gap maps are composed from; a sub-folder, so `query --list` leaves it out."""
        return self.queries_dir / "gaps"

    @property
    def reports_dir(self) -> Path:
        """Where `atcgraph gaps` writes its standard report set."""
        return self.build_dir / "reports"

    @property
    def ontology_checks_dir(self) -> Path:
        """ROBOT-report-style SPARQL checks of the ontology: each query returns the violations."""
        return self.ontology_dir / "checks"

    @property
    def release_dir(self) -> Path:
        """The release bundle `atcgraph build` writes for other tools (see the README)."""
        return self.build_dir / "release"

    @property
    def release_trig(self) -> Path:
        """Every graph of the release in one TriG file, named: what `export` reads."""
        return self.release_dir / "atcgraph.trig"

    @property
    def void_ttl(self) -> Path:
        """VoID description of the release: statistics, licence, credit, version, provenance."""
        return self.release_dir / "void.ttl"

    @property
    def docs_dir(self) -> Path:
        """Ontology documentation (HTML) written by `atcgraph docs`."""
        return self.build_dir / "docs"

    @property
    def docs_html(self) -> Path:
        """The ontology's documentation page, one self-contained HTML file (pyLODE)."""
        return self.docs_dir / "index.html"

    @property
    def store_dir(self) -> Path:
        """The Oxigraph database `atcgraph serve` answers from, loaded from the release."""
        return self.build_dir / "store"

    @property
    def store_manifest(self) -> Path:
        """Fingerprint of the build the store was loaded from: tells when to reload it."""
        return self.build_dir / "store.json"

    def relative(self, path: Path) -> str:
        """Name a file as people see it in the repository (``data/studies/x.ttl``)."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
