"""The cap across objectives on a real server: terms carry it, ClosePeriod appends the
CreditCapped entries, and GetCompliance, ListCredits, GetCreditBalance and ListEvents report
them. The figures are the worked example of docs/semantics.md "Caps across objectives"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from service.generated.sla.ledger.v1 import (
    compliance_pb2,
    credit_caps_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from tests import proto_builders as build
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
TIMEOUT = 10
Stub = ledger_service_pb2_grpc.LedgerServiceStub
CREDITED = (("availability", "100"), ("latency", "50"), ("support", "30"))


def _objective(objective_id: str, percent: str) -> terms_pb2.Objective:
    band = terms_pb2.CreditBand(below_percent="99.9", credit_percent=percent)
    return terms_pb2.Objective(
        objective_id=objective_id,
        metric=objective_id,
        target_percent="99.9",
        period=terms_pb2.PERIOD_UNIT_MONTH,
        credit_policy=terms_pb2.CreditPolicy(bands=terms_pb2.BandsRule(bands=[band])),
    )


def _sign(stub: Stub, cap: credit_caps_pb2.CreditCap) -> None:
    stub.SignAgreement(
        build.sign_request(
            "sla-capped",
            JANUARY,
            JANUARY,
            time_zone="UTC",
            objectives=[_objective(o, p) for o, p in CREDITED],
            credit_cap=cap,
        ),
        timeout=TIMEOUT,
    )


def _closed_january(stub: Stub) -> ledger_service_pb2.ClosePeriodResponse:
    """EUR 1,000.00 a month, the three objectives credited 100%, 50%, 30% and all measured
    0 of 1,000 for an hour of January, a cap of 100% of the fee; January closed."""
    _sign(stub, credit_caps_pb2.CreditCap(percent_of_fee="100"))
    readings = ledger_service_pb2.RecordMeasurementsRequest(agreement_id="sla-capped")
    for objective_id, _percent in CREDITED:
        reading = readings.measurements.add(objective_id=objective_id)
        reading.observed_at.FromDatetime(JANUARY + timedelta(hours=1))
        reading.counts.good, reading.counts.total = 0, 1000
    stub.RecordMeasurements(readings, timeout=TIMEOUT)
    close = ledger_service_pb2.ClosePeriodRequest(agreement_id="sla-capped")
    close.until.FromDatetime(FEBRUARY)
    response: ledger_service_pb2.ClosePeriodResponse = stub.ClosePeriod(close, timeout=TIMEOUT)
    return response


def test_a_close_over_the_cap_replies_with_the_cap_entries(stub: Stub) -> None:
    response = _closed_january(stub)

    # 1,000.00 + 500.00 + 300.00 = 1,800.00 over 1,000.00: kept 555.55, 277.78, 166.67.
    capped = [
        e.credit_capped for e in response.events if e.WhichOneof("payload") == "credit_capped"
    ]
    assert [(c.objective_id, c.delta.amount, c.reduction_after.amount) for c in capped] == [
        ("availability", "-444.45", "444.45"),
        ("latency", "-222.22", "222.22"),
        ("support", "-133.33", "133.33"),
    ]
    assert (capped[0].fee_period_label, capped[0].cap.amount) == ("2026-01", "1000.00")
    assert capped[0].credits_before_cap.amount == "1800.00"


def test_get_compliance_lists_the_cap_lines_and_nets_the_credits_to_the_cap(stub: Stub) -> None:
    _closed_january(stub)
    request = ledger_service_pb2.GetComplianceRequest(agreement_id="sla-capped")
    request.as_of.FromDatetime(FEBRUARY)

    report = stub.GetCompliance(request, timeout=TIMEOUT).report

    capped = [
        c for c in report.credits if c.credit_kind == compliance_pb2.CREDIT_KIND_CREDIT_CAPPED
    ]
    assert [(c.objective_id, c.kind, c.amount.amount) for c in capped] == [
        ("availability", "credit_capped", "-444.45"),
        ("latency", "credit_capped", "-222.22"),
        ("support", "credit_capped", "-133.33"),
    ]
    # 1,800.00 - 800.00 = 1,000.00.
    assert [t.amount for t in report.credit_totals] == ["1000.00"]


def test_the_credit_ledger_and_balance_carry_the_cap_entries(stub: Stub) -> None:
    position = _closed_january(stub).log_position

    listed = stub.ListCredits(
        ledger_service_pb2.ListCreditsRequest(min_log_position=position), timeout=TIMEOUT
    )
    balance = stub.GetCreditBalance(
        ledger_service_pb2.GetCreditBalanceRequest(customer_id="globex", min_log_position=position),
        timeout=TIMEOUT,
    )

    assert [(c.kind, c.amount.amount) for c in listed.credits if c.kind == "credit_capped"] == [
        ("credit_capped", "-444.45"),
        ("credit_capped", "-222.22"),
        ("credit_capped", "-133.33"),
    ]
    assert all(
        c.credit_kind == compliance_pb2.CREDIT_KIND_CREDIT_CAPPED
        for c in listed.credits
        if c.kind == "credit_capped"
    )
    [owed] = balance.balances
    assert owed.credits.amount == "1000.00"


def test_list_events_shows_each_cap_entry_with_its_allocation_line(stub: Stub) -> None:
    _closed_january(stub)

    events = build.list_all_events(
        lambda r: stub.ListEvents(r, timeout=TIMEOUT), "sla-capped", page_size=100
    )

    capped = [e for e in events if e.WhichOneof("payload") == "credit_capped"]
    assert len(capped) == 3
    assert capped[0].stream_id.endswith("/objective:availability/period:2026-01")
    assert capped[0].credit_capped.allocation_line.startswith(
        "fee period 2026-01: cap EUR 1000.00 = 100% of fee EUR 1000.00"
    )


def test_get_agreement_shows_the_cap_as_signed(stub: Stub) -> None:
    _sign(stub, credit_caps_pb2.CreditCap(amount="750.00"))

    agreement = stub.GetAgreement(build.get_request("sla-capped"), timeout=TIMEOUT).agreement

    assert agreement.terms.HasField("credit_cap")
    assert (agreement.terms.credit_cap.amount, agreement.terms.credit_cap.percent_of_fee) == (
        "750.00",
        "",
    )


@pytest.mark.parametrize(
    ("cap", "field"),
    [
        (credit_caps_pb2.CreditCap(percent_of_fee="0"), "terms.credit_cap.percent_of_fee"),
        (credit_caps_pb2.CreditCap(percent_of_fee="100.5"), "terms.credit_cap.percent_of_fee"),
        (credit_caps_pb2.CreditCap(amount="-1"), "terms.credit_cap.amount"),
        (credit_caps_pb2.CreditCap(amount="1.001"), "terms.credit_cap.amount"),
        (credit_caps_pb2.CreditCap(), "terms.credit_cap"),
        (credit_caps_pb2.CreditCap(percent_of_fee="10", amount="10"), "terms.credit_cap"),
    ],
)
def test_a_cap_outside_its_range_is_refused_naming_its_field(
    stub: Stub, cap: credit_caps_pb2.CreditCap, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        _sign(stub, cap)

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(refused.value)
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    assert [v.field for v in bad_request.field_violations] == [field]


def test_subscribe_events_filters_the_cap_entries_by_their_type(stub: Stub) -> None:
    _closed_january(stub)
    stream = stub.SubscribeEvents(
        ledger_service_pb2.SubscribeEventsRequest(
            agreement_id="sla-capped", event_types=["credit_capped"]
        ),
        timeout=TIMEOUT,
    )

    found: list[str] = []
    for response in stream:
        found.extend(e.credit_capped.objective_id for e in response.events)
        if len(found) >= 3:
            break
    stream.cancel()

    assert found == ["availability", "latency", "support"]
