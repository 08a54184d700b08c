"""The store: the event log's recorders, its hash chain, its tables and its database URLs."""
