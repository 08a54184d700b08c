"""The README's walk-through "Your first statement", run as written.

Each ```sh block of the section is one step. The ledger and the portal (`sla-ledger serve`,
`sla-ledger portal`) keep running in the background, as in the terminals of their own the page
opens; every other block runs to its end in bash (`set -euo pipefail`). The steps run in a
scratch directory holding `.venv` (this interpreter's virtual environment) and `tools/` (the
repository's) as the clone's directory does, on free ports instead of 50051 and 8080.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.api.server_process import CommandResult, ServerProcess
from tests.browser.browser_support import REPOSITORY

README = REPOSITORY / "README.md"
HEADING = "### Your first statement"
BLOCK = re.compile(r"```sh\n(.*?)```", re.DOTALL)
LEDGER_ADDRESS = "127.0.0.1:50051"
PORTAL_ADDRESS = "127.0.0.1:8080"
BACKGROUND = (".venv/bin/sla-ledger serve", ".venv/bin/sla-ledger portal")
STEP_DEADLINE_SECONDS = 120.0
LISTEN_DEADLINE_SECONDS = 30.0


def steps() -> list[str]:
    """The section's ```sh blocks, in order."""
    section = README.read_text().split(HEADING, 1)[1].split("\n#", 1)[0]
    return [block.strip() for block in BLOCK.findall(section)]


@dataclass
class WalkThrough:
    """The walk-through run in a directory: what each finished step did, the processes left
    running, and the addresses it used."""

    workdir: Path
    ledger_port: int
    portal_port: int
    finished: list[tuple[str, CommandResult]] = field(default_factory=list)
    running: list[ServerProcess] = field(default_factory=list)

    @property
    def portal_url(self) -> str:
        """The portal's base URL."""
        return f"http://127.0.0.1:{self.portal_port}"

    def localized(self, step: str) -> str:
        """The step on this run's ports."""
        return step.replace(LEDGER_ADDRESS, f"127.0.0.1:{self.ledger_port}").replace(
            PORTAL_ADDRESS, f"127.0.0.1:{self.portal_port}"
        )

    def run(self, step: str) -> None:
        """Run one step: in the background for the ledger and the portal, else to its end."""
        command = self.localized(step)
        if command.startswith(BACKGROUND):
            self._start(command)
            return
        try:
            done = subprocess.run(
                ["bash", "-c", f"set -euo pipefail\n{command}"],
                cwd=self.workdir,
                env=dict(os.environ),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=STEP_DEADLINE_SECONDS,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"the step did not finish within {STEP_DEADLINE_SECONDS} s:\n{command}")
        self.finished.append((step, CommandResult(done.returncode, done.stdout, done.stderr)))

    def stop(self) -> None:
        """Stop what runs in the background, the portal first."""
        for process in reversed(self.running):
            process.kill()

    def _start(self, command: str) -> None:
        process = ServerProcess(
            subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=self.workdir,
                env=dict(os.environ),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        )
        self.running.append(process)
        if command.startswith(BACKGROUND[0]):
            process.wait_for_log("listening", LISTEN_DEADLINE_SECONDS)
        else:
            wait_for_http(self.portal_url, process)


def prepare(workdir: Path) -> WalkThrough:
    """A directory laid out as the clone's, and free ports for the ledger and the portal."""
    (workdir / ".venv").symlink_to(Path(sys.executable).parent.parent)
    (workdir / "tools").symlink_to(REPOSITORY / "tools")
    return WalkThrough(workdir, free_port(), free_port())


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_http(url: str, process: ServerProcess) -> None:
    """Return once url answers anything; fail when the process exits or the deadline passes."""
    deadline = time.monotonic() + LISTEN_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.process.poll() is not None:
            pytest.fail(f"{url} exited with {process.process.returncode}:\n{process.stderr}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered, with an error page: it is up
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing answered at {url} within {LISTEN_DEADLINE_SECONDS} s")
