"""The SLA ledger's service layer: application, storage, gRPC server and command line."""
