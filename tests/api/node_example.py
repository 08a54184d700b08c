"""The Node example (examples/node-client) made ready to run: `npm ci`, then `buf generate`.

Both run under a file lock (xdist workers share the folder) and only when their inputs changed
since the last time (a stamp holding their SHA-256), so a test run installs at most once.
Everything is offline apart from `npm ci` reaching the npm registry; every step is bounded.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "node-client"
GENERATED = EXAMPLE / "gen"
INSTALL_SECONDS = 300
GENERATE_SECONDS = 120
INSTALL_STAMP = EXAMPLE / "node_modules" / ".sla-ledger-installed"
GENERATE_STAMP = GENERATED / ".sla-ledger-generated"


def tools() -> tuple[str, str, Path]:
    """node, npm and buf; the test is skipped when one is missing, except under CI=true."""
    node, npm = shutil.which("node"), shutil.which("npm")
    buf = Path(sys.executable).parent / "buf"
    missing = [
        name for name, found in (("node", node), ("npm", npm), ("buf", buf.is_file())) if not found
    ]
    if missing:
        reason = f"{' and '.join(missing)} not found (node 20+ and npm on PATH, buf in the venv)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; the Node example is required under CI=true")
        pytest.skip(reason)
    assert node is not None and npm is not None
    return node, npm, buf


def _digest(paths: Iterable[Path]) -> str:
    hashed = hashlib.sha256()
    for path in sorted(paths):
        hashed.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return hashed.hexdigest()


def _run(command: list[str], cwd: Path, seconds: int) -> None:
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(command)} did not finish within {seconds} s")
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")


def _is_current(stamp: Path, digest: str) -> bool:
    return stamp.is_file() and stamp.read_text() == digest


def prepare(npm: str, buf: Path) -> None:
    """Install the example's packages and generate its messages unless they are current."""
    with (EXAMPLE / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        installed = _digest([EXAMPLE / "package.json", EXAMPLE / "package-lock.json"])
        if not _is_current(INSTALL_STAMP, installed):
            _run([npm, "ci", "--no-audit", "--no-fund"], EXAMPLE, INSTALL_SECONDS)
            INSTALL_STAMP.write_text(installed)
        sources = [*(ROOT / "proto").rglob("*.proto"), *(EXAMPLE / "proto").rglob("*.proto")]
        generated = _digest([ROOT / "buf.gen.yaml", INSTALL_STAMP, *sources])
        if not _is_current(GENERATE_STAMP, generated):
            _run([str(buf), "generate"], ROOT, GENERATE_SECONDS)
            GENERATE_STAMP.write_text(generated)
