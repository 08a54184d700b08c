"""How the pages show the ledger's values: instants, money, enum names, durations."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from portal.time_travel import iso
from service.generated.sla.ledger.v1 import (
    compliance_pb2,
    compliance_series_pb2,
    credit_states_pb2,
    exclusion_rules_pb2,
    terms_pb2,
)

_ENUMS = {
    "status": (compliance_pb2.ComplianceStatus, "COMPLIANCE_STATUS_"),
    "kind": (terms_pb2.AgreementKind, "AGREEMENT_KIND_"),
    "agreement_status": (terms_pb2.AgreementStatus, "AGREEMENT_STATUS_"),
    "indicator": (terms_pb2.Indicator, "INDICATOR_"),
    "period": (terms_pb2.PeriodUnit, "PERIOD_UNIT_"),
    "credit_state": (credit_states_pb2.CreditState, "CREDIT_STATE_"),
    "credit_kind": (compliance_pb2.CreditKind, "CREDIT_KIND_"),
    "exclusion_kind": (terms_pb2.ExclusionKind, "EXCLUSION_KIND_"),
    "standing": (exclusion_rules_pb2.ExclusionStanding, "EXCLUSION_STANDING_"),
    "step": (compliance_series_pb2.SeriesStep, "SERIES_STEP_"),
}


def is_set(stamp: Timestamp | None) -> bool:
    """Whether a Timestamp field holds an instant (unset ones are all zeros)."""
    return stamp is not None and (stamp.seconds != 0 or stamp.nanos != 0)


def instant(stamp: Timestamp | None) -> datetime | None:
    """The aware instant of a Timestamp, None when unset."""
    if stamp is None or not is_set(stamp):
        return None
    return stamp.ToDatetime(tzinfo=UTC)


def show_instant(stamp: Timestamp | None) -> str:
    """An instant as ISO 8601 UTC, "—" when unset."""
    moment = instant(stamp)
    return "—" if moment is None else iso(moment)


def show_money(money: terms_pb2.Money | None) -> str:
    """ "EUR 250.00", "—" when unset."""
    if money is None or not money.currency_code:
        return "—"
    return f"{money.currency_code} {money.amount or '0'}"


def enum_name(value: int, family: str) -> str:
    """The readable name of an enum value ("AT RISK", "CUSTOMER BASED"); "—" for unspecified."""
    enum, prefix = _ENUMS[family]
    try:
        name = enum.Name(value)
    except ValueError:
        return str(value)
    if name.endswith("_UNSPECIFIED"):
        return "—"
    return str(name).removeprefix(prefix).replace("_", " ")


def status_class(value: int) -> str:
    """The CSS class of a compliance status ("status-met", ...)."""
    return "status-" + enum_name(value, "status").lower().replace(" ", "-").replace("—", "none")


def show_duration(duration: Duration | None) -> str:
    """A record lag: "2 d 03:00:00 late" or "1:00:00 early"."""
    if duration is None:
        return "—"
    seconds = duration.seconds + duration.nanos / 1e9
    late = seconds >= 0
    whole = int(abs(seconds))
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    if days:
        text = f"{days} d {text}"
    return f"{text} {'late' if late else 'before its end'}"


def show_figure(text: str) -> str:
    """A figure the ledger computed (already at most 6 decimals); "—" when empty."""
    return text or "—"
