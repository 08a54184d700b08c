"""Readings given column by column (MeasurementColumns): to domain readings, and back to the
paths of the request when a reading is refused."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import repeat

from domain.errors import FieldViolation, Violations
from domain.input_ranges import EARLIEST_SECONDS, END_SECONDS, INSTANT_RULE
from domain.measurements import Measurement
from service.generated.sla.ledger.v1 import terms_pb2

MIN_MICROS = EARLIEST_SECONDS * 1_000_000
MAX_MICROS = END_SECONDS * 1_000_000 - 1
_ROW_FIELD = re.compile(r"measurements\[(\d+)\](.*)")


def readings_from_columns(
    block: terms_pb2.MeasurementColumns, path: str, violations: Violations
) -> list[Measurement]:
    """The block's readings, each column read in one call; shape errors go to violations."""
    observed = list(block.observed_at_micros)
    count = len(observed)
    samples = list(block.samples)
    good, total = list(block.good), list(block.total)
    ids: Iterable[str] = list(block.measurement_ids) or repeat("", count)
    found = Violations()
    if not count:
        found.add(f"{path}.observed_at_micros", "at least one reading is required")
    if samples and (good or total):
        found.add(path, "counts (good and total) or samples, not both")
    elif samples and len(samples) != count:
        found.add(f"{path}.samples", "one value per reading is required")
    elif not samples and (len(good) != count or len(total) != count):
        found.add(f"{path}.good", "good and total need one value per reading, or samples")
    if block.measurement_ids and len(block.measurement_ids) != count:
        found.add(f"{path}.measurement_ids", "one per reading, or none")
    if observed and not MIN_MICROS <= min(observed) <= max(observed) <= MAX_MICROS:
        first = next(i for i, t in enumerate(observed) if not MIN_MICROS <= t <= MAX_MICROS)
        found.add(f"{path}.observed_at_micros[{first}]", INSTANT_RULE)
    if found:
        violations.extend(found)
        return []
    objective_ids = repeat(block.objective_id, count)
    none = repeat(None, count)
    if samples:
        rows = zip(objective_ids, ids, observed, none, repeat(None), samples, repeat(None))
    else:
        rows = zip(objective_ids, ids, observed, good, total, none, repeat(None))
    return list(map(Measurement._make, rows))


def column_path(field: str, row_count: int, block_sizes: Sequence[int]) -> str:
    """The path in the request of a field a refusal names by the reading's place in the batch
    (the rows first, then each block's readings)."""
    matched = _ROW_FIELD.fullmatch(field)
    if matched is None or int(matched[1]) < row_count:
        return field
    index = int(matched[1]) - row_count
    block = 0
    while block < len(block_sizes) - 1 and index >= block_sizes[block]:
        index -= block_sizes[block]
        block += 1
    prefix = f"columns[{block}]"
    paths = {
        "": prefix,
        ".objective_id": f"{prefix}.objective_id",
        ".observed_at": f"{prefix}.observed_at_micros[{index}]",
        ".counts": f"{prefix}.samples[{index}]",  # samples given where counts are taken
        ".counts.good": f"{prefix}.good[{index}]",
        ".sample": f"{prefix}.samples[{index}]",
        ".measurement_id": f"{prefix}.measurement_ids[{index}]",
    }
    return paths.get(matched[2], f"{prefix}[{index}]{matched[2]}")


def in_request_paths(
    violations: Iterable[FieldViolation], row_count: int, block_sizes: Sequence[int]
) -> list[FieldViolation]:
    """The violations with every field named by its path in the request."""
    return [
        FieldViolation(column_path(v.field, row_count, block_sizes), v.description)
        for v in violations
    ]
