"""gRPC core's own diagnostics kept out of the JSON log.

gRPC's C core writes lines of its own format to standard error (for example a failed TLS
handshake: `I1202 12:54:47.466541 14950 ssl_transport_security.cc:2563] Handshake failed ...`),
which would break the one-JSON-object-per-line log. It reads GRPC_VERBOSITY once, when grpc is
loaded, so this module must be imported before anything imports grpc: the command line imports
it first. An operator who sets GRPC_VERBOSITY (ERROR, INFO, DEBUG) gets those lines back, to
diagnose the transport.
"""

from __future__ import annotations

import os

GRPC_VERBOSITY = "GRPC_VERBOSITY"
os.environ.setdefault(GRPC_VERBOSITY, "NONE")
