"""The ledger the statement tests read, written through gRPC, and its figures by hand.

Agreement `globex-2026` (ACME Cloud to Globex, EUR 1,000.00 a month, UTC) from 2026-03-01 with:
- `availability`, a monthly ratio objective of 99.9% whose credit is 10% of the fee below it:
  one reading an hour through March (744), 60 of 60 good but the first three hours of 10 March
  (30 of 60). An exclusion of 20 March 01:00-02:00 (maintenance, recorded after the month)
  leaves out that hour's reading: 44,490 good of 44,580 = 99.798116% (half-even at 6 places),
  below 99.9: breached, a credit of 10% of EUR 1,000.00 = EUR 100.00. The terms have a claim
  rule (3,650 days to claim): the credit is eligible when issued, and Globex claims it
  (reference GLOBEX-2026-03) after the close, so it stands claimed.
- `deployments`, a monthly cumulative objective of 310 (a target line of 10 a day in March's
  31 days): 9 at noon each day, 279 in all: breached (no credit policy: no credit). At the end
  of 15 March the actual is 135 against a target line of 150.
Globex also subscribes to the service SLA `cloud-sla` (tests/service_sla_requests.py) on its
premium tier (99.9%) from 1 March; the service's March has 744 hourly readings of 60 of 60 but
the first two hours of 3 March (50 of 60): 44,620 of 44,640 = 99.955197%, met.
March is closed after the exclusion. `known_before_close` is an instant between the exclusion
and the close; the claim is the log's last event.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from service.api.auth import token_digest
from service.generated.sla.ledger.v1 import claim_rules_pb2, claims_pb2, credit_refs_pb2, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from tests import proto_builders as build
from tests import service_sla_requests as service

AGREEMENT = "globex-2026"
CUSTOMER = "globex"
MONTH_START = datetime(2026, 3, 1, tzinfo=UTC)
MONTH_END = datetime(2026, 4, 1, tzinfo=UTC)
PERIOD = "2026-03"
BAD_HOURS = {MONTH_START + timedelta(days=9, hours=hour): 30 for hour in range(3)}
EXCLUDED_FROM = datetime(2026, 3, 20, 1, tzinfo=UTC)
EXCLUDED_TO = datetime(2026, 3, 20, 2, tzinfo=UTC)
DEPLOYMENTS_A_DAY = 9
ATTAINED = "99.798116"
CREDIT = "100.00"
CLAIM_REFERENCE = "GLOBEX-2026-03"
SERVICE_BAD_DAY = 3
SERVICE_BAD_HOURS = 2
SERVICE_ATTAINED = "99.955197"
TIMEOUT = 30
TOKENS = {
    "admin": ("admin", []),
    "auditor": ("auditor", []),
    "globex": ("customer", ["globex"]),
    "initech": ("customer", ["initech"]),
}


def token(name: str) -> str:
    """The bearer token of that name."""
    return f"{name}-token"


def metadata(name: str) -> tuple[tuple[str, str]]:
    """Call metadata presenting the token of that name."""
    return (("authorization", f"Bearer {token(name)}"),)


def write_tokens(path: Path) -> Path:
    """The server's token file for TOKENS."""
    entries = [
        {"name": name, "sha256": token_digest(token(name)).hex(), "role": role}
        | ({"customers": customers} if customers else {})
        for name, (role, customers) in TOKENS.items()
    ]
    path.write_text(json.dumps(entries))
    return path


@dataclass(frozen=True)
class SeededLedger:
    """What was written: an instant before the close, and the log's last position."""

    known_before_close: datetime
    head_position: int


def _terms() -> terms_pb2.AgreementTerms:
    bands = terms_pb2.BandsRule(
        bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
    )
    objectives = [
        terms_pb2.Objective(
            objective_id="availability",
            metric="availability",
            description="API availability",
            target_percent="99.9",
            period=terms_pb2.PERIOD_UNIT_MONTH,
            credit_policy=terms_pb2.CreditPolicy(bands=bands),
        ),
        terms_pb2.Objective(
            objective_id="deployments",
            metric="deployments",
            period=terms_pb2.PERIOD_UNIT_MONTH,
            indicator=terms_pb2.INDICATOR_CUMULATIVE,
            cumulative_target="310",
        ),
    ]
    return build.proto_terms(
        MONTH_START,
        time_zone="UTC",
        objectives=objectives,
        claim_rule=claim_rules_pb2.ClaimRule(deadline_days=3650),
    )


def _service_readings() -> pb.RecordMeasurementsRequest:
    request = pb.RecordMeasurementsRequest(agreement_id=service.SERVICE)
    hour = MONTH_START
    while hour < MONTH_END:
        reading = request.measurements.add(objective_id="availability")
        reading.observed_at.FromDatetime(hour)
        bad = hour.day == SERVICE_BAD_DAY and hour.hour < SERVICE_BAD_HOURS
        reading.counts.good, reading.counts.total = (50 if bad else 60), 60
        hour += timedelta(hours=1)
    return request


def _readings() -> pb.RecordMeasurementsRequest:
    request = pb.RecordMeasurementsRequest(agreement_id=AGREEMENT)
    hour = MONTH_START
    while hour < MONTH_END:
        reading = request.measurements.add(objective_id="availability")
        reading.observed_at.FromDatetime(hour)
        reading.counts.good, reading.counts.total = BAD_HOURS.get(hour, 60), 60
        hour += timedelta(hours=1)
    for day in range(31):
        reading = request.measurements.add(objective_id="deployments")
        reading.observed_at.FromDatetime(MONTH_START + timedelta(days=day, hours=12))
        reading.counts.good = reading.counts.total = DEPLOYMENTS_A_DAY
    return request


def _exclusion() -> pb.RecordExclusionRequest:
    exclusion = terms_pb2.Exclusion(
        exclusion_id="maintenance-20",
        kind=terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE,
        reason="database upgrade",
        objective_ids=["availability"],
    )
    exclusion.start.FromDatetime(EXCLUDED_FROM)
    exclusion.end.FromDatetime(EXCLUDED_TO)
    return pb.RecordExclusionRequest(agreement_id=AGREEMENT, exclusion=exclusion)


def seed(stub: pb_grpc.LedgerServiceStub) -> SeededLedger:
    """Sign, record March and the exclusion, then close March; wait for the read models."""
    admin = metadata("admin")
    signing = pb.SignAgreementRequest(agreement_id=AGREEMENT, terms=_terms())
    signing.signed_at.FromDatetime(MONTH_START)
    stub.SignAgreement(signing, timeout=TIMEOUT, metadata=admin)
    stub.RecordMeasurements(_readings(), timeout=TIMEOUT, metadata=admin)
    stub.RecordExclusion(_exclusion(), timeout=TIMEOUT, metadata=admin)
    stub.SignAgreement(
        service.sign_service(MONTH_START, MONTH_START), timeout=TIMEOUT, metadata=admin
    )
    subscription = service.subscribe(CUSTOMER, "premium", MONTH_START)
    stub.SubscribeCustomer(subscription, timeout=TIMEOUT, metadata=admin)
    stub.RecordMeasurements(_service_readings(), timeout=TIMEOUT, metadata=admin)
    time.sleep(0.01)
    known_before_close = datetime.now(UTC)
    time.sleep(0.01)  # the close's record time is strictly after known_before_close
    close = pb.ClosePeriodRequest(agreement_id=AGREEMENT)
    close.until.FromDatetime(MONTH_END)
    closed = stub.ClosePeriod(close, timeout=TIMEOUT, metadata=admin)
    close.agreement_id = service.SERVICE
    service_closed = stub.ClosePeriod(close, timeout=TIMEOUT, metadata=admin)
    stub.ListBreaches(
        pb.ListBreachesRequest(
            min_log_position=max(closed.log_position, service_closed.log_position)
        ),
        timeout=TIMEOUT,
        metadata=admin,
    )
    credit = credit_refs_pb2.CreditRef(
        agreement_id=AGREEMENT, objective_id="availability", period_label=PERIOD
    )
    claim = claims_pb2.ClaimCreditRequest(credit=credit, claim_reference=CLAIM_REFERENCE)
    stub.ClaimCredit(claim, timeout=TIMEOUT, metadata=admin)
    head = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT, metadata=admin)
    return SeededLedger(known_before_close, head.digest.log_position)
