"""Extreme values for every field of a request, found by walking its message descriptor.

Every leaf field of a request type (nested messages, the first element of repeated ones, map
fields) gets the extremes of its kind: instants in years 1 and 9999 and at the edges of the
documented range, integers at the ends of their wire types, unknown enum numbers (and a known
one 100,000 times in a repeated enum, such as a case clock's pause_reasons), decimals with 200
digits, exponents of +-200 and non-ASCII digits, huge and many strings and labels. Walking the
descriptor rather than listing fields means a field added to the API later is covered too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from domain.input_ranges import END_SECONDS

YEAR_1 = -62_135_596_800
INSTANTS = [  # (seconds, nanos)
    (YEAR_1, 0),
    (253_395_561_600, 0),  # 9999-10-15
    (253_402_300_799, 999_999_999),  # the last instant of a Timestamp
    (-1, 0),
    (0, 0),  # the epoch: the earliest instant accepted
    (END_SECONDS - 1, 999_999_999),  # the last instant accepted
    (END_SECONDS, 0),
    (0, -1),
]
INT64 = [2**63 - 1, -(2**63), -1, 2**53 + 1]
INT32 = [2**31 - 1, -(2**31), -1]
UINT64 = [2**64 - 1, 2**63]
DOUBLES = [float("nan"), float("inf"), float("-inf"), 1e308, -0.0]
UNKNOWN_ENUMS = [-1, 9, 2**31 - 1]
DECIMALS = [
    "1" + "0" * 199,
    "0." + "0" * 199 + "1",
    "9" * 200,
    "1e-200",
    "1E+200",
    "1_000",
    "\u0661\u0660\u0660",  # Arabic-Indic digits
    "\uff11\uff10\uff10",  # full-width digits
    "+5",
    "-0",
    "1E+2",
]
TEXTS = ["", "x" * 100_000, "\x00", "2026-13", "20260101", "\u0661"]
MANY = 100_000
DECIMAL_FIELDS = {
    "amount",
    "target_percent",
    "slice_good_percent",
    "cumulative_target",
    "off_schedule_target_percent",
    "value",
    "below_percent",
    "credit_percent",
    "per_points",
    "credit_amount",
    "cap_percent",
    "minimum_amount",
    "above_percent",
    "bonus_percent",
    "percent_of_fee",
}
MANY_OF = {  # a repeated string field: the element to repeat MANY times
    "holidays": "2026-12-25",
    "services": "compute",
    "objective_ids": "availability",
    "event_types": "agreement_signed",
    "measurement_ids": "",
}


@dataclass(frozen=True)
class Leaf:
    """A field reached from the request by a path of (field name, is repeated) steps."""

    path: tuple[FieldDescriptor, ...]

    @property
    def field(self) -> FieldDescriptor:
        """The leaf field itself."""
        return self.path[-1]

    @property
    def name(self) -> str:
        """The path as a request field path, e.g. terms.objectives[0].period."""
        return ".".join(
            f.name + ("[0]" if _repeated(f) and f is not self.field else "") for f in self.path
        )


def _repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def leaves(descriptor: Any, prefix: tuple[FieldDescriptor, ...] = ()) -> Iterator[Leaf]:
    """Every leaf field of a message type (a Descriptor, Python or upb): scalars, enums,
    Timestamps and maps."""
    for field in descriptor.fields:
        path = (*prefix, field)
        message = field.message_type
        if message is None or _is_map(field) or message.full_name == "google.protobuf.Timestamp":
            yield Leaf(path)
        else:
            yield from leaves(message, path)


def _parent(request: Message, leaf: Leaf) -> Message:
    """The message holding the leaf in request, created on the way (first elements)."""
    message = request
    for field in leaf.path[:-1]:
        if _repeated(field):
            items = getattr(message, field.name)
            message = items[0] if len(items) else items.add()
        else:
            message = getattr(message, field.name)
    return message


def _values(leaf: Leaf) -> list[Any]:
    field = leaf.field
    if _is_map(field):
        return [{"k" * MANY: "v"}, {"k": "v" * MANY}, {f"k{n}": "v" for n in range(10_000)}]
    if field.message_type is not None:  # a Timestamp
        return INSTANTS
    kind = field.type
    if kind == FieldDescriptor.TYPE_ENUM:  # a repeated one (pause_reasons) also MANY times
        return [*UNKNOWN_ENUMS, [1] * MANY] if _repeated(field) else UNKNOWN_ENUMS
    if kind in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64):
        return INT64
    if kind in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32):
        return INT32
    if kind == FieldDescriptor.TYPE_UINT64:
        return UINT64
    if kind == FieldDescriptor.TYPE_DOUBLE:
        return DOUBLES
    if kind == FieldDescriptor.TYPE_STRING:
        values: list[Any] = DECIMALS if field.name in DECIMAL_FIELDS else TEXTS
        if _repeated(field) and field.name in MANY_OF:
            values = [*values, [MANY_OF[field.name]] * MANY]
        return values
    return []  # booleans: every value is valid


def _set(parent: Message, field: FieldDescriptor, value: Any) -> None:
    target = getattr(parent, field.name)
    if _is_map(field):
        target.clear()
        target.update(value)
    elif field.message_type is not None:
        target.seconds, target.nanos = value
    elif _repeated(field):
        del target[:]
        target.extend(value if isinstance(value, list) else [value])
    else:
        setattr(parent, field.name, value)


def extremes(base: Message) -> Iterator[tuple[str, Message]]:
    """(field path, request) for every extreme value of every leaf field of base's type, each
    request a copy of base with that one field changed."""
    for leaf in leaves(base.DESCRIPTOR):
        for value in _values(leaf):
            request = type(base)()
            request.CopyFrom(base)
            _set(_parent(request, leaf), leaf.field, value)
            yield leaf.name, request
