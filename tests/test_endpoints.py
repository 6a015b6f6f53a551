"""The graph moves into any SPARQL 1.1 store unchanged: `atcgraph push` uploads the release to a live
Oxigraph server by the Graph Store Protocol and every canned query then answers remotely as it does
locally; `atcgraph serve` is a read-only endpoint that answers queries and refuses writes; failures
(store down, silent, refusing) end with exit 2 and a message, never a traceback or a hang.
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from rdflib import Graph

from atcgraph import cli
from atcgraph.catalogue import catalogue
from atcgraph.engines import HttpEngine, OxigraphEngine
from atcgraph.paths import Paths
from atcgraph.query import run_query
from atcgraph.serve import server_binary

from .test_queries import _normalised

QUERIES = catalogue(Paths.default())
NAMED = "https://w3id.org/atcgraph/graph/release"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    """Until the server accepts connections; fails with its output if it exits first."""
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("server did not start within 30 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A read-write Oxigraph server on 127.0.0.1, empty; its base URL."""
    binary = server_binary()  # the `oxigraph` PyPI package, from the test extra
    port = _free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
                                "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def pushed(store: str, built: Paths) -> str:
    """The release pushed into the store's default graph and, again, into a named graph."""
    for extra in ([], ["--graph", NAMED]):
        assert cli.main(["-q", "--build-dir", str(built.build_dir), "push", "--endpoint", f"{store}/store", *extra]) == 0
    return store


def _count(endpoint: str, graph: str | None = None) -> int:
    rows = HttpEngine(endpoint, graph).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    return int(rows[0][0])


# ------------------------------------------------------------------------------ push + remote query


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_canned_query_answers_remotely_as_locally(name: str, pushed: str, oxigraph: OxigraphEngine) -> None:
    text = QUERIES[name].bind({})
    remote, local = HttpEngine(f"{pushed}/query").select(text), oxigraph.select(text)
    assert remote.variables == local.variables
    assert _normalised(remote) == _normalised(local)


def test_push_holds_the_release_and_pushing_again_changes_nothing(pushed: str, built: Paths) -> None:
    """PUT replaces the graph, so a second push leaves the same number of triples: the release
    (ontology, data, entailments) plus the queries as RDF."""
    expected = len(Graph().parse(built.release_dir / "inferred.nt")) + len(Graph().parse(built.release_dir / "queries.ttl"))
    assert _count(f"{pushed}/query") == expected
    assert _count(f"{pushed}/query", NAMED) == expected
    assert cli.main(["-q", "--build-dir", str(built.build_dir), "push", "--endpoint", f"{pushed}/store"]) == 0
    assert _count(f"{pushed}/query") == expected


def test_query_command_reads_a_named_graph_with_labels(pushed: str, built: Paths,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`query --endpoint --graph` prints what the local command prints, labels included (fetched by
    a remote query): the three gene-delivery targets without a PTT study (queries/README.md)."""
    local = run_query(built, "targets-modality-gap", {}, "csv", engine=OxigraphEngine(built.inferred_ttl))
    code = cli.main(["query", "targets-modality-gap", "--format", "csv",
                     "--endpoint", f"{pushed}/query", "--graph", NAMED])
    assert code == 0
    assert capsys.readouterr().out == local
    assert "NIS (SLC5A5)" in local


def test_store_down_exits_2_with_a_message(built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    assert cli.main(["--build-dir", str(built.build_dir), "push", "--endpoint", f"{url}/store"]) == 2
    assert cli.main(["query", "study-overview", "--endpoint", f"{url}/query"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2 and all(e.startswith(f"atcgraph: error: cannot reach {url}") for e in errors), errors


def test_silent_store_times_out_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    """A server that accepts the connection and never answers: the timeout ends the wait."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        assert cli.main(["query", "study-overview", "--endpoint", url, "--timeout", "0.5"]) == 2
    assert capsys.readouterr().err == f"atcgraph: error: {url} did not answer within 0.5 s\n"


def test_refusal_carries_the_store_message(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["query", "study-overview", "--endpoint", f"{store}/no-such-route"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"atcgraph: error: {store}/no-such-route refused the request: HTTP 404") and \
        len(err.splitlines()) == 1, err


# ------------------------------------------------------------------------------ serve


@pytest.fixture(scope="module")
def served(built: Paths) -> Iterator[str]:
    """`atcgraph serve` on a free port with a one-second query timeout; its base URL."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "atcgraph", "--build-dir", str(built.build_dir), "serve",
                                "--bind", f"127.0.0.1:{port}", "--timeout", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


def _http(method: str, url: str, body: bytes | None = None, content_type: str | None = None) -> tuple[int, str]:
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers, method=method), timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_serve_answers_a_canned_query(served: str, oxigraph: OxigraphEngine) -> None:
    text = QUERIES["targets-modality-gap"].bind({})
    assert _normalised(HttpEngine(f"{served}/query").select(text)) == _normalised(oxigraph.select(text))


def test_serve_has_a_query_page(served: str) -> None:
    status, page = _http("GET", f"{served}/")
    assert status == 200 and "<html" in page.lower()


@pytest.mark.parametrize(("method", "route", "content_type"), [
    ("POST", "/update", "application/sparql-update"),    # SPARQL 1.1 Update
    ("PUT", "/store?default", "application/n-triples"),  # Graph Store Protocol: replace
    ("POST", "/store?graph=https://example.org/g", "application/n-triples"),  # GSP: add
    ("DELETE", "/store?default", None),                  # GSP: delete
])
def test_serve_refuses_writes_with_403(method: str, route: str, content_type: str | None, served: str) -> None:
    body = b"INSERT DATA { <https://example.org/s> <https://example.org/p> 1 }" if route == "/update" else \
        b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n" if content_type else None
    status, message = _http(method, f"{served}{route}", body, content_type)
    assert (status, message.strip()) == (403, "The server is read-only")


def test_push_to_a_read_only_store_is_refused_with_its_message(served: str, built: Paths,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--build-dir", str(built.build_dir), "push", "--endpoint", f"{served}/store"]) == 2
    assert capsys.readouterr().err == (f"atcgraph: error: {served}/store?default refused the request: "
                                       "HTTP 403 Forbidden: The server is read-only\n")


def test_serve_cancels_a_query_after_the_timeout(served: str) -> None:
    """A cross product of the graph with itself three times over cannot finish; the server cancels it
    after the one-second timeout (Oxigraph has begun streaming, so the status is already 200 and the
    cut-off body says why)."""
    status, body = _http("POST", f"{served}/query",
                         b"SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "application/sparql-query")
    assert "cancelled" in body
    with pytest.raises(ValueError):
        json.loads(body)
    assert status == 200


def test_serve_refuses_a_bad_bind(built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--build-dir", str(built.build_dir), "serve", "--bind", "7878"]) == 2
    assert "HOST:PORT" in capsys.readouterr().err
