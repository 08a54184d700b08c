"""Bearer tokens: roles decide the methods, customer scopes decide the agreements."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import text_format
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from domain.errors import Violations
from service.api.auth import token_digest
from service.api.mapping.terms import terms_from_proto
from service.app.actors import acting_as
from service.bootstrap import open_application
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import terms_pb2
from service.store.command_requests import command_request
from tests import proto_builders as build
from tests.api.token_server import (
    START,
    TIMEOUT,
    Stub,
    auth,
    code,
    sign_as,
    write_tokens,
)


@pytest.fixture
def tokens_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A token file of TOKENS, each token being its name + "-token"."""
    monkeypatch.setenv("SLA_LEDGER_HEARTBEAT_SECONDS", "0.2")
    return write_tokens(tmp_path / "tokens.json")


@pytest.fixture
def server(start_server: Callable[..., Any], sqlite_database_url: str, tokens_file: Path) -> Any:
    return start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--tokens", str(tokens_file))
    )


def test_a_call_without_a_valid_token_is_unauthenticated_and_health_stays_open(server: Any) -> None:
    stub = Stub(server.channel)
    request = pb.GetLedgerDigestRequest()
    wrong = (("authorization", "Bearer nope"),)

    assert (
        code(lambda: stub.GetLedgerDigest(request, timeout=TIMEOUT))
        is grpc.StatusCode.UNAUTHENTICATED
    )
    assert (
        code(lambda: stub.GetLedgerDigest(request, timeout=TIMEOUT, metadata=wrong))
        is grpc.StatusCode.UNAUTHENTICATED
    )
    health = health_pb2_grpc.HealthStub(server.channel)
    assert (
        health.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT).status
        == health_pb2.HealthCheckResponse.SERVING
    )


def test_a_customer_scoped_token_reads_the_ledger_digest(server: Any) -> None:
    stub = Stub(server.channel)
    sign_as(stub, "sla-1", customer="initech")

    reply = stub.GetLedgerDigest(
        pb.GetLedgerDigestRequest(), timeout=TIMEOUT, metadata=auth("initech-auditor")
    )

    assert reply.digest.log_position == 1


def test_a_customer_scoped_token_cannot_verify_the_whole_ledger(server: Any) -> None:
    stub = Stub(server.channel)
    request = pb.VerifyLedgerRequest()

    assert (
        code(lambda: stub.VerifyLedger(request, timeout=TIMEOUT, metadata=auth("initech-auditor")))
        is grpc.StatusCode.PERMISSION_DENIED
    )


def test_each_role_calls_its_own_methods_only(server: Any) -> None:
    stub = Stub(server.channel)
    sign_as(stub, "sla-1", who="writer")
    get = pb.GetAgreementRequest(agreement_id="sla-1")
    credits = pb.ListCreditsRequest()

    assert (
        code(lambda: stub.GetAgreement(get, timeout=TIMEOUT, metadata=auth("writer")))
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        code(lambda: stub.GetAgreement(get, timeout=TIMEOUT, metadata=auth("auditor")))
        is grpc.StatusCode.OK
    )
    assert code(lambda: sign_as(stub, "sla-2", who="auditor")) is grpc.StatusCode.PERMISSION_DENIED
    assert (
        code(lambda: stub.ListCredits(credits, timeout=TIMEOUT, metadata=auth("finance")))
        is grpc.StatusCode.OK
    )
    assert (
        code(lambda: stub.GetAgreement(get, timeout=TIMEOUT, metadata=auth("finance")))
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert code(lambda: sign_as(stub, "sla-3", who="admin")) is grpc.StatusCode.OK


def test_finance_subscribes_to_credit_events_only(server: Any) -> None:
    stub = Stub(server.channel)
    everything = pb.SubscribeEventsRequest()
    credits = pb.SubscribeEventsRequest(event_types=["credit_issued", "credit_adjusted"])

    refused = stub.SubscribeEvents(everything, timeout=TIMEOUT, metadata=auth("finance"))
    assert code(lambda: next(refused)) is grpc.StatusCode.PERMISSION_DENIED
    allowed = stub.SubscribeEvents(credits, timeout=TIMEOUT, metadata=auth("finance"))
    first = next(allowed)  # no credit yet: a heartbeat
    allowed.cancel()
    assert (list(first.events), first.log_position) == ([], 0)


def test_a_token_scoped_to_a_customer_sees_and_changes_only_its_agreements(server: Any) -> None:
    stub = Stub(server.channel)
    sign_as(stub, "globex-1", customer="globex")
    sign_as(stub, "initech-1", customer="initech")
    amend = build.amend_request("initech-1", START, datetime(2026, 3, 1, tzinfo=UTC))
    amend.terms.customer.CopyFrom(terms_pb2.Party(party_id="initech"))
    read = pb.GetAgreementRequest(agreement_id="globex-1")

    assert (
        code(lambda: sign_as(stub, "globex-2", customer="globex", who="globex-writer"))
        is grpc.StatusCode.OK
    )
    assert (
        code(lambda: sign_as(stub, "initech-2", customer="initech", who="globex-writer"))
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        code(lambda: stub.AmendAgreement(amend, timeout=TIMEOUT, metadata=auth("globex-writer")))
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        code(lambda: stub.GetAgreement(read, timeout=TIMEOUT, metadata=auth("initech-auditor")))
        is grpc.StatusCode.NOT_FOUND
    )
    assert (
        code(
            lambda: stub.ListEvents(
                pb.ListEventsRequest(), timeout=TIMEOUT, metadata=auth("initech-auditor")
            )
        )
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        code(
            lambda: stub.VerifyLedger(
                pb.VerifyLedgerRequest(), timeout=TIMEOUT, metadata=auth("initech-auditor")
            )
        )
        is grpc.StatusCode.PERMISSION_DENIED
    )


def test_the_audit_trail_names_the_token_that_acted(server: Any) -> None:
    stub = Stub(server.channel)
    sign_as(stub, "sla-1", who="writer")

    events = stub.ListEvents(
        pb.ListEventsRequest(), timeout=TIMEOUT, metadata=auth("auditor")
    ).events

    assert [e.actor for e in events] == ["token writer"]


def _blanked(status: status_pb2.Status, agreement_id: str) -> status_pb2.Status:
    """status with agreement_id blanked in its message, ErrorInfo and ResourceInfo."""
    status.message = status.message.replace(agreement_id, "<id>")
    for packed in status.details:
        for kind in (error_details_pb2.ErrorInfo, error_details_pb2.ResourceInfo):
            if packed.Is(kind.DESCRIPTOR):
                detail = kind()
                packed.Unpack(detail)
                text = text_format.MessageToString(detail).replace(agreement_id, "<id>")
                packed.Pack(text_format.Parse(text, kind()))
    return status


def _refusal(call: Callable[[], Any], agreement_id: str) -> tuple[Any, ...]:
    """How a call was refused: code, message (its agreement id blanked) and trailers."""
    with pytest.raises(grpc.RpcError) as refused:
        call()
    error: Any = refused.value
    trailers = []
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            value = _blanked(status_pb2.Status.FromString(value), agreement_id).SerializeToString()
        trailers.append((key, value))
    return (error.code(), error.details().replace(agreement_id, "<id>"), sorted(trailers))


def test_a_scoped_token_is_told_another_customers_agreement_does_not_exist(server: Any) -> None:
    stub = Stub(server.channel)
    sign_as(stub, "globex-1", customer="globex")
    writer, reader = auth("initech-writer"), auth("initech-auditor")
    reading = build.reading("availability", datetime(2026, 1, 2, tzinfo=UTC), good=1)
    calls: dict[str, Callable[[str], Any]] = {
        "GetAgreement": lambda a: stub.GetAgreement(
            pb.GetAgreementRequest(agreement_id=a), timeout=TIMEOUT, metadata=reader
        ),
        "ListEvents": lambda a: stub.ListEvents(
            pb.ListEventsRequest(agreement_id=a), timeout=TIMEOUT, metadata=reader
        ),
        "GetCompliance": lambda a: stub.GetCompliance(
            pb.GetComplianceRequest(agreement_id=a), timeout=TIMEOUT, metadata=reader
        ),
        "ListBreaches": lambda a: stub.ListBreaches(
            pb.ListBreachesRequest(agreement_id=a, customer_id="initech"),
            timeout=TIMEOUT,
            metadata=reader,
        ),
        "RecordMeasurements": lambda a: stub.RecordMeasurements(
            pb.RecordMeasurementsRequest(agreement_id=a, measurements=[reading]),
            timeout=TIMEOUT,
            metadata=writer,
        ),
        "TerminateAgreement": lambda a: stub.TerminateAgreement(
            build.terminate_request(a, START), timeout=TIMEOUT, metadata=writer
        ),
        "ClosePeriod": lambda a: stub.ClosePeriod(
            pb.ClosePeriodRequest(agreement_id=a), timeout=TIMEOUT, metadata=writer
        ),
    }

    for name, call in calls.items():
        foreign = _refusal(lambda: call("globex-1"), "globex-1")  # noqa: B023
        unknown = _refusal(lambda: call("nobody-1"), "nobody-1")  # noqa: B023
        assert foreign == unknown, name
        assert foreign[:2] == (grpc.StatusCode.NOT_FOUND, "agreement <id> does not exist"), name


def test_signing_a_taken_id_is_refused_alike_whoever_holds_it(server: Any) -> None:
    stub = Stub(server.channel)
    sign_as(stub, "globex-1", customer="globex")
    sign_as(stub, "initech-1", customer="initech")

    own = _refusal(lambda: sign_as(stub, "globex-1", who="globex-writer"), "globex-1")
    foreign = _refusal(lambda: sign_as(stub, "initech-1", who="globex-writer"), "initech-1")

    assert own == foreign
    assert own[0] is grpc.StatusCode.ALREADY_EXISTS
    assert "initech" not in foreign[1]


def _scoped_sign(agreement_id: str, customer: str, request_id: str) -> pb.SignAgreementRequest:
    request = build.sign_request(agreement_id, START, START)
    request.terms.customer.CopyFrom(terms_pb2.Party(party_id=customer))
    request.request_id = request_id
    return request


def _token_server(start_server: Callable[..., Any], database_url: str, tokens: Path) -> Any:
    return start_server(
        database_url, extra_args=("--close-periods", "off", "--tokens", str(tokens))
    )


def test_one_tenants_request_id_never_refuses_another_tenants_call(
    start_server: Callable[..., Any], database_url: str, tokens_file: Path
) -> None:
    stub = Stub(_token_server(start_server, database_url, tokens_file).channel)
    globex = _scoped_sign("globex-1", "globex", "sign-1")
    first = stub.SignAgreement(globex, timeout=TIMEOUT, metadata=auth("globex-writer"))

    other = stub.SignAgreement(
        _scoped_sign("initech-1", "initech", "sign-1"),
        timeout=TIMEOUT,
        metadata=auth("initech-writer"),
    )
    retried = stub.SignAgreement(globex, timeout=TIMEOUT, metadata=auth("globex-writer"))

    assert other.agreement.agreement_id == "initech-1"
    assert other.log_position > first.log_position
    assert retried == first


def _sign_before_scoping(database_url: str, actor: str, request: pb.SignAgreementRequest) -> int:
    """Sign as a ledger did before request ids were scoped: stored under the bare id."""
    app = open_application(database_url)
    try:
        with acting_as(actor):
            terms = terms_from_proto(request.terms, "terms", Violations())
            once = command_request("SignAgreement", request)
            _, position = app.commands.sign_agreement(
                request.agreement_id, terms, START, request=once
            )
    finally:
        app.close()
    return position


def test_a_tokens_request_stored_before_ids_were_scoped_still_replays_its_reply(
    start_server: Callable[..., Any], database_url: str, tokens_file: Path
) -> None:
    request = _scoped_sign("globex-1", "globex", "sign-1")
    position = _sign_before_scoping(database_url, "token globex-writer", request)
    stub = Stub(_token_server(start_server, database_url, tokens_file).channel)

    retried = stub.SignAgreement(request, timeout=TIMEOUT, metadata=auth("globex-writer"))

    assert (retried.agreement.agreement_id, retried.log_position) == ("globex-1", position)


def test_another_tokens_request_stored_before_scoping_does_not_refuse_a_new_call(
    start_server: Callable[..., Any], database_url: str, tokens_file: Path
) -> None:
    _sign_before_scoping(
        database_url, "token globex-writer", _scoped_sign("globex-1", "globex", "sign-1")
    )
    stub = Stub(_token_server(start_server, database_url, tokens_file).channel)

    signed = stub.SignAgreement(
        _scoped_sign("initech-1", "initech", "sign-1"),
        timeout=TIMEOUT,
        metadata=auth("initech-writer"),
    )

    assert signed.agreement.agreement_id == "initech-1"


def test_a_token_file_with_an_empty_customers_string_stops_the_server_from_starting(
    run_command: Callable[[list[str]], Any], sqlite_database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "tokens.json"
    entry = {"name": "portal", "sha256": token_digest("t").hex(), "role": "admin", "customers": ""}
    path.write_text(json.dumps([entry]))
    serve = [sys.executable, "-m", "service.cli", "serve", "--listen", "127.0.0.1:0"]

    ended = run_command([*serve, "--database-url", sqlite_database_url, "--tokens", str(path)])

    assert ended.returncode != 0
    assert "token 0: customers" in ended.stderr


def test_finance_may_name_the_credit_events_by_their_json_names(server: Any) -> None:
    stub = Stub(server.channel)
    credits = pb.SubscribeEventsRequest(event_types=["creditIssued", "bonusAdjusted"])

    allowed = stub.SubscribeEvents(credits, timeout=TIMEOUT, metadata=auth("finance"))
    first = next(allowed)  # no credit yet: a heartbeat
    allowed.cancel()

    assert (list(first.events), first.log_position) == ([], 0)
