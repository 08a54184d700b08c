"""ListCases in the application: an agreement's cases now, in id order, paged and filtered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.case_milestones import Milestone, MilestoneKind
from domain.errors import InvalidArgumentError
from domain.instants import to_epoch_us
from domain.money import Money
from domain.objectives import CaseClock, ClockStop, ObjectiveRules
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from service.app import case_list
from service.app.application import LedgerApplication
from service.app.case_list import encode_case_token
from service.app.case_views import CaseFilter
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SettableClock

START = datetime(2026, 5, 1, tzinfo=UTC)
NOW = datetime(2026, 5, 4, 12, tzinfo=UTC)  # a Monday, noon
HOUR = 3_600_000_000
AT_RISK = 75


def _terms() -> AgreementTerms:
    """A P1 response clock of 4 hours (all hours) and a resolution clock of 2 days."""
    response = ObjectiveRules(
        label_scope={"priority": "P1"}, case_clock=CaseClock(ClockStop.FIRST_RESPONSE, 4 * 3600)
    )
    resolution = ObjectiveRules(case_clock=CaseClock(ClockStop.RESOLUTION, 2 * 86_400))
    return AgreementTerms(
        Party("acme"),
        Party("globex"),
        AgreementKind.CUSTOMER_BASED,
        ("desk",),
        "UTC",
        Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH),
        START,
        None,
        (
            Objective("response", "first_response", Decimal(90), PeriodUnit.MONTH, rules=response),
            Objective("resolution", "resolution", Decimal(90), PeriodUnit.MONTH, rules=resolution),
        ),
    )


def _opened(case_id: str, hours_before_now: float, priority: str = "P1") -> Milestone:
    at = to_epoch_us(NOW) - int(hours_before_now * HOUR)
    return Milestone(case_id, MilestoneKind.OPENED, at, labels={"priority": priority})


def _then(case_id: str, kind: MilestoneKind, hours_before_now: float) -> Milestone:
    return Milestone(case_id, kind, to_epoch_us(NOW) - int(hours_before_now * HOUR))


@pytest.fixture
def app(database_url: str) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(database_url), clock=SettableClock(NOW))
    application.commands.sign_agreement("a-1", _terms(), START)
    application.cases.record(
        "a-1",
        [
            _opened("c-1", 1),  # P1, response running, 1 h of 4: not at risk
            _opened("c-2", 3.5),  # P1, 3.5 h of 4: at risk
            _opened("c-3", 6),  # P1, response breached 2 h ago
            _opened("c-4", 10, "P2"),
            _then("c-4", MilestoneKind.FIRST_RESPONSE, 9),
            _then("c-4", MilestoneKind.RESOLVED, 8),  # resolved
            _opened("c-5", 30, "P2"),
            _then("c-5", MilestoneKind.CANCELLED, 29),  # cancelled
        ],
    )
    yield application
    application.close()


def _ids(app: LedgerApplication, where: CaseFilter, size: int = 0, token: str = "") -> list[str]:
    page = app.case_list.list_cases("a-1", where, size, token, AT_RISK)
    return [case.case_id for case in page.cases]


def test_cases_are_listed_in_id_order_a_page_at_a_time(app: LedgerApplication) -> None:
    pages = []
    token = ""
    while True:
        page = app.case_list.list_cases("a-1", CaseFilter(), 2, token, AT_RISK)
        pages.append([case.case_id for case in page.cases])
        token = page.next_page_token
        if not token:
            break

    assert pages == [["c-1", "c-2"], ["c-3", "c-4"], ["c-5"]]


def test_a_state_filter_lists_only_the_cases_in_that_state(app: LedgerApplication) -> None:
    assert _ids(app, CaseFilter(state="resolved")) == ["c-4"]


def test_a_breached_filter_lists_the_cases_whose_clock_ran_out_by_now(
    app: LedgerApplication,
) -> None:
    assert _ids(app, CaseFilter(breached=True)) == ["c-3"]


def test_an_at_risk_filter_lists_the_running_clocks_past_the_at_risk_share(
    app: LedgerApplication,
) -> None:
    assert _ids(app, CaseFilter(objective_id="response", at_risk=True)) == ["c-2"]


def test_an_objective_filter_lists_the_cases_in_its_label_scope(app: LedgerApplication) -> None:
    assert _ids(app, CaseFilter(objective_id="response")) == ["c-1", "c-2", "c-3"]


def test_a_label_filter_lists_the_cases_carrying_the_label_now(app: LedgerApplication) -> None:
    assert _ids(app, CaseFilter(labels={"priority": "P2"})) == ["c-4", "c-5"]


def test_an_opened_range_includes_its_start_and_excludes_its_end(app: LedgerApplication) -> None:
    where = CaseFilter(
        opened_from_us=to_epoch_us(NOW) - int(6 * HOUR),
        opened_until_us=to_epoch_us(NOW) - int(1 * HOUR),
    )

    assert _ids(app, where) == ["c-2", "c-3"]


def test_a_due_range_lists_the_cases_with_a_clock_due_in_it(app: LedgerApplication) -> None:
    # c-1's response is due 3 hours from now, c-2's in half an hour.
    now = to_epoch_us(NOW)
    where = CaseFilter(objective_id="response", due_from_us=now, due_until_us=now + HOUR)

    assert _ids(app, where) == ["c-2"]


def test_a_token_of_another_agreement_is_refused(app: LedgerApplication) -> None:
    with pytest.raises(InvalidArgumentError, match="page_token"):
        app.case_list.list_cases("a-1", CaseFilter(), 0, encode_case_token("a-2", "c-1"), AT_RISK)


def test_the_clocks_of_a_summary_are_read_at_the_applications_now(
    app: LedgerApplication,
) -> None:
    [case] = app.case_list.list_cases("a-1", CaseFilter(), 1, "", AT_RISK).cases

    [response, resolution] = case.clocks
    assert (response.objective_id, response.elapsed_us, response.remaining_us) == (
        "response",
        HOUR,
        3 * HOUR,
    )
    assert response.read_at_us == to_epoch_us(NOW)
    assert resolution.due_at_us == to_epoch_us(NOW - timedelta(hours=1) + timedelta(days=2))


def test_a_call_examines_a_bounded_number_of_cases_and_gives_a_token_to_go_on(
    app: LedgerApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_list, "SCAN_LIMIT", 2)

    first = app.case_list.list_cases("a-1", CaseFilter(breached=True), 0, "", AT_RISK)
    second = app.case_list.list_cases(
        "a-1", CaseFilter(breached=True), 0, first.next_page_token, AT_RISK
    )

    assert (first.cases, bool(first.next_page_token)) == ((), True)
    assert [case.case_id for case in second.cases] == ["c-3"]
