"""The ledger-only fields an export kept in `sla-ledger.dev/` annotations, put back on an
objective by an import."""

from __future__ import annotations

import json
from collections.abc import Callable

from google.protobuf import json_format
from google.protobuf.message import Message

from interchange import openslo_names as names
from interchange.openslo_documents import Reader
from interchange.openslo_report import Unmapped
from service.generated.sla.ledger.v1 import terms_pb2 as terms

INDICATORS = {"COUNT_LIMIT": terms.INDICATOR_COUNT_LIMIT, "CUMULATIVE": terms.INDICATOR_CUMULATIVE}
_RESTORED = frozenset(
    {
        names.OBJECTIVE_ID,
        names.TIER,
        names.INDICATOR,
        names.LIMIT,
        names.CUMULATIVE_TARGET,
        names.SLICE_SECONDS,
        names.LABEL_SCOPE,
        names.SCHEDULE,
        names.OFF_SCHEDULE_TARGET,
        names.CREDIT_POLICY,
        names.TERMINATION_RIGHT_AFTER,
        names.CASE_CLOCK,
        names.DESCRIPTION,
    }
)


def report_foreign(annotations: dict[str, str], where: str, out: list[Unmapped]) -> None:
    """Report the annotations no ledger field holds (another tool's, or unknown ones of ours)."""
    for key in sorted(annotations):
        if key not in _RESTORED and key not in names.INFORMATIONAL:
            out.append(Unmapped(where, f"metadata.annotations[{key!r}]: not kept"))


def restore(
    reader: Reader, annotations: dict[str, str], objective: terms.Objective, path: str
) -> None:
    """Set the objective's ledger-only fields from the annotations."""
    path = f"{path}.metadata.annotations"

    def at(key: str) -> str:
        return f"{path}[{key!r}]"

    if names.INDICATOR in annotations:
        value = annotations[names.INDICATOR]
        if value not in INDICATORS:
            raise reader.fail(at(names.INDICATOR), f"{value!r} is not COUNT_LIMIT or CUMULATIVE")
        objective.indicator = INDICATORS[value]
        objective.target_percent = ""
    if names.LIMIT in annotations:
        objective.limit = _integer(reader, annotations[names.LIMIT], at(names.LIMIT), 0, 2**63 - 1)
    if names.CUMULATIVE_TARGET in annotations:
        objective.cumulative_target = annotations[names.CUMULATIVE_TARGET]
    if names.SLICE_SECONDS in annotations:
        text = annotations[names.SLICE_SECONDS]
        objective.slice_seconds = _integer(reader, text, at(names.SLICE_SECONDS), 1, 86_400)
    if names.LABEL_SCOPE in annotations:
        objective.label_scope.update(
            _labels(reader, annotations[names.LABEL_SCOPE], at(names.LABEL_SCOPE))
        )
    if names.OFF_SCHEDULE_TARGET in annotations:
        objective.off_schedule_target_percent = annotations[names.OFF_SCHEDULE_TARGET]
    if names.TERMINATION_RIGHT_AFTER in annotations:
        text = annotations[names.TERMINATION_RIGHT_AFTER]
        key = names.TERMINATION_RIGHT_AFTER
        objective.termination_right_after = _integer(reader, text, at(key), 0, 2**31 - 1)
    if names.DESCRIPTION in annotations:
        objective.description = annotations[names.DESCRIPTION]
    messages: dict[str, Callable[[], Message]] = {
        names.SCHEDULE: lambda: objective.schedule,
        names.CREDIT_POLICY: lambda: objective.credit_policy,
        names.CASE_CLOCK: lambda: objective.case_clock,
    }
    for key, target in messages.items():
        if key in annotations:
            try:
                json_format.Parse(annotations[key], target())
            except json_format.ParseError as error:
                raise reader.fail(at(key), f"not the ledger's JSON: {str(error)[:200]}") from None


def _integer(reader: Reader, text: str, path: str, low: int, high: int) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 19 or not low <= int(text) <= high:
        raise reader.fail(path, f"{text[:40]!r} is not a whole number from {low} to {high}")
    return int(text)


def _labels(reader: Reader, text: str, path: str) -> dict[str, str]:
    try:
        value = json.loads(text)
    except ValueError:
        raise reader.fail(path, "not JSON") from None
    if not isinstance(value, dict) or not all(
        isinstance(item, str) for pair in value.items() for item in pair
    ):
        raise reader.fail(path, "must be a JSON object of strings")
    return value
