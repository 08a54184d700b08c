"""Run every benchmark and write their results into BENCHMARKS.md.

Usage: python -m bench [--quick] [--only NAME[,NAME]] [--write FILE]

Each benchmark runs in its own process (`python -m bench.NAME`), one after the other, so none
shares an interpreter or a core with another. Their output is shown as it comes. With --write the
results section of FILE (between the two `bench:results` markers) is replaced by the date, the
command, the machine, the versions, a summary of every `goal:` line and each benchmark's output.
--quick passes --quick to each benchmark (a harness check: the figures mean nothing) and writes
nothing. The exit status is 1 when a benchmark failed, not when a goal was missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.harness import postgres_connection, postgres_server_url

BENCHMARKS = (
    "ingest",
    "commands",
    "compliance",
    "rebuild",
    "subscribe",
    "growth",
    "case_ingest",
    "case_lookup",
    "cases_compliance",
    "services",
    "portal",
    "series",
    "period_results",
    "agreements",
    "peer_baseline",
)
START_MARKER = "<!-- bench:results:start -->"
END_MARKER = "<!-- bench:results:end -->"
PACKAGES = ("grpcio", "protobuf", "eventsourcing", "SQLAlchemy", "psycopg")


@dataclass(frozen=True)
class BenchmarkRun:
    """One benchmark's output, exit status and duration."""

    name: str
    output: str
    returncode: int
    seconds: float

    @property
    def goals(self) -> list[list[str]]:
        """The benchmark's goal lines, split into goal, figure and verdict."""
        return [
            [part.strip() for part in line.removeprefix("goal:").split("|")]
            for line in self.output.splitlines()
            if line.startswith("goal:")
        ]


def run_benchmark(name: str, quick: bool) -> BenchmarkRun:
    """Run python -m bench.NAME, echoing its output while keeping it."""
    print(f"\n== bench.{name}{' --quick' if quick else ''}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    returncode = process.wait()
    seconds = time.perf_counter() - started
    print(f"== bench.{name}: {seconds:.0f} s, exit status {returncode}", flush=True)
    return BenchmarkRun(name, "".join(lines), returncode, seconds)


def machine() -> str:
    """The CPU model, core count and memory of this machine."""
    model = "unknown CPU"
    memory = "unknown memory"
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    return f"{os.cpu_count()} cores ({model}), {memory}, {platform.system()} {platform.release()}"


def versions() -> str:
    """The versions of Python, the databases and the packages the figures depend on."""
    parts = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    url = postgres_server_url()
    if url is not None:
        with postgres_connection(url) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            assert row is not None
            parts.append(f"PostgreSQL {row[0]}")
    parts.extend(f"{package} {version(package)}" for package in PACKAGES)
    return ", ".join(parts)


def results_section(runs: list[BenchmarkRun], command: str) -> str:
    """The Markdown that replaces the results section of BENCHMARKS.md."""
    lines = [
        START_MARKER,
        "## Latest full run",
        "",
        f"Written by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"({sum(run.seconds for run in runs) / 60:.0f} minutes).",
        "",
        f"- Machine: {machine()}",
        f"- Versions: {versions()}",
        "",
        "| benchmark | goal | figure | verdict |",
        "|---|---|---:|---|",
    ]
    for run in runs:
        for text, figure, verdict in run.goals:
            lines.append(f"| {run.name} | {text} | {figure} | {verdict} |")
    for run in runs:
        status = "" if run.returncode == 0 else f" (FAILED, exit status {run.returncode})"
        lines += [
            "",
            f"### {run.name}{status}",
            "",
            f"`python -m bench.{run.name}` ({run.seconds:.0f} s)",
            "",
            "```",
            run.output.rstrip(),
            "```",
        ]
    lines.append(END_MARKER)
    return "\n".join(lines)


def write_results(path: Path, section: str) -> None:
    """Replace the results section of path (or add it after the first paragraph)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if START_MARKER in text and END_MARKER in text:
        head, rest = text.split(START_MARKER, 1)
        tail = rest.split(END_MARKER, 1)[1]
        text = head + section + tail
    else:
        head, _, tail = text.partition("\n\n")
        text = f"{head}\n\n{section}\n\n{tail}"
    path.write_text(text)


def main() -> int:
    """Run the benchmarks chosen and write their results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harnesses")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated names")
    parser.add_argument("--write", type=Path, help="the Markdown file to write the results into")
    options = parser.parse_args()
    names = options.only.split(",")
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    runs = [run_benchmark(name, options.quick) for name in names]
    failed = [run.name for run in runs if run.returncode != 0]
    if options.write and not options.quick:
        command = " ".join(["python -m bench", *sys.argv[1:]])
        write_results(options.write, results_section(runs, command))
        print(f"\nresults written to {options.write}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
