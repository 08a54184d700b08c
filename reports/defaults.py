"""Defaults of the ledger clients' command lines, apart from the clients themselves: every
`sla-ledger` command builds its flags from them, and `serve` must not load the clients."""

from __future__ import annotations

DEFAULT_TIMEOUT_SECONDS = 10.0  # seconds a call to the ledger may take
