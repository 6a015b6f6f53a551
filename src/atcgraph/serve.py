"""`atcgraph serve`: a read-only SPARQL endpoint with a query page, by the Oxigraph server.

No HTTP server of our own: the release's TriG is loaded into an Oxigraph database under
build/store/ (again only when the build changed), then this process becomes
``oxigraph serve-read-only``, which answers SPARQL 1.1 queries at /query, shows a query page
at /, cancels a query after the timeout, and refuses updates and Graph Store writes with 403.
The default graph is the union of the release's named graphs, so the canned queries run as
they are. SERVICE federation cannot be switched off in the server: see the README for
deploying it where it cannot reach out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from atcgraph.errors import AtcGraphError
from atcgraph.export import write_bytes
from atcgraph.paths import Paths

DEFAULT_BIND = "127.0.0.1:7878"
DEFAULT_TIMEOUT = 30  # seconds per query


def server_binary() -> str:
    """The ``oxigraph`` command of this environment (PyPI package ``oxigraph``), else of PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise AtcGraphError("the Oxigraph server is not installed; pip install 'atcgraph[server]' installs it")
    return found


def prepare_store(paths: Paths, binary: str) -> Path:
    """build/store/ holding the release, loaded anew when the build it came from has changed."""
    manifest = paths.manifest_json.read_bytes()
    if paths.store_dir.is_dir() and paths.store_manifest.is_file() and paths.store_manifest.read_bytes() == manifest:
        return paths.store_dir
    fresh = paths.store_dir.with_name(f".{paths.store_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(fresh, ignore_errors=True)
    loaded = subprocess.run([binary, "load", "--location", str(fresh), "--file", str(paths.release_trig)],
                            capture_output=True, text=True, check=False)
    if loaded.returncode != 0:
        shutil.rmtree(fresh, ignore_errors=True)
        raise AtcGraphError(f"oxigraph load failed: {loaded.stderr.strip()[-500:]}")
    paths.store_manifest.unlink(missing_ok=True)
    shutil.rmtree(paths.store_dir, ignore_errors=True)
    os.replace(fresh, paths.store_dir)
    write_bytes(manifest, paths.store_manifest)
    return paths.store_dir


def command(paths: Paths, bind: str, timeout: int) -> list[str]:
    """The server's command line: read-only, union default graph, a timeout per query."""
    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise AtcGraphError(f"--bind expects HOST:PORT, got {bind!r}")
    if timeout <= 0:
        raise AtcGraphError("--timeout must be a positive number of seconds")
    binary = server_binary()
    store = prepare_store(paths, binary)
    return [binary, "serve-read-only", "--location", str(store), "--bind", bind,
            "--timeout-s", str(timeout), "--union-default-graph"]


def serve(paths: Paths, bind: str = DEFAULT_BIND, timeout: int = DEFAULT_TIMEOUT, quiet: bool = False) -> None:
    """Replace this process by the server (so stopping it stops the server); returns only on error."""
    argv = command(paths, bind, timeout)
    if not quiet and bind.rpartition(":")[0] not in ("127.0.0.1", "localhost", "[::1]"):
        print(f"atcgraph: note: {bind} may be reachable from other machines; the README says how to keep "
              "the server from reaching out (SERVICE)", file=sys.stderr)
    if not quiet:
        print(f"atcgraph: read-only SPARQL endpoint http://{bind}/query, query page http://{bind}/ "
              f"(queries cancelled after {timeout} s); Ctrl-C stops", file=sys.stderr, flush=True)
    sys.stdout.flush()
    try:
        os.execv(argv[0], argv)
    except OSError as exc:
        raise AtcGraphError(f"cannot start {argv[0]}: {exc.strerror or exc}") from exc
