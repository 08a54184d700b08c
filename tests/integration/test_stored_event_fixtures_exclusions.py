"""Events of exclusions that respect the customer, as the ledger of 2026-12 stored them, still
decode to the same facts: terms with exclusion rules, an exclusion recorded awaiting
acknowledgement, its acknowledgement, a revocation, and an ExclusionRecorded stored before
acknowledgement_required existed (which counts, as every exclusion did then).

The file was written by the application itself on a SQLite file with a stepping record clock
(a second an event) and copied from its events table in stream order; the last row is the second
one with the acknowledgement_required field taken out (another exclusion id, a later time)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from domain.agreement import Agreement, replay_agreement
from domain.exclusion_rules import ExclusionRules
from domain.exclusion_standing import ExclusionStanding
from domain.exclusions import ExclusionKind
from tests.integration.stored_fixtures import decode_fixture

FIXTURE = Path(__file__).parent / "fixtures" / "stored_events_2026_12_exclusions.json"


@pytest.fixture(scope="module")
def decoded(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    database = tmp_path_factory.mktemp("fixtures") / "ledger.sqlite3"
    return decode_fixture(FIXTURE, database)


def test_every_stored_exclusion_event_type_of_2026_12_still_decodes(decoded: list[Any]) -> None:
    assert [type(event) for event in decoded] == [
        Agreement.Signed,
        Agreement.ExclusionRecorded,
        Agreement.ExclusionAcknowledged,
        Agreement.ExclusionRecorded,
        Agreement.ExclusionRevoked,
        Agreement.ExclusionRecorded,
    ]


def test_stored_terms_keep_their_exclusion_rules(decoded: list[Any]) -> None:
    signed = decoded[0]

    assert signed.terms.exclusion_rules == ExclusionRules(
        maintenance_notice_hours=48, acknowledgement_after_days=30
    )


def test_a_stored_late_exclusion_keeps_that_it_awaited_acknowledgement(decoded: list[Any]) -> None:
    recorded = decoded[1]

    assert recorded.acknowledgement_required
    assert recorded.exclusion.kind is ExclusionKind.OTHER
    assert recorded.exclusion.evidence == "ticket P-17"


def test_a_stored_acknowledgement_and_revocation_keep_their_ids(decoded: list[Any]) -> None:
    acknowledged, revoked = decoded[2], decoded[4]

    assert (acknowledged.exclusion_id, acknowledged.customer_id, acknowledged.dispute_id) == (
        "outage-2026-04-10",
        "",
        "",
    )
    assert (revoked.exclusion_id, revoked.dispute_id, revoked.customer_id) == (
        "outage-2026-05-02",
        "dispute-9",
        "",
    )


def test_an_exclusion_stored_before_acknowledgement_existed_needs_none(decoded: list[Any]) -> None:
    old = decoded[5]

    assert old.acknowledgement_required is False
    assert old.timestamp == datetime(2026, 12, 20, 0, 0, 6, tzinfo=UTC)


def test_the_stored_events_replay_to_the_same_standings(decoded: list[Any]) -> None:
    agreement = replay_agreement(cast(list[Agreement.Event], decoded))

    assert agreement is not None
    assert [(r.exclusion.exclusion_id, r.standing("")) for r in agreement.recorded_exclusions] == [
        ("outage-2026-04-10", ExclusionStanding.ACKNOWLEDGED),
        ("outage-2026-05-02", ExclusionStanding.REVOKED),
        ("before-2026-12", ExclusionStanding.COUNTS),
    ]
    assert [e.exclusion_id for e in agreement.exclusions] == [
        "outage-2026-04-10",
        "before-2026-12",
    ]
