"""Reading the google.rpc details a refused call carries (grpc-status-details-bin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from service.generated.sla.ledger.v1.error_reasons_pb2 import ErrorReason

DOMAIN = "sla.ledger.v1"
KNOWN_REASONS = frozenset(
    name.removeprefix("ERROR_REASON_") for name in ErrorReason.DESCRIPTOR.values_by_name
) - {"UNSPECIFIED"}
STATUS_DETAILS_KEY = "grpc-status-details-bin"
M = TypeVar("M", bound=Message)


def status_from_trailers(trailing_metadata: Any) -> status_pb2.Status:
    """The one google.rpc.Status among trailing metadata."""
    found = [value for key, value in trailing_metadata or () if key == STATUS_DETAILS_KEY]
    assert len(found) == 1, f"expected one {STATUS_DETAILS_KEY}, got {trailing_metadata!r}"
    return status_pb2.Status.FromString(found[0])


def status_of_call(error: grpc.RpcError) -> status_pb2.Status:
    """The google.rpc.Status a failed call (a grpc.Call) ended with."""
    status = rpc_status.from_call(error)
    assert status is not None, f"{error.code()} has no {STATUS_DETAILS_KEY}: {error.details()}"
    return status


def details_of(status: status_pb2.Status, kind: type[M]) -> list[M]:
    """The details of one kind in status, in order."""
    found = []
    for packed in status.details:
        if packed.Is(kind.DESCRIPTOR):
            detail = kind()
            packed.Unpack(detail)
            found.append(detail)
    return found


def error_info(status: status_pb2.Status) -> error_details_pb2.ErrorInfo:
    """The one ErrorInfo of status, checked to be of the ledger's domain with a known reason."""
    infos = details_of(status, error_details_pb2.ErrorInfo)
    assert len(infos) == 1, f"expected one ErrorInfo in {status!r}"
    assert infos[0].domain == DOMAIN, infos[0]
    assert infos[0].reason in KNOWN_REASONS, infos[0]
    return infos[0]


# Ended by the caller (its deadline, its cancel), not by the ledger: gRPC sends no details.
CALLERS_OWN = frozenset({grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED})


def check_machine_readable(error: grpc.RpcError) -> None:
    """A refusal carries an ErrorInfo with a known reason, unless the caller ended the call."""
    if error.code() in CALLERS_OWN and rpc_status.from_call(error) is None:
        return
    error_info(status_of_call(error))


def checked_code(call: Callable[[], Any]) -> grpc.StatusCode:
    """The code a call ends with; a non-OK one must carry an ErrorInfo with a known reason."""
    try:
        call()
    except grpc.RpcError as error:
        check_machine_readable(error)
        code: grpc.StatusCode = error.code()
        return code
    return grpc.StatusCode.OK
