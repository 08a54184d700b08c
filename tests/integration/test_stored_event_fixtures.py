"""Events stored by earlier versions of the ledger still decode to the same facts.

Each fixture file holds stored events (stream, version, topic, state) as the ledger of its time
wrote them. The 2026-12 services file was written by the application itself on a SQLite file with
a stepping record clock (a second a reading) and copied from its events table in log order."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from domain.agreement import Agreement, replay_agreement
from domain.case_milestones import CaseClockWarned, CaseMilestoneRecorded, Milestone, MilestoneKind
from domain.exclusions import ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement, MetricMeasured
from domain.objectives import CaseClock, ClockStop
from domain.period_results import BreachDetected, CreditIssued, PeriodClosed
from domain.subscriptions import Subscription, replay_subscription
from domain.terms import AgreementKind, Party, PeriodUnit
from service.bootstrap import open_application
from service.store.chain_store import LedgerTamperedError
from service.store.storage import parse_database_url
from tests.integration.stored_fixtures import decode_fixture
from tests.integration.tampering import run_cli, verify_command

FIXTURE = Path(__file__).parent / "fixtures" / "stored_events_2026_11.json"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def decoded(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    database = tmp_path_factory.mktemp("fixtures") / "ledger.sqlite3"
    return decode_fixture(FIXTURE, database)


def test_every_stored_event_type_of_2026_11_still_decodes(decoded: list[Any]) -> None:
    assert [type(event) for event in decoded] == [
        Agreement.Signed,
        Agreement.Amended,
        MetricMeasured,
        Agreement.Terminated,
    ]


def test_a_stored_signing_keeps_its_terms_and_instants(decoded: list[Any]) -> None:
    signed = decoded[0]

    assert (signed.agreement_id, signed.signed_at, signed.timestamp) == (
        "acme-2026",
        T0,
        T0 + timedelta(seconds=1),
    )
    assert signed.terms.kind is AgreementKind.CUSTOMER_BASED
    assert signed.terms.fee.amount.amount == Decimal("1000.00")
    assert signed.terms.objectives[0].period is PeriodUnit.MONTH
    assert signed.terms.services == ("api",)


def test_stored_agreement_events_replay_to_the_same_agreement(decoded: list[Any]) -> None:
    agreement = replay_agreement(e for e in decoded if isinstance(e, Agreement.Event))

    assert agreement is not None
    assert [v.terms.services for v in agreement.terms_versions] == [("api",), ("api", "db")]
    assert agreement.termination is not None
    assert agreement.termination.effective_at == T0 + timedelta(days=200)


def test_stored_readings_come_back_exactly(decoded: list[Any]) -> None:
    measured = decoded[2]

    assert measured.measurements() == [
        Measurement("availability", "", to_epoch_us(T0), 59, 60, None, None),
        Measurement(
            "availability", "m-2", to_epoch_us(T0) + 60_000_000, None, None, 0.25, {"region": "eu"}
        ),
    ]


SEMANTICS_FIXTURE = Path(__file__).parent / "fixtures" / "stored_events_2026_11_semantics.json"


@pytest.fixture(scope="module")
def semantics_events(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    database = tmp_path_factory.mktemp("semantics") / "ledger.sqlite3"
    return decode_fixture(SEMANTICS_FIXTURE, database)


def test_every_stored_period_event_type_of_2026_11_still_decodes(
    semantics_events: list[Any],
) -> None:
    names = {type(event).__name__ for event in semantics_events}

    assert names >= {
        "Signed",
        "ExclusionRecorded",
        "PeriodClosed",
        "BreachDetected",
        "CreditIssued",
        "TerminationRightGranted",
        "PeriodRecalculated",
        "BreachRetracted",
        "CreditAdjusted",
        "BonusAdjusted",
    }


def test_stored_objective_rules_and_policies_keep_every_setting(
    semantics_events: list[Any],
) -> None:
    terms = semantics_events[0].terms
    availability, tickets = terms.objectives

    assert availability.rules.schedule.days == (1, 2, 3, 4, 5)
    assert availability.rules.off_schedule_target_percent == Decimal(99)
    assert availability.rules.credit_policy.cap_percent == Decimal(50)
    assert availability.rules.credit_policy.bonus.above_percent == Decimal("99.99")
    assert tickets.rules.threshold.value == Decimal(3600)
    assert terms.credit_policy.rule.per_points == Decimal("0.5")


def test_a_stored_credit_adjustment_keeps_before_after_and_delta(
    semantics_events: list[Any],
) -> None:
    [adjusted] = [e for e in semantics_events if type(e).__name__ == "CreditAdjusted"]

    assert (adjusted.before.amount, adjusted.after.amount, adjusted.delta.amount) == (
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("-100.00"),
    )


def test_a_log_of_2026_11_written_before_the_chain_is_refused_until_adopt_chain(
    tmp_path: Path, make_terms: Callable[..., Any]
) -> None:
    storage = parse_database_url(f"sqlite:///{tmp_path / 'before-the-chain.sqlite3'}")
    datastore = SQLiteDatastore(storage.env["SQLITE_DBNAME"], originator_id_type="text")
    before_the_chain = SQLiteApplicationRecorder(datastore)  # the library's: no chain rows
    before_the_chain.create_table()
    before_the_chain.insert_events(
        [
            StoredEvent(
                r["originator_id"], r["originator_version"], r["topic"], r["state"].encode()
            )
            for r in json.loads(FIXTURE.read_text())
        ]
    )
    datastore.close()
    app = open_application(storage)
    database_url = storage.url.render_as_string()
    try:
        with pytest.raises(LedgerTamperedError):
            app.commands.sign_agreement("later-1", make_terms(), T0)
        code, _, stderr = run_cli("adopt-chain", "--by", "upgrade", "--database-url", database_url)
        assert code == 0, stderr

        app.commands.sign_agreement("later-1", make_terms(), T0)
    finally:
        app.close()

    verified = verify_command(database_url)
    assert (verified["ok"], verified["digest"].split(":")[0]) == (True, "5")
    assert (verified["adoption"]["events"], verified["adoption"]["through_position"]) == (4, 4)


CASES_FIXTURE = Path(__file__).parent / "fixtures" / "stored_events_2026_12_cases.json"
CASES_OPENED_US = to_epoch_us(datetime(2026, 12, 2, 9, tzinfo=UTC))
HOUR_US = 3_600_000_000


@pytest.fixture(scope="module")
def case_events(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    database = tmp_path_factory.mktemp("cases") / "ledger.sqlite3"
    return decode_fixture(CASES_FIXTURE, database)


def test_every_stored_case_event_type_of_2026_12_still_decodes(case_events: list[Any]) -> None:
    assert [type(event) for event in case_events] == [
        Agreement.Signed,
        *[CaseMilestoneRecorded] * 6,
        CaseClockWarned,
    ]


def test_a_stored_case_objective_keeps_its_clock_schedule_and_scope(
    case_events: list[Any],
) -> None:
    [objective] = case_events[0].terms.objectives

    assert objective.rules.case_clock == CaseClock(
        ClockStop.FIRST_RESPONSE, 14_400, ("awaiting_customer", "awaiting_third_party")
    )
    assert objective.rules.schedule.holidays == ("2026-12-25",)
    assert objective.rules.label_scope == {"priority": "P1"}


def test_stored_milestones_come_back_exactly(case_events: list[Any]) -> None:
    milestones = [e.milestone() for e in case_events if isinstance(e, CaseMilestoneRecorded)]

    at = CASES_OPENED_US
    assert milestones == [
        Milestone(
            "T-1", MilestoneKind.OPENED, at, "m-1", {"priority": "P1", "category": "network"}
        ),
        Milestone("T-1", MilestoneKind.PAUSED, at + HOUR_US, reason="awaiting_customer"),
        Milestone("T-1", MilestoneKind.RESUMED, at + 2 * HOUR_US),
        Milestone("T-1", MilestoneKind.FIRST_RESPONSE, at + 3 * HOUR_US, "m-4"),
        Milestone("T-1", MilestoneKind.RELABELED, at + 4 * HOUR_US, labels={"priority": "P2"}),
        Milestone("T-1", MilestoneKind.RESOLVED, at + 5 * HOUR_US),
    ]
    assert case_events[1].originator_id == "agreement:desk-2026/case:T-1"


def test_a_stored_clock_warning_keeps_its_instants(case_events: list[Any]) -> None:
    warned = case_events[-1]

    assert (warned.objective_id, warned.warning, warned.reached_at_us, warned.due_at_us) == (
        "p1-response",
        "at_risk",
        CASES_OPENED_US + 3 * HOUR_US,
        CASES_OPENED_US + 4 * HOUR_US,
    )


SERVICES_FIXTURE = Path(__file__).parent / "fixtures" / "stored_events_2026_12_services.json"
SERVICES_NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def service_events(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    database = tmp_path_factory.mktemp("services") / "ledger.sqlite3"
    return decode_fixture(SERVICES_FIXTURE, database)


def test_every_stored_service_event_type_of_2026_12_still_decodes(
    service_events: list[Any],
) -> None:
    assert [type(event) for event in service_events] == [
        Agreement.Signed,
        Subscription.Subscribed,
        Agreement.ExclusionRecorded,
        MetricMeasured,
        PeriodClosed,
        BreachDetected,
        CreditIssued,
        Subscription.TierChanged,
        Subscription.Ended,
    ]


def test_a_stored_service_sla_keeps_its_tiers_and_their_policies(
    service_events: list[Any],
) -> None:
    terms = service_events[0].terms
    basic, premium = terms.tiers

    assert (terms.is_service_sla, terms.kind, terms.customer) == (
        True,
        AgreementKind.SERVICE_BASED,
        Party(""),
    )
    assert [(t.tier_id, t.display_name) for t in terms.tiers] == [
        ("basic", "Basic"),
        ("premium", "Premium"),
    ]
    assert [o.target_percent for o in (*basic.objectives, *premium.objectives)] == [
        Decimal("99.0"),
        Decimal("99.9"),
    ]
    assert basic.credit_policy is None
    assert premium.credit_policy.cap_percent == Decimal(50)
    assert premium.credit_policy.bonus.above_percent == Decimal("99.99")
    assert terms.credit_policy.rule.bands[1].credit_percent == Decimal(25)


def test_stored_subscription_events_replay_to_the_same_subscription(
    service_events: list[Any],
) -> None:
    subscription = replay_subscription(
        [e for e in service_events if isinstance(e, Subscription.Event)]
    )

    assert subscription is not None
    assert (subscription.agreement_id, subscription.customer) == (
        "cloud-2026",
        Party("globex", "Globex"),
    )
    assert [(c.tier_id, c.fee.amount.amount, c.effective_from) for c in subscription.changes] == [
        ("basic", Decimal("120.00"), SERVICES_NOVEMBER + timedelta(days=10)),
        ("premium", Decimal("300.00"), datetime(2026, 12, 15, tzinfo=UTC)),
    ]
    assert (subscription.end, subscription.planned_end) == (datetime(2027, 3, 1, tzinfo=UTC), None)
    assert subscription.id == "agreement:cloud-2026/customer:globex"


def test_a_stored_exclusion_for_one_customer_keeps_its_customer(
    service_events: list[Any],
) -> None:
    exclusion = service_events[2].exclusion

    assert (exclusion.customer_id, exclusion.kind, exclusion.objective_ids) == (
        "globex",
        ExclusionKind.CUSTOMER_CAUSED,
        ("availability",),
    )


def test_a_stored_subscriber_period_keeps_its_customer_tier_breach_and_credit(
    service_events: list[Any],
) -> None:
    closed, breach, credit = service_events[4:7]

    assert closed.originator_id == (
        "agreement:cloud-2026/customer:globex/objective:availability/period:2026-11"
    )
    assert (closed.customer_id, closed.tier_id, closed.status) == ("globex", "basic", "breached")
    assert closed.window_start == SERVICES_NOVEMBER + timedelta(days=10)
    assert (breach.customer_id, breach.attained, breach.target) == (
        "globex",
        Decimal("87.500000"),
        Decimal("99.0"),
    )
    assert (credit.customer_id, credit.amount.amount, credit.percent_of_fee) == (
        "globex",
        Decimal("19.96"),
        Decimal(25),
    )
    assert service_events[3].labels[3] == {"customer": "globex"}
