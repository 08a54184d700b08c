"""Terms and OpenSLO documents the OpenSLO tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from google.protobuf import json_format

from interchange.yaml_io import load_documents
from service.generated.sla.ledger.v1 import terms_pb2 as terms

FIXTURES = Path(__file__).parent / "fixtures"

RICH_TERMS_JSON: dict[str, Any] = {
    "provider": {"partyId": "acme", "displayName": "Acme Hosting"},
    "customer": {"partyId": "globex", "displayName": "Globex"},
    "kind": "AGREEMENT_KIND_CUSTOMER_BASED",
    "services": ["api", "search"],
    "timeZone": "Europe/Berlin",
    "fee": {"amount": {"currencyCode": "EUR", "amount": "1000.00"}, "period": "PERIOD_UNIT_MONTH"},
    "termStart": "2026-01-10T00:00:00Z",
    "objectives": [
        {
            "objectiveId": "availability",
            "metric": "availability",
            "indicator": "INDICATOR_RATIO",
            "targetPercent": "99.90",
            "period": "PERIOD_UNIT_MONTH",
            "description": "Requests answered without a 5xx",
            "labelScope": {"region": "eu"},
            "creditPolicy": {
                "bands": {"bands": [{"belowPercent": "99.9", "creditPercent": "10"}]},
                "capPercent": "50",
            },
            "terminationRightAfter": 3,
        },
        {
            "objectiveId": "api_latency",
            "metric": "latency_seconds",
            "indicator": "INDICATOR_THRESHOLD",
            "targetPercent": "99",
            "period": "PERIOD_UNIT_WEEK",
            "threshold": {"comparison": "COMPARISON_LTE", "value": "0.250"},
            "schedule": {"days": [1, 2, 3, 4, 5], "startMinute": 480, "endMinute": 1080},
            "offScheduleTargetPercent": "95",
        },
        {
            "objectiveId": "minutes",
            "metric": "availability",
            "indicator": "INDICATOR_TIME_SLICES",
            "targetPercent": "99.5",
            "period": "PERIOD_UNIT_QUARTER",
            "sliceSeconds": 300,
            "sliceGoodPercent": "95",
        },
        {
            "objectiveId": "odd-slices",
            "metric": "availability",
            "indicator": "INDICATOR_TIME_SLICES",
            "targetPercent": "100",
            "period": "PERIOD_UNIT_DAY",
            "sliceSeconds": 7,
        },
        {
            "objectiveId": "errors",
            "metric": "errors",
            "indicator": "INDICATOR_COUNT_LIMIT",
            "limit": "5",
            "period": "PERIOD_UNIT_DAY",
        },
        {
            "objectiveId": "leads",
            "metric": "leads",
            "indicator": "INDICATOR_CUMULATIVE",
            "cumulativeTarget": "120.5",
            "period": "PERIOD_UNIT_MONTH",
            "description": "x" * 2000,
        },
        {
            "objectiveId": "p1-resolution",
            "metric": "resolution_time",
            "indicator": "INDICATOR_RATIO",
            "targetPercent": "95",
            "period": "PERIOD_UNIT_MONTH",
            "caseClock": {"stop": "CLOCK_STOP_RESOLUTION", "targetSeconds": "14400"},
        },
    ],
}

TIERED_TERMS_JSON: dict[str, Any] = {
    "kind": "AGREEMENT_KIND_SERVICE_BASED",
    "services": ["api"],
    "timeZone": "UTC",
    "termStart": "2026-01-01T00:00:00Z",
    "tiers": [
        {
            "tierId": "basic",
            "objectives": [
                {
                    "objectiveId": "availability",
                    "metric": "availability",
                    "indicator": "INDICATOR_RATIO",
                    "targetPercent": "99",
                    "period": "PERIOD_UNIT_MONTH",
                }
            ],
        },
        {
            "tierId": "premium",
            "objectives": [
                {
                    "objectiveId": "availability",
                    "metric": "availability",
                    "indicator": "INDICATOR_RATIO",
                    "targetPercent": "99.9",
                    "period": "PERIOD_UNIT_MONTH",
                }
            ],
        },
    ],
}


def rich_terms() -> terms.AgreementTerms:
    """Terms with an objective of every indicator and every ledger-only field."""
    return json_format.ParseDict(RICH_TERMS_JSON, terms.AgreementTerms())


def tiered_terms() -> terms.AgreementTerms:
    """A service SLA's terms: one objective in each of two tiers."""
    return json_format.ParseDict(TIERED_TERMS_JSON, terms.AgreementTerms())


def berlin_terms(*services: str) -> terms.AgreementTerms:
    """Terms without objectives in Europe/Berlin, to import objectives into."""
    return terms.AgreementTerms(time_zone="Europe/Berlin", services=list(services))


def fixture(name: str) -> list[Any]:
    """The documents of a fixture file (written from the OpenSLO v1 specification)."""
    return load_documents((FIXTURES / name).read_bytes())


def fixture_bytes(name: str) -> bytes:
    """A fixture file's bytes."""
    return (FIXTURES / name).read_bytes()
