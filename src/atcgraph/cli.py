"""Command line: ``atcgraph [--root DIR] [--build-dir DIR] [-q] COMMAND``.

Commands:
  build     load, reason, validate; write build/asserted.ttl, inferred.ttl, validation.txt
  validate  print the SHACL report (--format text|json); writes nothing
  stats     print what the graph holds (--format text|json); writes nothing
  query     run a canned query (or any .rq file) over the built, inferred graph;
            --list shows the canned queries; --param name=value binds a parameter

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
from atcgraph.build import build
from atcgraph.errors import AtcGraphError
from atcgraph.export import write_text
from atcgraph.load import load, load_shapes
from atcgraph.paths import Paths
from atcgraph.catalogue import parse_params
from atcgraph.query import query_list, run_query
from atcgraph.results import FORMATS
from atcgraph.reason import reason
from atcgraph.stats import stats
from atcgraph.validate import validate

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
    commands.add_parser("build", help="build and validate the graph, write build/")
    for name, text in (("validate", "print the SHACL report"), ("stats", "print graph statistics")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--format", choices=("text", "json"), default="text")
    query = commands.add_parser("query", help="run a canned SPARQL query over the built graph")
    query.add_argument("name", nargs="?", help="canned query name or path of a .rq file")
    query.add_argument("--list", action="store_true", help="list the canned queries with their summaries")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="bind a query parameter to an IRI (full, or prefixed with atc:/atcd:)")
    query.add_argument("--format", choices=FORMATS, default="table")
    query.add_argument("-o", "--output", type=Path, help="write the result to FILE instead of stdout")
    return parser


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
        return build(paths, quiet=args.quiet).exit_code
    if args.command == "query":
        return _query(args, paths)
    loaded = load(paths)
    if args.command == "stats":
        result = stats(loaded.graph, reason(loaded.graph))
        _emit(args, result.to_text() if args.format == "text" else result.to_json() + "\n")
        return EXIT_OK
    shapes = load_shapes(paths)  # before reasoning, so a missing folder fails fast
    report = validate(reason(loaded.graph), shapes, loaded.sources)
    _emit(args, report.to_text() if args.format == "text" else report.to_json() + "\n")
    return EXIT_OK if report.conforms else EXIT_FINDINGS


def _query(args: argparse.Namespace, paths: Paths) -> int:
    if args.list:
        _emit(args, query_list(paths))
        return EXIT_OK
    if not args.name:
        raise AtcGraphError("query needs a NAME or FILE.rq (or --list)")
    text = run_query(paths, args.name, parse_params(args.param), args.format, quiet=args.quiet)
    if args.output:
        write_text(text, args.output)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _emit(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        sys.stdout.write(text)
