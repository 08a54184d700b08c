"""Fixtures for the servicer tests: a LedgerServicer behind grpc_testing, and request builders.

grpc_testing takes no interceptors, so the servicer is wrapped in StatusMappedServicer, which
applies ErrorStatusInterceptor's mapping of failures to statuses to each method.

Test modules cannot import from here (there are no packages under tests/), so every helper is a
fixture returning a plain function; tests annotate them with ``Callable`` types. The request
builders are tests/proto_builders.py's; the fixtures here bind them to this suite's dates.

One clock drives both the servicer (the default ``as_of``/``known_at`` of GetAgreement) and the
application (the record time of every event). It stands at 2026-06-01T00:00Z until a test moves
it with ``set_clock``, so record times are deterministic and bitemporal reads can be tested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

import grpc
import grpc_testing
import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2, status_pb2

from service.api.errors import status_mapped, status_mapped_stream
from service.api.servicer import LedgerServicer
from service.api.subscriptions import EventStreams
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.generated.sla.ledger.v1 import events_pb2, ledger_service_pb2, terms_pb2
from tests import proto_builders as build

NOW = datetime(2026, 6, 1, tzinfo=UTC)
TERM_START = datetime(2026, 1, 1, tzinfo=UTC)
SIGNED_AT = datetime(2025, 12, 15, tzinfo=UTC)
AMENDED_FROM = datetime(2026, 3, 1, tzinfo=UTC)
TERMINATED_AT = datetime(2026, 4, 1, tzinfo=UTC)
RPC_TIMEOUT_SECONDS = 10
SERVICE = ledger_service_pb2.DESCRIPTOR.services_by_name["LedgerService"]
STATUS_DETAILS_KEY = "grpc-status-details-bin"


class Termination(NamedTuple):
    """How a call ended, as grpc_testing reports it."""

    response: Any
    trailing_metadata: Any
    code: Any
    details: str


class Clock:
    """A clock that stands still until it is set."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class StatusMappedServicer:
    """A servicer whose methods end a failed call with its mapped status, as the server does."""

    def __init__(self, servicer: LedgerServicer) -> None:
        self._servicer = servicer

    def __getattr__(self, method: str) -> Callable[[Any, Any], Any]:
        behavior = getattr(self._servicer, method)
        if SERVICE.methods_by_name[method].server_streaming:
            return status_mapped_stream(method, behavior)
        return status_mapped(method, behavior)


class CallAbortedError(Exception):
    """Raised by RecordingContext.abort, as gRPC's ServicerContext.abort raises."""


class RecordingContext:
    """A ServicerContext that keeps the trailing metadata, code and details it is given."""

    def __init__(self) -> None:
        self.trailing_metadata: tuple[tuple[str, str | bytes], ...] = ()
        self.code: Any = None
        self.details: str | None = None

    def set_trailing_metadata(self, metadata: tuple[tuple[str, str | bytes], ...]) -> None:
        self.trailing_metadata = tuple(metadata)

    def abort(self, code: Any, details: str) -> None:
        self.code = code
        self.details = details
        raise CallAbortedError(details)


def _terms_from(fee_amount: str = "1000.00", **overrides: Any) -> terms_pb2.AgreementTerms:
    return build.proto_terms(TERM_START, fee_amount, **overrides)


def _sign_request(
    agreement_id: str, **term_overrides: Any
) -> ledger_service_pb2.SignAgreementRequest:
    return build.sign_request(agreement_id, TERM_START, SIGNED_AT, **term_overrides)


def _amend_request(
    agreement_id: str,
    *,
    expected_version: int | None = None,
    effective_from: datetime = AMENDED_FROM,
    fee_amount: str = "1500.00",
) -> ledger_service_pb2.AmendAgreementRequest:
    return build.amend_request(
        agreement_id,
        TERM_START,
        effective_from,
        expected_version=expected_version,
        fee_amount=fee_amount,
    )


def _terminate_request(
    agreement_id: str,
    *,
    expected_version: int | None = None,
    effective_at: datetime = TERMINATED_AT,
) -> ledger_service_pb2.TerminateAgreementRequest:
    return build.terminate_request(agreement_id, effective_at, expected_version=expected_version)


def _bad_request_fields(trailing_metadata: Any) -> list[str]:
    details = [value for key, value in trailing_metadata if key == STATUS_DETAILS_KEY]
    assert len(details) == 1, f"expected one {STATUS_DETAILS_KEY}, got {trailing_metadata!r}"
    status = status_pb2.Status.FromString(details[0])
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], status
    bad_requests = [d for d in status.details if d.Is(error_details_pb2.BadRequest.DESCRIPTOR)]
    assert len(bad_requests) == 1, f"expected one google.rpc.BadRequest in {status!r}"
    bad_request = error_details_pb2.BadRequest()
    bad_requests[0].Unpack(bad_request)
    return [violation.field for violation in bad_request.field_violations]


@pytest.fixture
def clock() -> Clock:
    """The clock of the servicer and the application, at 2026-06-01T00:00Z."""
    return Clock(NOW)


@pytest.fixture
def set_clock(clock: Clock) -> Callable[[datetime], None]:
    """Move the clock (record time and the default read instants) to an instant."""

    def move(instant: datetime) -> None:
        clock.now = instant

    return move


@pytest.fixture
def ledger_app(sqlite_database_url: str, clock: Clock) -> Iterator[LedgerApplication]:
    """A ledger application on a new SQLite file, recording events at the clock's time."""
    app = open_application(sqlite_database_url, clock=clock)
    yield app
    app.close()


@pytest.fixture
def servicer(ledger_app: LedgerApplication, clock: Clock) -> StatusMappedServicer:
    """The servicer under test, its failures mapped to statuses."""
    return StatusMappedServicer(LedgerServicer(ledger_app, clock, EventStreams(ledger_app)))


@pytest.fixture
def grpc_server(servicer: StatusMappedServicer) -> Any:
    """A grpc_testing server for LedgerService."""
    return grpc_testing.server_from_dictionary({SERVICE: servicer}, grpc_testing.strict_real_time())


@pytest.fixture
def invoke(grpc_server: Any) -> Callable[[str, Message], Termination]:
    """Call a LedgerService method by name; how the call ended."""

    def call(method: str, request: Message) -> Termination:
        rpc = grpc_server.invoke_unary_unary(
            SERVICE.methods_by_name[method], (), request, RPC_TIMEOUT_SECONDS
        )
        return Termination(*rpc.termination())

    return call


@pytest.fixture
def invoke_ok(
    invoke: Callable[[str, Message], Termination],
) -> Callable[[str, Message], Any]:
    """Call a LedgerService method by name, require OK; the response."""

    def call(method: str, request: Message) -> Any:
        ended = invoke(method, request)
        assert ended.code is grpc.StatusCode.OK, f"{method}: {ended.code} {ended.details}"
        return ended.response

    return call


@pytest.fixture
def invoke_directly(
    servicer: StatusMappedServicer,
) -> Callable[[str, Message], RecordingContext]:
    """Call a servicer method with a RecordingContext, expecting it to abort; the context.

    grpc_testing's ServicerContext.abort drops trailing metadata set before it, so the
    google.rpc.Status the servicer attaches can only be seen this way (or on the wire).
    """

    def call(method: str, request: Message) -> RecordingContext:
        context = RecordingContext()
        with pytest.raises(CallAbortedError):
            getattr(servicer, method)(request, context)
        return context

    return call


@pytest.fixture
def all_events(
    invoke_ok: Callable[[str, Message], Any],
) -> Callable[[str], list[events_pb2.LedgerEvent]]:
    """Every event of one agreement ('' for the whole ledger), following page tokens."""

    def collect(agreement_id: str) -> list[events_pb2.LedgerEvent]:
        return build.list_all_events(
            lambda request: invoke_ok("ListEvents", request), agreement_id, page_size=1000
        )

    return collect


@pytest.fixture
def timestamp() -> Callable[[datetime], Timestamp]:
    """A google.protobuf.Timestamp for an aware datetime."""
    return build.timestamp


@pytest.fixture
def make_terms_from() -> Callable[..., terms_pb2.AgreementTerms]:
    """Valid terms (EUR 1000.00 monthly, one 'availability' objective); keywords replace fields."""
    return _terms_from


@pytest.fixture
def sign_request() -> Callable[..., ledger_service_pb2.SignAgreementRequest]:
    """A valid SignAgreementRequest (signed 2025-12-15); keywords replace fields of the terms."""
    return _sign_request


@pytest.fixture
def amend_request() -> Callable[..., ledger_service_pb2.AmendAgreementRequest]:
    """An AmendAgreementRequest raising the fee, effective 2026-03-01 unless told otherwise."""
    return _amend_request


@pytest.fixture
def terminate_request() -> Callable[..., ledger_service_pb2.TerminateAgreementRequest]:
    """A TerminateAgreementRequest effective 2026-04-01 unless told otherwise."""
    return _terminate_request


@pytest.fixture
def get_request() -> Callable[..., ledger_service_pb2.GetAgreementRequest]:
    """A GetAgreementRequest with optional as_of and known_at."""
    return build.get_request


@pytest.fixture
def reading() -> Callable[..., terms_pb2.Measurement]:
    """A counts reading (59 good of 60) of an objective at an instant."""
    return build.reading


@pytest.fixture
def bad_request_fields() -> Callable[[Any], list[str]]:
    """The field paths of the google.rpc.BadRequest inside trailing metadata."""
    return _bad_request_fields
