"""The gRPC API: the servicer, its mapping to and from the domain, errors, access and the server."""
