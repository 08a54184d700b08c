"""Readings given column by column: the same readings as messages, and refusals named in place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.message import Message
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import Violations
from domain.input_ranges import EARLIEST_SECONDS, END_SECONDS
from domain.instants import to_epoch_us
from service.api.mapping.columns import readings_from_columns
from service.api.mapping.measurements import measurements_from_proto
from service.generated.sla.ledger.v1 import events_pb2, ledger_service_pb2, terms_pb2

Invoke = Callable[[str, Message], Any]
SignRequest = Callable[..., ledger_service_pb2.SignAgreementRequest]
AllEvents = Callable[[str], list[events_pb2.LedgerEvent]]
BadRequestFields = Callable[[Any], list[str]]

FIRST_MINUTE = datetime(2026, 2, 1, tzinfo=UTC)
MINUTE_US = 60_000_000


def _columns(count: int, first: datetime = FIRST_MINUTE, **overrides: Any) -> Any:
    """A block of count one-minute 'availability' readings, 59 and 60 good of 60 in turn."""
    start = to_epoch_us(first)
    fields: dict[str, Any] = {
        "objective_id": "availability",
        "observed_at_micros": [start + i * MINUTE_US for i in range(count)],
        "good": [59 + i % 2 for i in range(count)],
        "total": [60] * count,
    }
    fields.update(overrides)
    return terms_pb2.MeasurementColumns(**fields)


def _rows(block: terms_pb2.MeasurementColumns) -> list[terms_pb2.Measurement]:
    """The same readings as one message each."""
    rows = []
    ids = list(block.measurement_ids) or [""] * len(block.observed_at_micros)
    for i, micros in enumerate(block.observed_at_micros):
        row = terms_pb2.Measurement(objective_id=block.objective_id, measurement_id=ids[i])
        row.observed_at.FromMicroseconds(micros)
        if block.samples:
            row.sample = block.samples[i]
        else:
            row.counts.good, row.counts.total = block.good[i], block.total[i]
        rows.append(row)
    return rows


def _record(
    rows: list[terms_pb2.Measurement] | None = None, *blocks: Any
) -> ledger_service_pb2.RecordMeasurementsRequest:
    return ledger_service_pb2.RecordMeasurementsRequest(
        agreement_id="sla-1", measurements=rows or [], columns=list(blocks)
    )


@st.composite
def blocks(draw: st.DrawFn) -> terms_pb2.MeasurementColumns:
    """Blocks of counts or of samples, with or without client ids, at any microsecond of the
    documented range."""
    count = draw(st.integers(1, 20))
    instants = st.integers(EARLIEST_SECONDS * 1_000_000, END_SECONDS * 1_000_000 - 1)
    block = terms_pb2.MeasurementColumns(
        objective_id=draw(st.sampled_from(["availability", "latency"])),
        observed_at_micros=draw(st.lists(instants, min_size=count, max_size=count)),
    )
    if draw(st.booleans()):
        samples = st.floats(allow_nan=False)  # NaN is refused later, and never equal to itself
        block.samples.extend(draw(st.lists(samples, min_size=count, max_size=count)))
    else:
        totals = draw(st.lists(st.integers(0, 2**63), min_size=count, max_size=count))
        block.total.extend(totals)
        block.good.extend(draw(st.integers(0, 2**63)) for _ in totals)
    if draw(st.booleans()):
        ids = st.sampled_from(["", "m-1", "m-2"])
        block.measurement_ids.extend(draw(st.lists(ids, min_size=count, max_size=count)))
    return block


@given(blocks())
@settings(max_examples=200, database=None)
def test_a_block_of_columns_reads_as_the_same_readings_as_their_messages(
    block: terms_pb2.MeasurementColumns,
) -> None:
    from_columns = readings_from_columns(block, "columns[0]", Violations())

    assert from_columns == measurements_from_proto(_rows(block), Violations())


def test_readings_in_columns_record_the_same_events_as_in_messages(
    invoke_ok: Invoke, sign_request: SignRequest, all_events: AllEvents
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    invoke_ok("SignAgreement", sign_request("sla-2"))
    block = _columns(3000)

    invoke_ok("RecordMeasurements", _record(None, block))
    as_rows = _record(_rows(block))
    as_rows.agreement_id = "sla-2"
    invoke_ok("RecordMeasurements", as_rows)

    def readings(agreement_id: str) -> list[Any]:
        return [
            list(e.metric_measured.measurements)
            for e in all_events(agreement_id)
            if e.HasField("metric_measured")
        ]

    assert readings("sla-1") == readings("sla-2") != []


def test_messages_and_columns_in_one_batch_are_recorded_together_and_deduplicated(
    invoke_ok: Invoke, sign_request: SignRequest
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    block = _columns(10)

    response = invoke_ok("RecordMeasurements", _record(_rows(_columns(4)), block))

    assert (response.recorded_count, response.duplicate_count) == (10, 4)


def test_columns_of_unequal_length_are_invalid_argument_naming_the_block(
    invoke_directly: Invoke, invoke_ok: Invoke, sign_request: SignRequest, bad_request_fields: Any
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))

    context = invoke_directly("RecordMeasurements", _record(None, _columns(3, total=[60, 60])))

    assert bad_request_fields(context.trailing_metadata) == ["columns[0].good"]


def test_fewer_samples_than_instants_are_invalid_argument_naming_the_samples(
    invoke_directly: Invoke, invoke_ok: Invoke, sign_request: SignRequest, bad_request_fields: Any
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    block = _columns(3, good=[], total=[], samples=[0.1, 0.2])

    context = invoke_directly("RecordMeasurements", _record(None, block))

    assert bad_request_fields(context.trailing_metadata) == ["columns[0].samples"]


def test_counts_and_samples_in_one_block_are_invalid_argument(
    invoke_directly: Invoke, invoke_ok: Invoke, sign_request: SignRequest, bad_request_fields: Any
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))

    context = invoke_directly("RecordMeasurements", _record(None, _columns(2, samples=[1.0, 2.0])))

    assert bad_request_fields(context.trailing_metadata) == ["columns[0]"]


def test_an_empty_block_and_an_instant_out_of_range_are_named(
    invoke_directly: Invoke, invoke_ok: Invoke, sign_request: SignRequest, bad_request_fields: Any
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    beyond = _columns(3)
    beyond.observed_at_micros[1] = 2**62

    context = invoke_directly("RecordMeasurements", _record(None, _columns(0), beyond))

    assert bad_request_fields(context.trailing_metadata) == [
        "columns[0].observed_at_micros",
        "columns[1].observed_at_micros[1]",
    ]


def test_a_refused_reading_in_columns_is_named_by_its_place_in_its_block(
    invoke_directly: Invoke, invoke_ok: Invoke, sign_request: SignRequest, bad_request_fields: Any
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    later = FIRST_MINUTE + timedelta(days=1)
    unknown = _columns(2, later, objective_id="no-such-objective")
    too_good = _columns(5, later + timedelta(days=1))
    too_good.good[3] = 61

    context = invoke_directly(
        "RecordMeasurements", _record(_rows(_columns(2)), _columns(4, later), unknown, too_good)
    )

    assert bad_request_fields(context.trailing_metadata) == [
        "columns[1].objective_id",
        "columns[1].objective_id",
        "columns[2].good[3]",
    ]
