"""The inputs of GetComplianceSeries, read from its request; INVALID_ARGUMENT naming every bad
field (docs/input-ranges.md)."""

from __future__ import annotations

from datetime import datetime

from domain.compliance_series import Step
from domain.errors import Violations
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from service.api.mapping.scalars import instant_from_proto, position_from_proto
from service.app.compliance_series import SeriesQuestion
from service.generated.sla.ledger.v1 import compliance_series_pb2 as series_pb

STEP_FROM_PROTO: dict[int, Step | None] = {
    series_pb.SERIES_STEP_UNSPECIFIED: None,
    series_pb.SERIES_STEP_DAY: Step.DAY,
    series_pb.SERIES_STEP_HOUR: Step.HOUR,
}
STEP_TO_PROTO = {Step.DAY: series_pb.SERIES_STEP_DAY, Step.HOUR: series_pb.SERIES_STEP_HOUR}


def series_question(request: series_pb.GetComplianceSeriesRequest, now: datetime) -> SeriesQuestion:
    """The question a GetComplianceSeries request asks (as_of and known_at: now when left
    out; period_at: as_of when left out)."""
    violations = Violations()
    if not is_identifier(request.objective_id):
        violations.add("objective_id", f"is required: {IDENTIFIER_RULE}")
    for name in ("tier_id", "customer_id"):
        value = getattr(request, name)
        if value and not is_identifier(value):
            violations.add(name, f"must be empty or {IDENTIFIER_RULE}")
    if request.tier_id and request.customer_id:
        violations.add("customer_id", "name a tier or a subscriber, not both")
    as_of = instant_from_proto(request, "as_of", "as_of", violations, required=False) or now
    known_at = instant_from_proto(request, "known_at", "known_at", violations, required=False)
    period_at = instant_from_proto(request, "period_at", "period_at", violations, required=False)
    if request.step not in STEP_FROM_PROTO:
        violations.add(
            "step", "must be SERIES_STEP_UNSPECIFIED, SERIES_STEP_DAY or SERIES_STEP_HOUR"
        )
    position_from_proto(request.min_log_position, "min_log_position", violations)
    violations.raise_if_any()
    return SeriesQuestion(
        agreement_id=request.agreement_id,
        objective_id=request.objective_id,
        period_instant=period_at or as_of,
        as_of=as_of,
        known_at=known_at or now,
        step=STEP_FROM_PROTO[request.step],
        tier_id=request.tier_id,
        customer_id=request.customer_id,
    )
