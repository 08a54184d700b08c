"""The client drives the whole flow against a real server: sign, record, compliance, close,
and the reads after it, in Decimal, aware datetimes and enum names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import grpc
import pytest
from sla_ledger_client import InvalidArgument, LedgerClient, NotFound, Recorded, Resource

START = datetime(2026, 1, 1, tzinfo=UTC)
MINUTES = 3000  # 2026-01-01 00:00 to 2026-01-03 02:00


@pytest.fixture(scope="module")
def ledger(
    start_ledger: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LedgerClient]:
    server = start_ledger(tmp_path_factory.mktemp("flow") / "ledger.sqlite3")
    # A small message limit, so that 3,000 readings take several calls.
    with LedgerClient.connect(f"127.0.0.1:{server.port}", max_message_bytes=16 * 1024) as client:
        client.wait_until_ready()
        yield client


@pytest.fixture(scope="module")
def recorded(ledger: LedgerClient, agreement_terms: Callable[[], Any]) -> Recorded:
    ledger.sign_agreement("flow-1", agreement_terms(), signed_at=START)
    # One minute in ten has 59 of 60 good seconds.
    return ledger.record_readings(
        "flow-1",
        "availability",
        [START + timedelta(minutes=m) for m in range(MINUTES)],
        good=[59 if m % 10 == 0 else 60 for m in range(MINUTES)],
        total=[60] * MINUTES,
    )


def test_column_readings_are_recorded_in_several_calls_each_once(recorded: Recorded) -> None:
    assert (recorded.recorded, recorded.duplicates) == (MINUTES, 0)
    assert recorded.calls > 1


def test_compliance_is_exact_decimal_with_aware_instants_and_enum_names(
    ledger: LedgerClient, recorded: Recorded
) -> None:
    compliance = ledger.get_compliance(
        "flow-1", as_of=START + timedelta(minutes=MINUTES), min_log_position=recorded.log_position
    )

    standing = compliance.objectives[0]
    track = standing.tracks[0]
    # 300 minutes of 59 good seconds: 180,000 - 300 = 179,700 of 180,000 = 99.833333%.
    assert (track.good, track.total, track.attained) == (
        Decimal("179700"),
        Decimal("180000"),
        Decimal("99.833333"),
    )
    assert track.target == Decimal("99.9")
    assert standing.period_label == "2026-01"
    assert standing.window_start == START
    assert standing.window_end == datetime(2026, 2, 1, tzinfo=UTC)
    assert compliance.as_of is not None and compliance.as_of.utcoffset() == timedelta(0)


def test_closing_january_judges_it_breached_at_its_attainment(
    ledger: LedgerClient, recorded: Recorded
) -> None:
    closed = ledger.close_period("flow-1", until=datetime(2026, 2, 2, tzinfo=UTC))

    assert closed.closed_count == 1
    inside = ledger.get_compliance(
        "flow-1", as_of=datetime(2026, 1, 31, tzinfo=UTC), min_log_position=closed.log_position
    )
    after = ledger.get_compliance(
        "flow-1", as_of=datetime(2026, 2, 1, 12, tzinfo=UTC), min_log_position=closed.log_position
    )
    assert inside.objectives[0].closed_status == "BREACHED"
    (breach,) = after.breaches
    assert (breach.objective_id, breach.period_label, breach.attained) == (
        "availability",
        "2026-01",
        Decimal("99.833333"),
    )


def test_listing_finds_the_agreement_with_its_objectives(
    ledger: LedgerClient, recorded: Recorded
) -> None:
    listed = ledger.list_agreements(customer_id="globex", min_log_position=recorded.log_position)

    (summary,) = [a for a in listed if a.agreement_id == "flow-1"]

    assert (summary.status, summary.kind, summary.objective_ids) == (
        "ACTIVE",
        "CUSTOMER_BASED",
        ("availability",),
    )


def test_the_digest_names_the_last_position_the_events_reach(
    ledger: LedgerClient, recorded: Recorded
) -> None:
    digest = ledger.get_ledger_digest()
    events = list(ledger.list_events(page_size=2))

    assert digest.log_position == events[-1].position
    assert len(digest.sha256_hex) == 64


def test_an_unknown_agreement_is_not_found_naming_the_resource(ledger: LedgerClient) -> None:
    with pytest.raises(NotFound) as refused:
        ledger.get_agreement("never-signed")

    assert isinstance(refused.value, grpc.RpcError)
    assert refused.value.code() is grpc.StatusCode.NOT_FOUND
    assert refused.value.reason == "RESOURCE_NOT_FOUND"
    assert refused.value.resource == Resource("agreement", "agreements/never-signed")


def test_invalid_terms_are_refused_with_the_paths_of_their_fields(
    ledger: LedgerClient, agreement_terms: Callable[[], Any]
) -> None:
    terms = agreement_terms()
    terms.time_zone = "Mars/Olympus"
    terms.objectives[0].target_percent = "101"

    with pytest.raises(InvalidArgument) as refused:
        ledger.sign_agreement("flow-bad", terms, signed_at=START)

    assert {v.path for v in refused.value.field_violations} == {
        "terms.time_zone",
        "terms.objectives[0].target_percent",
    }


def test_a_naive_datetime_is_refused_before_any_call(ledger: LedgerClient) -> None:
    with pytest.raises(ValueError, match=r"naive|aware|time zone"):
        ledger.get_compliance("flow-1", as_of=datetime(2026, 1, 2))  # noqa: DTZ001


def test_connect_refuses_a_timeout_of_zero() -> None:
    with pytest.raises(ValueError, match="timeout"):
        LedgerClient.connect("127.0.0.1:1", timeout=0)


def test_the_package_depends_on_grpcio_and_protobuf_only() -> None:
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    names = sorted(d.split(">")[0].split("=")[0].strip() for d in project["dependencies"])
    assert names == ["grpcio", "protobuf"]
