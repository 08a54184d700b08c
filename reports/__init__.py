"""Statements of agreements and customers, read from the ledger over its gRPC API."""
