"""Translation between the sla.ledger.v1 messages and the domain's values, by topic."""
