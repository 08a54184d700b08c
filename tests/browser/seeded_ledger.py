"""The ledger the browser tests look at, written through gRPC, and its figures by hand.

Two agreements in UTC from 2026-03-01: Globex's `globex-hosting` and Initech's
`initech-hosting`, each with a monthly ratio objective `availability` (99.9%) and a monthly
cumulative objective `deployments` (310 a month: a target line of 10 a day in March's 31 days).
March 2026 is recorded whole: one availability reading an hour (60 of 60 good, except the first
three hours of 10 March with 30 of 60, so the month is breached: 44,550 of 44,640 = 99.798387%)
and one deployments reading a day at noon (8 + day mod 5). Then, after the instant
`known_before_late`, a late deployments reading of 7 at 18:00 on 5 March arrives, and March is
closed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from service.api.auth import token_digest
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from service.generated.sla.ledger.v1 import terms_pb2
from tests import proto_builders as build

AGREEMENT = "globex-hosting"
OTHER_AGREEMENT = "initech-hosting"
CUSTOMERS = {AGREEMENT: "globex", OTHER_AGREEMENT: "initech"}
MONTH_START = datetime(2026, 3, 1, tzinfo=UTC)
MONTH_END = datetime(2026, 4, 1, tzinfo=UTC)
SIGNED_AT = datetime(2026, 2, 20, tzinfo=UTC)
PERIOD = "2026-03"
DAYS = 31
DEPLOYMENTS_TARGET = 310
LATE_DAY = 5
LATE_DEPLOYMENTS = 7
BAD_HOURS = {datetime(2026, 3, 10, hour, tzinfo=UTC): 30 for hour in range(3)}
TIMEOUT = 30
# Tokens by name: (role, customers); each token is its name + "-token".
TOKENS = {
    "admin": ("admin", []),
    "auditor": ("auditor", []),
    "globex": ("customer", ["globex"]),
    "initech": ("customer", ["initech"]),
}


def token(name: str) -> str:
    """The bearer token of that name."""
    return f"{name}-token"


def write_tokens(path: Path) -> Path:
    """The server's token file for TOKENS."""
    entries = [
        {"name": name, "sha256": token_digest(token(name)).hex(), "role": role}
        | ({"customers": customers} if customers else {})
        for name, (role, customers) in TOKENS.items()
    ]
    path.write_text(json.dumps(entries))
    return path


def deployments_on(day: int) -> int:
    """The deployments reading at noon of a March day (1 to 31)."""
    return 8 + day % 5


def cumulative_deployments(day: int, *, with_late: bool = True) -> Decimal:
    """Deployments from 1 March up to the end of that day, the late reading included or not."""
    total = sum(deployments_on(d) for d in range(1, day + 1))
    late = LATE_DEPLOYMENTS if with_late and day >= LATE_DAY else 0
    return Decimal(total + late)


def target_line(day: int) -> Decimal:
    """The cumulative target line at the end of a March day: 310 x day / 31."""
    return Decimal(DEPLOYMENTS_TARGET * day) / DAYS


@dataclass(frozen=True)
class SeededLedger:
    """What was written: the instant before the late reading, and the last log position."""

    known_before_late: datetime
    log_position: int


def _terms(customer: str) -> terms_pb2.AgreementTerms:
    objectives = [
        terms_pb2.Objective(
            objective_id="availability",
            metric="availability",
            target_percent="99.9",
            period=terms_pb2.PERIOD_UNIT_MONTH,
        ),
        terms_pb2.Objective(
            objective_id="deployments",
            metric="deployments",
            period=terms_pb2.PERIOD_UNIT_MONTH,
            indicator=terms_pb2.INDICATOR_CUMULATIVE,
            cumulative_target=str(DEPLOYMENTS_TARGET),
        ),
    ]
    terms = build.proto_terms(MONTH_START, time_zone="UTC", objectives=objectives)
    terms.customer.CopyFrom(terms_pb2.Party(party_id=customer, display_name=customer.title()))
    return terms


def _month_readings(agreement_id: str) -> pb.RecordMeasurementsRequest:
    request = pb.RecordMeasurementsRequest(agreement_id=agreement_id)
    hour = MONTH_START
    while hour < MONTH_END:
        reading = request.measurements.add(objective_id="availability")
        reading.observed_at.FromDatetime(hour)
        reading.counts.good, reading.counts.total = BAD_HOURS.get(hour, 60), 60
        hour += timedelta(hours=1)
    for day in range(1, DAYS + 1):
        reading = request.measurements.add(objective_id="deployments")
        reading.observed_at.FromDatetime(MONTH_START + timedelta(days=day - 1, hours=12))
        reading.counts.good = reading.counts.total = deployments_on(day)
    return request


def _late_reading(agreement_id: str) -> pb.RecordMeasurementsRequest:
    request = pb.RecordMeasurementsRequest(agreement_id=agreement_id)
    reading = request.measurements.add(objective_id="deployments")
    reading.observed_at.FromDatetime(MONTH_START + timedelta(days=LATE_DAY - 1, hours=18))
    reading.counts.good = reading.counts.total = LATE_DEPLOYMENTS
    return request


def seed(stub: pb_grpc.LedgerServiceStub) -> SeededLedger:
    """Write both agreements' March, the late reading and the close; wait for the read models."""
    metadata = (("authorization", f"Bearer {token('admin')}"),)
    for agreement_id, customer in CUSTOMERS.items():
        request = pb.SignAgreementRequest(agreement_id=agreement_id, terms=_terms(customer))
        request.signed_at.FromDatetime(SIGNED_AT)
        stub.SignAgreement(request, timeout=TIMEOUT, metadata=metadata)
        stub.RecordMeasurements(_month_readings(agreement_id), timeout=TIMEOUT, metadata=metadata)
    known_before_late = datetime.now(UTC)
    time.sleep(0.01)  # the late reading's record time is strictly after known_before_late
    stub.RecordMeasurements(_late_reading(AGREEMENT), timeout=TIMEOUT, metadata=metadata)
    position = 0
    for agreement_id in CUSTOMERS:
        close = pb.ClosePeriodRequest(agreement_id=agreement_id)
        close.until.FromDatetime(MONTH_END)
        closed = stub.ClosePeriod(close, timeout=TIMEOUT, metadata=metadata)
        position = max(position, closed.log_position)
    # The portal's listings read projections: look once they have caught up with the close.
    stub.ListBreaches(
        pb.ListBreachesRequest(min_log_position=position), timeout=TIMEOUT, metadata=metadata
    )
    return SeededLedger(known_before_late, position)
