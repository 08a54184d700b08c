"""Every failure's google.rpc.Status carries an ErrorInfo with its reason, and ResourceInfo,
RetryInfo or BadRequest where they apply (service/api/errors.py)."""

from __future__ import annotations

import grpc
import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from google.rpc import error_details_pb2, status_pb2

from domain.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    FieldViolation,
    InvalidArgumentError,
    LedgerError,
    NotFoundError,
    ProjectionBehindError,
    Reason,
    VersionConflictError,
    unknown_agreement,
)
from service.api.auth import PermissionDeniedError
from service.api.errors import CallRefusedError, rich_status
from service.generated.sla.ledger.v1.error_reasons_pb2 import ErrorReason
from service.store.chain_store import LedgerTamperedError
from service.store.log_reader import LogUnreadableError
from tests.error_details import details_of, error_info


def _status(error: Exception) -> status_pb2.Status:
    return status_pb2.Status.FromString(
        dict(rich_status(error).trailing_metadata)["grpc-status-details-bin"]
    )


def _retry_seconds(status: status_pb2.Status) -> list[float]:
    return [
        r.retry_delay.ToNanoseconds() / 1e9 for r in details_of(status, error_details_pb2.RetryInfo)
    ]


def test_the_domain_reasons_are_the_proto_enum_names_without_their_prefix() -> None:
    proto = {n.removeprefix("ERROR_REASON_") for n in ErrorReason.DESCRIPTOR.values_by_name} - {
        "UNSPECIFIED"
    }

    assert {r.value for r in Reason} == proto


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (InvalidArgumentError([FieldViolation("a", "b")]), "INVALID_FIELDS"),
        (unknown_agreement("a-1"), "RESOURCE_NOT_FOUND"),
        (AlreadyExistsError("taken"), "RESOURCE_ALREADY_EXISTS"),
        (FailedPreconditionError("no"), "STATE_FORBIDS_COMMAND"),
        (VersionConflictError("lost a race"), "CONCURRENT_WRITE"),
        (ProjectionBehindError("behind"), "PROJECTION_BEHIND"),
        (PermissionDeniedError("not yours"), "OUTSIDE_TOKEN_SCOPE"),
        (LedgerTamperedError("changed"), "LEDGER_TAMPERED"),
        (LogUnreadableError("damaged"), "LOG_UNREADABLE"),
        (LedgerError("some other refusal"), "STATE_FORBIDS_COMMAND"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else v,
)
def test_each_kind_of_ledger_error_carries_its_reason_in_the_ledgers_domain(
    error: LedgerError, reason: str
) -> None:
    info = error_info(_status(error))

    assert (info.domain, info.reason) == ("sla.ledger.v1", reason)


def test_a_raise_may_name_a_finer_reason_than_its_kind() -> None:
    error = FailedPreconditionError("terminated", reason=Reason.AGREEMENT_TERMINATED)

    status = _status(error)

    assert status.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert error_info(status).reason == "AGREEMENT_TERMINATED"
    assert FailedPreconditionError("plain").reason is Reason.STATE_FORBIDS_COMMAND


def test_a_concurrent_write_tells_when_to_retry_and_a_stale_expected_version_does_not() -> None:
    lost_race = _status(VersionConflictError("a concurrent writer won"))
    stale = _status(
        VersionConflictError("not the expected 3", reason=Reason.EXPECTED_VERSION_MISMATCH)
    )

    assert (error_info(lost_race).reason, _retry_seconds(lost_race)) == ("CONCURRENT_WRITE", [0.1])
    assert (error_info(stale).reason, _retry_seconds(stale)) == ("EXPECTED_VERSION_MISMATCH", [])


def test_not_found_names_the_resource_and_its_ids() -> None:
    error = NotFoundError(
        "no case",
        resource_type="case",
        resource_name="agreements/sla-1/cases/INC-7",
    )

    status = _status(error)

    resources = details_of(status, error_details_pb2.ResourceInfo)
    assert [(r.resource_type, r.resource_name) for r in resources] == [
        ("case", "agreements/sla-1/cases/INC-7")
    ]
    assert dict(error_info(status).metadata) == {"agreement_id": "sla-1", "case_id": "INC-7"}


def test_a_huge_resource_name_is_cut_so_the_trailer_stays_small() -> None:
    error = unknown_agreement("x" * 100_000)

    status = _status(error)

    assert len(status.SerializeToString()) < 3000
    (resource,) = details_of(status, error_details_pb2.ResourceInfo)
    assert resource.resource_name.startswith("agreements/xxx")


def test_an_invalid_argument_keeps_its_bad_request_beside_the_error_info() -> None:
    status = _status(InvalidArgumentError([FieldViolation("terms.fee", "must be positive")]))

    (bad_request,) = details_of(status, error_details_pb2.BadRequest)
    assert [v.field for v in bad_request.field_violations] == ["terms.fee"]
    assert error_info(status).reason == "INVALID_FIELDS"


def test_an_unavailable_store_tells_when_to_retry() -> None:
    status = _status(OperationalError("connection refused"))

    assert status.code == grpc.StatusCode.UNAVAILABLE.value[0]
    assert (error_info(status).reason, _retry_seconds(status)) == ("STORAGE_UNAVAILABLE", [1.0])


def test_a_full_store_is_storage_full_without_retry_info() -> None:
    full = OperationalError("full")
    full.__cause__ = psycopg.errors.DiskFull("No space left")

    status = _status(full)

    assert (error_info(status).reason, _retry_seconds(status)) == ("STORAGE_FULL", [])


def test_an_unexpected_failure_is_internal_error() -> None:
    status = _status(ZeroDivisionError("oops"))

    assert (status.code, status.message) == (grpc.StatusCode.INTERNAL.value[0], "internal error")
    assert error_info(status).reason == "INTERNAL_ERROR"


@pytest.mark.parametrize(
    ("code", "reason", "retry"),
    [
        (grpc.StatusCode.UNAUTHENTICATED, Reason.INVALID_TOKEN, []),
        (grpc.StatusCode.PERMISSION_DENIED, Reason.ROLE_FORBIDS_METHOD, []),
        (grpc.StatusCode.INVALID_ARGUMENT, Reason.UNDECODABLE_REQUEST, []),
        (grpc.StatusCode.UNAVAILABLE, Reason.SHUTTING_DOWN, [1.0]),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, Reason.TOO_MANY_STREAMS, [5.0]),
    ],
    ids=lambda v: v.name if isinstance(v, (grpc.StatusCode, Reason)) else str(v),
)
def test_a_refused_call_carries_its_code_message_and_reason(
    code: grpc.StatusCode, reason: Reason, retry: list[float]
) -> None:
    status = _status(CallRefusedError(code, "refused", reason))

    assert (status.code, status.message) == (code.value[0], "refused")
    assert (error_info(status).reason, _retry_seconds(status)) == (reason.value, retry)
