"""The customer portal: a web front of the ledger's gRPC API, with the same tokens and scopes."""
