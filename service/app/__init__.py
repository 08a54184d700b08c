"""The application: the ledger's commands and queries over its event log (no transport here)."""
