"""A ledger seeded through its gRPC API for the portal tests: two customers' agreements, two
months of readings, a service SLA Initech subscribes to, Initech's fee amended from November,
October closed, then a late exclusion of 10 October."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from service.generated.sla.ledger.v1 import ledger_service_pb2, terms_pb2
from tests import proto_builders as build
from tests import service_sla_requests as service_sla

TIMEOUT = 10
TERM_START = datetime(2026, 10, 1, tzinfo=UTC)
SIGNED_AT = datetime(2026, 9, 20, tzinfo=UTC)
OCTOBER_END = datetime(2026, 11, 1, tzinfo=UTC)
NOVEMBER_END = datetime(2026, 12, 1, tzinfo=UTC)
GLOBEX = "globex-2026-hosting"
INITECH = "initech-2026-hosting"
SERVICE = service_sla.SERVICE  # a service SLA: Initech subscribes to its premium tier (99.9 %)
# Throughput: a cumulative objective of 3100 per month, 100 a day on every day of October
# except the 10th (nothing); in November 100 a day.
THROUGHPUT_TARGET = "3100"
DAILY_THROUGHPUT = 100
MISSED_DAY = 10
EXCLUSION_ID = "maintenance-2026-10-10"
AMENDED_FEE = "1200.00"  # Initech's fee from November on (terms version 2)


@dataclass(frozen=True)
class Seeded:
    """What the seeding recorded and when."""

    globex: str
    initech: str
    closed_position: int
    before_exclusion: datetime  # a record instant after the close, before the late exclusion


def terms(customer: str, display: str) -> terms_pb2.AgreementTerms:
    """Monthly availability (99.9 %) and throughput (3100 a month) in UTC, EUR 1000 a month."""
    return build.proto_terms(
        TERM_START,
        customer=terms_pb2.Party(party_id=customer, display_name=display),
        time_zone="UTC",
        objectives=[
            terms_pb2.Objective(
                objective_id="availability",
                metric="availability",
                target_percent="99.9",
                period=terms_pb2.PERIOD_UNIT_MONTH,
            ),
            terms_pb2.Objective(
                objective_id="throughput",
                metric="orders_processed",
                indicator=terms_pb2.INDICATOR_CUMULATIVE,
                cumulative_target=THROUGHPUT_TARGET,
                period=terms_pb2.PERIOD_UNIT_MONTH,
            ),
        ],
        credit_policy=terms_pb2.CreditPolicy(
            bands=terms_pb2.BandsRule(
                bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
            )
        ),
    )


def readings(start: datetime, end: datetime) -> list[terms_pb2.Measurement]:
    """Hourly availability (60 of 60 good, 30 of 60 on the 10th) and daily throughput."""
    found: list[terms_pb2.Measurement] = []
    hour = start
    while hour < end:
        bad = hour.day == MISSED_DAY and hour.month == 10
        found.append(build.reading("availability", hour, good=30 if bad else 60, total=60))
        if hour.hour == 12 and not bad:
            found.append(
                terms_pb2.Measurement(
                    objective_id="throughput",
                    observed_at=build.timestamp(hour),
                    counts=terms_pb2.EventCounts(good=DAILY_THROUGHPUT, total=DAILY_THROUGHPUT),
                )
            )
        hour += timedelta(hours=1)
    return found


def seed(stub: Any, metadata: Any = ()) -> Seeded:
    """Sign both agreements, record October and November, close October."""
    for agreement_id, customer, display in (
        (GLOBEX, "globex", "Globex Corporation"),
        (INITECH, "initech", "Initech"),
    ):
        stub.SignAgreement(
            ledger_service_pb2.SignAgreementRequest(
                agreement_id=agreement_id,
                terms=terms(customer, display),
                signed_at=build.timestamp(SIGNED_AT),
            ),
            timeout=TIMEOUT,
            metadata=metadata,
        )
        stub.RecordMeasurements(
            ledger_service_pb2.RecordMeasurementsRequest(
                agreement_id=agreement_id, measurements=readings(TERM_START, NOVEMBER_END)
            ),
            timeout=TIMEOUT,
            metadata=metadata,
        )
    stub.SignAgreement(
        service_sla.sign_service(TERM_START, SIGNED_AT), timeout=TIMEOUT, metadata=metadata
    )
    stub.SubscribeCustomer(
        service_sla.subscribe("initech", "premium", TERM_START), timeout=TIMEOUT, metadata=metadata
    )
    stub.RecordMeasurements(
        ledger_service_pb2.RecordMeasurementsRequest(
            agreement_id=SERVICE,
            measurements=[
                reading
                for reading in readings(TERM_START, NOVEMBER_END)
                if reading.objective_id == "availability"
            ],
        ),
        timeout=TIMEOUT,
        metadata=metadata,
    )
    amended = terms("initech", "Initech")
    amended.fee.amount.amount = AMENDED_FEE
    stub.AmendAgreement(
        ledger_service_pb2.AmendAgreementRequest(
            agreement_id=INITECH,
            terms=amended,
            effective_from=build.timestamp(OCTOBER_END),
            reason="price change",
        ),
        timeout=TIMEOUT,
        metadata=metadata,
    )
    closed = 0
    for agreement_id in (GLOBEX, INITECH, SERVICE):
        answer = stub.ClosePeriod(
            ledger_service_pb2.ClosePeriodRequest(
                agreement_id=agreement_id, until=build.timestamp(OCTOBER_END)
            ),
            timeout=TIMEOUT,
            metadata=metadata,
        )
        closed = max(closed, answer.log_position)
    before_exclusion = datetime.now(UTC)
    time.sleep(0.01)
    recorded = stub.RecordExclusion(
        ledger_service_pb2.RecordExclusionRequest(
            agreement_id=GLOBEX,
            exclusion=terms_pb2.Exclusion(
                exclusion_id=EXCLUSION_ID,
                start=build.timestamp(datetime(2026, 10, MISSED_DAY, tzinfo=UTC)),
                end=build.timestamp(datetime(2026, 10, MISSED_DAY + 1, tzinfo=UTC)),
                kind=terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE,
                reason="storage migration",
                objective_ids=["availability"],
            ),
        ),
        timeout=TIMEOUT,
        metadata=metadata,
    )
    # The read models (credits, balances) follow the log: wait until they hold all of it.
    stub.GetCreditBalance(
        ledger_service_pb2.GetCreditBalanceRequest(min_log_position=recorded.log_position),
        timeout=TIMEOUT,
        metadata=metadata,
    )
    return Seeded(GLOBEX, INITECH, closed, before_exclusion)
