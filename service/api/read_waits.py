"""Reads that wait for the log or the read models to reach a position, within the deadline."""

from __future__ import annotations

import grpc

from domain.errors import FailedPreconditionError, ProjectionBehindError, Reason
from projections.read_models import ReadModels
from service.api.mapping.read_models import audit_to_proto
from service.app.event_log import EventLog
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

DEFAULT_READ_WAIT_SECONDS = 30.0


def wait_seconds(context: grpc.ServicerContext) -> float:
    """How long a read may wait: the call's time remaining, else DEFAULT_READ_WAIT_SECONDS."""
    remaining = context.time_remaining()
    return DEFAULT_READ_WAIT_SECONDS if remaining is None else remaining


def log_at(event_log: EventLog, min_position: int, context: grpc.ServicerContext) -> None:
    """Return once the log holds min_position (0: at once); DEADLINE_EXCEEDED when it does not
    within the call's deadline."""
    if min_position <= 0:
        return
    if not event_log.wait_for(min_position, wait_seconds(context)):
        raise ProjectionBehindError(f"the log has not reached position {min_position}")


def enabled(read_models: ReadModels | None) -> ReadModels:
    """The server's read models; FAILED_PRECONDITION when it keeps none."""
    if read_models is None:
        raise FailedPreconditionError(
            "read models are not enabled on this server", reason=Reason.READ_MODELS_DISABLED
        )
    return read_models


def models_at(
    read_models: ReadModels | None, min_position: int, context: grpc.ServicerContext
) -> ReadModels:
    """The read models once they reach min_position (0: at once); DEADLINE_EXCEEDED when they
    do not within the call's deadline."""
    models = enabled(read_models)
    if min_position > 0 and not models.wait_for(min_position, wait_seconds(context)):
        raise ProjectionBehindError(
            f"read models have not reached log position {min_position} in time"
        )
    return models


def audit_if_asked(read_models: ReadModels | None, asked: bool) -> pb.ReadModelVerification | None:
    """The read models' audit when a VerifyLedger request asks for it."""
    return audit_to_proto(enabled(read_models).audit()) if asked else None
