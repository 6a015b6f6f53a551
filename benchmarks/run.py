"""The benchmark harness: `make bench` (or `python -m benchmarks.run`).

For the seed graph (the real 27 studies) and synthetic graphs of 1k, 10k and 100k studies, it
times every stage — parse, reason, validate, export, each canned query, the gap report — for the
straightforward pipeline (rdflib + owlrl + pyshacl + rdflib SPARQL, the baseline) and for the
project's own (Oxigraph + rules.py + fastshacl.py), side by side, with the ratio and the peak
memory of each, and writes the table to build/bench/ as Markdown and CSV. The project's pipeline
is run several times and the median taken; the baseline runs once per size, under a time budget
per size: what it did not finish is shown as "> budget". Also timed at the seed size: the
commands people type (`atcgraph build`, `atcgraph query`, `atcgraph gaps`), start-up included.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from tqdm import tqdm

from benchmarks.synthetic import write_root

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("parse", "reason", "validate", "export", "build")


def run_pipeline(pipeline: str, root: Path, build: Path, budget: float) -> dict[str, float]:
    """Stage -> seconds (and 'peak_rss_mb'); a stage missing means the budget ran out first."""
    command = [sys.executable, "-m", "benchmarks.stages", pipeline, str(root), str(build)]
    results: dict[str, float] = {}
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as child:
        timer = threading.Timer(budget, child.kill)  # a stage that never prints is stopped too
        timer.start()
        try:
            for line in child.stdout:  # type: ignore[union-attr]
                record = json.loads(line)
                results[record["stage"]] = record.get("value", record["seconds"])
        finally:
            timer.cancel()
            if child.poll() is None:
                child.kill()
    return results


def median_runs(root: Path, build: Path, runs: int) -> dict[str, float]:
    samples = [run_pipeline("fast", root, build, budget=3600) for _ in range(runs)]
    return {key: statistics.median(s[key] for s in samples if key in s) for key in samples[-1]}


def wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="seed,1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="runs of the project pipeline (median); 1 at 100k")
    parser.add_argument("--budget", type=float, default=900, help="seconds the baseline may take per size")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    sizes = args.sizes.split(",")
    for size in tqdm(sizes, desc="benchmark", unit="size", file=sys.stderr):
        root = ROOT if size == "seed" else write_root(int(size), args.out / "roots" / size)
        fast_build, base_build = args.out / "builds" / size / "fast", args.out / "builds" / size / "baseline"
        for folder in (fast_build, base_build):
            shutil.rmtree(folder, ignore_errors=True)
        fast = median_runs(root, fast_build, 1 if size == "100000" else args.runs)
        base = run_pipeline("baseline", root, base_build, args.budget)
        cli = [sys.executable, "-m", "atcgraph", "--root", str(root), "--build-dir", str(fast_build)]
        fast["gaps"] = wall([*cli, "gaps", "-o", str(fast_build / "reports")], 1)
        if size == "seed":
            seed_build = args.out / "builds" / "seed" / "cli"
            cli_seed = [sys.executable, "-m", "atcgraph", "--build-dir", str(seed_build)]
            fast["cli: atcgraph build"] = wall([*cli_seed, "build"], args.runs)
            fast["cli: atcgraph query"] = wall([*cli_seed, "query", "targets-modality-gap"], 5)
            fast["cli: atcgraph gaps"] = wall([*cli_seed, "gaps", "-o", str(seed_build / "reports")], 5)
        keys = [k for k in fast if k != "peak_rss_mb"]
        for key in keys:
            rows.append({"size": size, "stage": key, "baseline_s": base.get(key), "project_s": fast[key]})
        rows.append({"size": size, "stage": "peak memory (MB)", "baseline_s": base.get("peak_rss_mb"),
                     "project_s": fast.get("peak_rss_mb")})
        write(rows, args.out, args.budget)
    print(markdown(rows, args.budget))
    print(targets(rows, args.budget))


NOTES = """Project stages are medians of the runs (one at 100k); the baseline runs once. The project's
"export" is the part of the export after validation: its first half (the ontology/data split,
asserted.ttl, data.ttl) runs in a thread while the store reasons, so its cost is inside "reason".
"build" is the whole `atcgraph build`, wall clock. Queries: every solution fetched (the project
writes them as SPARQL CSV results). "> budget": the baseline had not finished it when its time
budget ran out.
"""


def _fmt(value: object, unit: str = "s") -> str:
    if value is None:
        return "> budget"
    number = float(value)  # type: ignore[arg-type]
    if unit == "MB":
        return f"{number:,.0f}"
    return f"{number * 1000:,.1f} ms" if number < 1 else f"{number:,.2f} s"


def _project_only(stage: object) -> bool:
    """Timed for the project alone (the commands people type, the gap report): no baseline."""
    return str(stage).startswith("cli") or stage == "gaps"


def _speed_up(row: dict[str, object], budget: float) -> tuple[float, bool] | None:
    """Baseline over project, and whether that is a lower bound: where the baseline ran out of
    time on the whole build, the budget stands in for its time."""
    base, project = row["baseline_s"], row["project_s"]
    if not project:
        return None
    if base is not None:
        return float(base) / float(project), False  # type: ignore[arg-type]
    if row["stage"] == "build":
        return budget / float(project), True  # type: ignore[arg-type]
    return None


def _ratio(row: dict[str, object], budget: float) -> str:
    if _project_only(row["stage"]):
        return ""
    speed_up = _speed_up(row, budget)
    if speed_up is None:
        return "> budget"
    value, lower_bound = speed_up
    return f"{'> ' if lower_bound else ''}{value:,.1f}×"


def markdown(rows: list[dict[str, object]], budget: float) -> str:
    lines = ["| size | stage | baseline | project | ratio |", "|---|---|---:|---:|---:|"]
    for row in rows:
        memory = row["stage"] == "peak memory (MB)"
        base, project = row["baseline_s"], row["project_s"]
        ratio = _ratio(row, budget)
        unit = "MB" if memory else "s"
        base_text = "" if base is None and _project_only(row["stage"]) else _fmt(base, unit)
        lines.append(f"| {row['size']} | {row['stage']} | {base_text} | {_fmt(project, unit)} | {ratio} |")
    return "\n".join(lines) + "\n"


# The targets of the performance issue: (size, stage, limit, what is checked). "query:*" is the
# slowest canned query; limits in seconds, MB for memory.
TARGETS = (
    ("seed", "cli: atcgraph query", 1.0, "seed `atcgraph query`, start-up included"),
    ("seed", "cli: atcgraph gaps", 1.0, "seed `atcgraph gaps`, start-up included"),
    ("seed", "cli: atcgraph build", 3.0, "seed `atcgraph build`"),
    ("10000", "build", 10.0, "10k full build"),
    ("10000", "query:*", 0.1, "10k slowest canned query"),
    ("100000", "build", 120.0, "100k full build"),
    ("100000", "peak memory (MB)", 4000.0, "100k peak memory"),
)
SPEED_UP = 30.0  # at 10k, the baseline's build time over the project's, at least


def targets(rows: list[dict[str, object]], budget: float) -> str:
    """Each target the run measured, with its figure and whether it holds."""
    found = {(str(r["size"]), str(r["stage"])): r for r in rows}
    lines = ["| target | measured | limit | holds |", "|---|---:|---:|---|"]
    for size, stage, limit, what in TARGETS:
        if stage == "query:*":
            queries = [r for (s, name), r in found.items() if s == size and name.startswith("query:")]
            row = max(queries, key=lambda r: float(r["project_s"]), default=None)  # type: ignore[arg-type]
            what = f"{what} ({str(row['stage'])[6:]})" if row else what
        else:
            row = found.get((size, stage))
        if row is None or row["project_s"] is None:
            continue
        unit = "MB" if stage.startswith("peak") else "s"
        value = float(row["project_s"])  # type: ignore[arg-type]
        suffix = " MB" if unit == "MB" else ""
        holds = "yes" if value < limit else "**no**"
        lines.append(f"| {what} | {_fmt(value, unit)}{suffix} | < {_fmt(limit, unit)}{suffix} | {holds} |")
    build = found.get(("10000", "build"))
    speed_up = _speed_up(build, budget) if build is not None else None
    if build is not None and speed_up is not None:
        holds = "yes" if speed_up[0] >= SPEED_UP else "**no**"
        lines.append(f"| 10k speed-up over the baseline | {_ratio(build, budget)} | ≥ {SPEED_UP:.0f}× | {holds} |")
    return "\n".join(lines) + "\n"


def write(rows: list[dict[str, object]], out: Path, budget: float) -> None:
    with (out / "results.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["size", "stage", "baseline_s", "project_s"])
        writer.writeheader()
        writer.writerows(rows)
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    (out / "results.md").write_text(f"# atcgraph benchmark\n\n{machine}\n\n{markdown(rows, budget)}\n{NOTES}\n"
                                    f"## Targets\n\n{targets(rows, budget)}", encoding="utf-8")


if __name__ == "__main__":
    main()
