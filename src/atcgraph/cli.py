"""Command line: ``atcgraph [--root DIR] [--build-dir DIR] [-q] COMMAND``.

Commands:
  build     load, reason, validate; write build/asserted.ttl, inferred.ttl, validation.txt
  validate  print the SHACL report (--format text|json); writes nothing
  stats     print what the graph holds (--format text|json); writes nothing
  query     run a canned query (or any .rq file) over the built, inferred graph;
            --list shows the canned queries; --param name=value binds a parameter;
            --endpoint URL runs it in a SPARQL 1.1 store instead
  export    the built graph as Turtle, N-Triples, JSON-LD, RDF/XML or TriG (--inferred)
  push      upload the release into a SPARQL 1.1 store (Graph Store Protocol)
  serve     a read-only SPARQL endpoint with a query page (the Oxigraph server)
  docs      the ontology's documentation as HTML (pyLODE) into build/docs/
  gaps      evidence and gap maps (--rows/--cols target|modality|strategy|carrier|payload,
            --format md|html|csv|json|svg|png, -o FILE); no options: the standard set in build/reports/

Exit codes (the contract CI relies on):
  0  ok: the graph was built/checked and conforms to the shapes
  1  findings: SHACL violations (the report says which study, property, file)
  2  error: bad input, missing file, Turtle syntax error, logical inconsistency;
     one message on stderr as ``atcgraph: error: ...``, no traceback
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from atcgraph import __version__
from atcgraph.build import assemble, build, ensure_built
from atcgraph.engines import HttpEngine
from atcgraph.errors import AtcGraphError
from atcgraph.export import export, write_bytes, write_text
from atcgraph.formats import FORMATS as RDF_FORMATS
from atcgraph.paths import Paths
from atcgraph.catalogue import parse_iri, parse_params
from atcgraph.query import query_list, run_query
from atcgraph.remote import DEFAULT_TIMEOUT
from atcgraph.results import FORMATS
from atcgraph import docs, push, serve
from atcgraph import gaps
from atcgraph.gaps_render import FORMATS as GAP_FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atcgraph",
        description="Build, validate and describe the atcgraph knowledge graph.",
        epilog="exit codes: 0 ok, 1 SHACL violations, 2 error",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--root", type=Path, help="folder holding ontology/, data/, shapes/")
    parser.add_argument("--build-dir", type=Path, help="output folder (default: ./build)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    reference = "use rdflib + owlrl + pyshacl (the reference engines) instead of the fast Oxigraph path"
    commands.add_parser("build", help="build and validate the graph, write build/").add_argument(
        "--reference", action="store_true", help=reference)
    for name, text in (("validate", "print the SHACL report"), ("stats", "print graph statistics")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--format", choices=("text", "json"), default="text")
        sub.add_argument("--reference", action="store_true", help=reference)
    query = commands.add_parser("query", help="run a canned SPARQL query over the built graph")
    query.add_argument("name", nargs="?", help="canned query name or path of a .rq file")
    query.add_argument("--list", action="store_true", help="list the canned queries with their summaries")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="bind a query parameter to an IRI (full, or prefixed with atc:/atcd:)")
    query.add_argument("--format", choices=FORMATS, default="table")
    query.add_argument("-o", "--output", type=Path, help="write the result to FILE instead of stdout")
    _remote_options(query, "run the query at this SPARQL 1.1 query endpoint instead of the built graph",
                    "the named graph to query (the protocol's default-graph-uri), e.g. where push put it")
    exporter = commands.add_parser("export", help="write the built graph in an RDF format")
    exporter.add_argument("--format", choices=RDF_FORMATS, default="turtle")
    exporter.add_argument("--inferred", action="store_true", help="add the OWL RL entailments (default: as asserted)")
    exporter.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    pusher = commands.add_parser("push", help="upload the release into a SPARQL 1.1 store (Graph Store Protocol)")
    _remote_options(pusher, "the store's Graph Store Protocol URL, e.g. http://localhost:7878/store",
                    "replace this named graph (default: the store's default graph)", required=True)
    server = commands.add_parser("serve", help="a read-only SPARQL endpoint with a query page over the built graph")
    server.add_argument("--bind", default=serve.DEFAULT_BIND, metavar="HOST:PORT",
                        help=f"where to listen (default {serve.DEFAULT_BIND}: this machine only)")
    server.add_argument("--timeout", type=int, default=serve.DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"cancel a query after this long (default {serve.DEFAULT_TIMEOUT})")
    commands.add_parser("docs", help="write the ontology's documentation (HTML, pyLODE) into build/docs/")
    gap = commands.add_parser("gaps", help="evidence and gap maps; no options: the standard set in build/reports/")
    dims = ", ".join(gaps.DIMENSIONS)
    gap.add_argument("--rows", metavar="DIM", help=f"{dims}; NAME:LEVEL for a level of carrier, payload, strategy "
                     "(default target)")
    gap.add_argument("--cols", metavar="DIM", help="the columns' dimension, as --rows (default modality)")
    gap.add_argument("--format", choices=GAP_FORMATS, help="default: from -o's suffix, else md")
    gap.add_argument("-o", "--output", type=Path, help="write one map to FILE instead of stdout")
    return parser


def _remote_options(sub: argparse.ArgumentParser, endpoint: str, graph: str, required: bool = False) -> None:
    sub.add_argument("--endpoint", metavar="URL", required=required, help=endpoint)
    sub.add_argument("--graph", metavar="IRI", help=graph)
    sub.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                     help=f"give up on the store after this long (default {DEFAULT_TIMEOUT:g})")


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    paths = Paths.default(args.root, args.build_dir)
    try:
        return _run(args, paths)
    except AtcGraphError as exc:
        print(f"atcgraph: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _run(args: argparse.Namespace, paths: Paths) -> int:
    if args.command == "build":
        return build(paths, quiet=args.quiet, reference=args.reference).exit_code
    if args.command == "query":
        return _query(args, paths)
    if args.command == "gaps":
        return _gaps(args, paths)
    if args.command in ("export", "push", "serve", "docs"):
        ensure_built(paths, quiet=args.quiet)  # they read the built release
        return _release(args, paths)
    if args.command == "stats":
        result = assemble(paths, reference=args.reference, check=False, quiet=args.quiet).result.stats
        _emit(args, result.to_text() if args.format == "text" else result.to_json() + "\n")
        return EXIT_OK
    report = assemble(paths, reference=args.reference, quiet=args.quiet).result.report
    _emit(args, report.to_text() if args.format == "text" else report.to_json() + "\n")
    return EXIT_OK if report.conforms else EXIT_FINDINGS


def _query(args: argparse.Namespace, paths: Paths) -> int:
    if args.list:
        _emit(args, query_list(paths))
        return EXIT_OK
    if not args.name:
        raise AtcGraphError("query needs a NAME or FILE.rq (or --list)")
    if args.graph and not args.endpoint:
        raise AtcGraphError("--graph needs --endpoint")
    graph = str(parse_iri(args.graph, what="--graph")) if args.graph else None
    engine = HttpEngine(args.endpoint, graph, args.timeout) if args.endpoint else None
    text = run_query(paths, args.name, parse_params(args.param), args.format, engine=engine, quiet=args.quiet)
    if args.output:
        write_text(text, args.output)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _gaps(args: argparse.Namespace, paths: Paths) -> int:
    if not (args.rows or args.cols or args.format or args.output):
        written = gaps.write_standard_reports(paths, quiet=args.quiet)
        _emit(args, f"wrote {len(written)} files to {paths.reports_dir}\n")
        return EXIT_OK
    suffix = args.output.suffix.lstrip(".") if args.output else ""
    fmt = args.format or (suffix if suffix in GAP_FORMATS else "md")
    if fmt == "png" and not args.output:
        raise AtcGraphError("--format png needs -o FILE")
    data = gaps.report_bytes(paths, args.rows or "target", args.cols or "modality", fmt, quiet=args.quiet)
    if args.output:
        write_bytes(data, args.output)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def _release(args: argparse.Namespace, paths: Paths) -> int:
    if args.command == "export":
        data = export(paths, args.format, inferred=args.inferred)
        if args.output:
            write_bytes(data, args.output)
        else:
            sys.stdout.buffer.write(data)
    elif args.command == "push":
        _emit(args, push.push(paths, args.endpoint, args.graph, args.timeout))
    elif args.command == "docs":
        _emit(args, docs.docs(paths))
    else:
        serve.serve(paths, args.bind, args.timeout, quiet=args.quiet)
    return EXIT_OK


def _emit(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        sys.stdout.write(text)
