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

    def relative(self, path: Path) -> str:
        """Name a file as people see it in the repository (``data/studies/x.ttl``)."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
