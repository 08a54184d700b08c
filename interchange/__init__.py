"""Objectives in and out of the ledger in other formats: OpenSLO v1 (docs/openslo.md)."""
