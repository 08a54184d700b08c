"""The SLA ledger's pure domain: aggregates, events, value objects and their rules."""
