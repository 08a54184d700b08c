"""Record one month of hourly readings of a ratio objective through the gRPC API.

Usage: python tools/record_month.py --ledger HOST:PORT --agreement ID --month YYYY-MM
       [--objective ID] [--good-per-mille N]

A stand-in for a monitoring system, for the README's walk-through "Your first statement": one
counts reading for every hour of the month (UTC), stamped at its half hour (so no reading sits
on a day's boundary), 1,000 events each, of which
--good-per-mille were good (999 by default: 99.9%), except the hours of the month's 10th day
from 00:00 to 02:00, of which 500 were good (an incident). A bearer token is read from
SLA_LEDGER_TOKEN when set (never from the command line). Prints what the ledger acknowledged.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta

import grpc

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc

EVENTS_PER_HOUR = 1000
INCIDENT_DAY = 10
INCIDENT_HOURS = 3
INCIDENT_GOOD = 500


def month_readings(
    agreement_id: str, objective_id: str, month: str, good_per_mille: int
) -> pb.RecordMeasurementsRequest:
    """The month's hourly readings as one request."""
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    end = (start + timedelta(days=32)).replace(day=1)
    incident = start.replace(day=INCIDENT_DAY)
    request = pb.RecordMeasurementsRequest(agreement_id=agreement_id)
    hour = start
    while hour < end:
        reading = request.measurements.add(objective_id=objective_id)
        reading.observed_at.FromDatetime(hour + timedelta(minutes=30))
        in_incident = incident <= hour < incident + timedelta(hours=INCIDENT_HOURS)
        reading.counts.good = INCIDENT_GOOD if in_incident else good_per_mille
        reading.counts.total = EVENTS_PER_HOUR
        hour += timedelta(hours=1)
    return request


def main() -> int:
    """Record the month and print the acknowledgement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", required=True, help="HOST:PORT of the ledger (plaintext)")
    parser.add_argument("--agreement", required=True, help="the agreement's id")
    parser.add_argument("--month", required=True, help="YYYY-MM, in UTC")
    parser.add_argument("--objective", default="availability", help="the objective's id")
    parser.add_argument("--good-per-mille", type=int, default=999, metavar="N")
    options = parser.parse_args()
    if not 0 <= options.good_per_mille <= EVENTS_PER_HOUR:
        parser.error("--good-per-mille must be 0 to 1000")
    token = os.environ.get("SLA_LEDGER_TOKEN", "")
    metadata = (("authorization", f"Bearer {token}"),) if token else ()
    request = month_readings(
        options.agreement, options.objective, options.month, options.good_per_mille
    )
    with grpc.insecure_channel(options.ledger) as channel:
        reply = pb_grpc.LedgerServiceStub(channel).RecordMeasurements(
            request, timeout=60, metadata=metadata
        )
    print(
        f"recorded {reply.recorded_count} readings of {options.objective} for "
        f"{options.agreement} in {options.month} (log position {reply.log_position})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
