"""How large one event may be, and upper bounds of what a reading adds to one.

No event may take more than MAX_EVENT_BYTES, neither as stored (the JSON state the log keeps)
nor in the public schema (the LedgerEvent that ListEvents and SubscribeEvents send), so every
event fits in one reply of any server allowed to start. A batch of readings is therefore cut
into several MetricMeasured events of the same day stream when one would be larger.

The bounds below are arithmetic on lengths, not encodings: a reading's share of the stored JSON
(compact separators, non-ASCII text kept as UTF-8) and of the protobuf wire format, whichever is
larger. Envelope fields (stream name, times, ids, actor) are covered by EVENT_ENVELOPE_BYTES.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

MAX_EVENT_BYTES = 256 * 1024
EVENT_ENVELOPE_BYTES = 16 * 1024
READINGS_BYTES = MAX_EVENT_BYTES - EVENT_ENVELOPE_BYTES
# What a payload (terms with their reason, an exclusion) may take beside the envelope and the
# texts of at most 4,096 characters an event carries besides it (each at most 6 bytes a
# character in JSON).
PAYLOAD_BYTES = MAX_EVENT_BYTES - EVENT_ENVELOPE_BYTES - 6 * 4096 - 2

# Stored JSON of a reading without id and labels, one value per column: "" (plus comma) as
# id, the instant (at most 20 characters), counts (two integers of at most 20) or a sample
# (repr of a float, at most 24) with nulls for the others, null labels, and a late index.
_PLAIN_JSON = 3 + 21 + max(21 + 21 + 5, 5 + 5 + 25) + 5 + 8
# Public Measurement without id and labels: its tag and length (4), the objective id's tag and
# length (3), observed_at (19), counts (24) or a sample (9), and a late index (3).
_PLAIN_PROTO_OVERHEAD = 4 + 3 + 19 + 24 + 3


def plain_reading_bytes(objective_id: str) -> int:
    """Upper bound of the bytes a reading without id and labels adds to an event."""
    return max(_PLAIN_JSON, _PLAIN_PROTO_OVERHEAD + len(objective_id.encode()))


def reading_bytes(objective_id: str, measurement_id: str, labels: Mapping[str, str] | None) -> int:
    """Upper bound of the bytes a reading adds to an event, in either encoding."""
    stored = _PLAIN_JSON
    public = _PLAIN_PROTO_OVERHEAD + len(objective_id.encode())
    if measurement_id:
        stored += _json_bytes(measurement_id) - 2
        public += 3 + len(measurement_id.encode())
    if labels:
        stored += 2 + sum(_json_bytes(k) + _json_bytes(v) + 2 for k, v in labels.items())
        public += sum(9 + len(k.encode()) + len(v.encode()) for k, v in labels.items())
    return max(stored, public)


def _json_bytes(text: str) -> int:
    return len(json.dumps(text, ensure_ascii=False).encode())
