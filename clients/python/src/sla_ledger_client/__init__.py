"""Typed Python client of the SLA ledger's gRPC API.

``LedgerClient.connect("host:port", token=..., ca_file=...)`` gives a client whose typed
methods take and return Decimal money, aware datetimes and enum names, whose failures are
:class:`LedgerCallError` subclasses with the decoded google.rpc details, and whose unary calls
are retried (UNAVAILABLE, ABORTED) with the same request id. See clients/python/README.md.
"""

from sla_ledger_client.client import LedgerClient
from sla_ledger_client.errors import (
    Aborted,
    AlreadyExists,
    DataLoss,
    DeadlineExceeded,
    FailedPrecondition,
    FieldViolation,
    Internal,
    InvalidArgument,
    LedgerCallError,
    NotFound,
    PermissionDenied,
    Resource,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from sla_ledger_client.readings import ReadingColumns
from sla_ledger_client.results import (
    Agreement,
    AgreementSummary,
    BreachLine,
    Changed,
    Closed,
    Compliance,
    Credit,
    CreditLine,
    Digest,
    ObjectiveStanding,
    Recorded,
    Signed,
    TrackStanding,
)
from sla_ledger_client.retry import RetryPolicy
from sla_ledger_client.subscription import EventSubscription
from sla_ledger_client.values import Money

__version__ = "0.1.0"

__all__ = [
    "Aborted",
    "Agreement",
    "AgreementSummary",
    "AlreadyExists",
    "BreachLine",
    "Changed",
    "Closed",
    "Compliance",
    "Credit",
    "CreditLine",
    "DataLoss",
    "DeadlineExceeded",
    "Digest",
    "EventSubscription",
    "FailedPrecondition",
    "FieldViolation",
    "Internal",
    "InvalidArgument",
    "LedgerCallError",
    "LedgerClient",
    "Money",
    "NotFound",
    "ObjectiveStanding",
    "PermissionDenied",
    "ReadingColumns",
    "Recorded",
    "Resource",
    "ResourceExhausted",
    "RetryPolicy",
    "Signed",
    "TrackStanding",
    "Unauthenticated",
    "Unavailable",
    "__version__",
]
