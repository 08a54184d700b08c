"""Worked examples: a service SLA's tiers, subscribers joining and leaving, tier changes,
customer-caused exclusions and amendments of the service's SLA, every figure by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain.exclusions import Exclusion, ExclusionKind
from domain.identifiers import period_stream
from domain.period_results import BreachDetected, CreditIssued, PeriodClosed, PeriodEvent
from domain.subscriber_views import CUSTOMER_LABEL
from tests.unit.worked_examples.builders import APR, MAY, daily, dec, of_type, only, reading
from tests.unit.worked_examples.service_builders import (
    BASIC,
    PREMIUM_POLICY,
    SERVICE_ID,
    ServiceHistory,
    eur,
    monthly,
    service_terms,
    tier,
)

JUN = datetime(2026, 6, 1, tzinfo=UTC)


def april(events: list[PeriodEvent]) -> list[PeriodEvent]:
    """The events of April 2026."""
    return [e for e in events if e.period_label == "2026-04"]


def test_two_tiers_judge_the_same_month_of_readings_against_their_own_targets() -> None:
    service = ServiceHistory()
    service.subscribe("initech", "basic", monthly("100.00"))
    service.subscribe("globex", "premium", monthly("500.00"))
    service.measure(daily(APR, 30, 995, 1000))

    closed = service.close(MAY)

    # One reading a day of 995 / 1,000, recorded once for the service:
    # 29,850 / 30,000 = 99.5% for every subscriber.
    # Basic (99.0%): 99.5 >= 99.0 -> met, no breach, no credit.
    basic = only(closed["initech"], PeriodClosed)
    (figures,) = basic.figures
    assert (figures.good, figures.total) == dec(29850, 30000)
    assert (basic.status, basic.tier_id, basic.period_fee) == ("met", "basic", eur("100.00"))
    assert closed["initech"] == [basic]
    # Premium (99.9%): 99.5 < 99.9 -> breached; band [99.0, 99.9) -> 10% of EUR 500.00 = 50.00.
    premium = only(closed["globex"], PeriodClosed)
    assert (premium.status, premium.tier_id) == ("breached", "premium")
    assert only(closed["globex"], BreachDetected).target == Decimal("99.9")
    assert only(closed["globex"], CreditIssued).amount == eur("50.00")


def test_two_tiers_pay_from_their_own_bands_when_both_are_breached() -> None:
    service = ServiceHistory()
    service.subscribe("initech", "basic", monthly("100.00"))
    service.subscribe("globex", "premium", monthly("500.00"))
    service.measure(daily(APR, 30, 980, 1000))

    closed = service.close(MAY)

    # 29,400 / 30,000 = 98.0%.
    # Basic: 98.0 < 99.0 and >= 95.0 -> "below 99.0" band -> 10% of EUR 100.00 = EUR 10.00.
    # Premium: 98.0 < 99.0 and >= 95.0 -> "below 99.0" band -> 25% of EUR 500.00 = EUR 125.00.
    assert only(closed["initech"], CreditIssued).amount == eur("10.00")
    assert only(closed["globex"], CreditIssued).amount == eur("125.00")


def test_each_subscriber_has_its_own_period_streams_and_events_name_it() -> None:
    service = ServiceHistory()
    service.subscribe("globex", "premium", monthly("500.00"))
    service.measure(daily(APR, 30, 995, 1000))

    closed = service.close(MAY)

    stream = period_stream(SERVICE_ID, "availability", "2026-04", "globex")
    assert stream == "agreement:storage-sla/customer:globex/objective:availability/period:2026-04"
    assert {e.originator_id for e in closed["globex"]} == {stream}
    assert {e.customer_id for e in closed["globex"]} == {"globex"}


def test_a_subscriber_joining_mid_month_is_judged_on_its_days_for_a_pro_rated_fee() -> None:
    service = ServiceHistory()
    service.subscribe(
        "globex", "premium", monthly("600.00"), start=datetime(2026, 4, 11, tzinfo=UTC)
    )
    readings = daily(APR, 30, 995, 1000)
    readings[4] = reading(datetime(2026, 4, 5, 12, tzinfo=UTC), 0, 1000)  # before it joined
    service.measure(readings)

    closed = service.close(MAY)

    # Window 04-11 00:00 to 05-01 00:00: 20 of April's 30 days.
    # Fee: EUR 600.00 x 20/30 = EUR 400.00 (exact).
    # Readings in the window: 04-11 .. 04-30, 20 x 995 / 1,000 -> 19,900 / 20,000 = 99.5%
    # (the outage on 04-05 is before the window and does not count).
    # 99.5 < 99.9 -> band "below 99.9" -> 10% x EUR 400.00 = EUR 40.00.
    closed_event = only(closed["globex"], PeriodClosed)
    assert closed_event.window_start == datetime(2026, 4, 11, tzinfo=UTC)
    assert closed_event.period_fee == eur("400")
    (figures,) = closed_event.figures
    assert (figures.good, figures.total) == dec(19900, 20000)
    assert only(closed["globex"], CreditIssued).amount == eur("40.00")


def test_a_subscription_ended_mid_month_is_judged_on_the_time_it_ran() -> None:
    service = ServiceHistory()
    service.subscribe("globex", "premium", monthly("600.00"))
    service.end("globex", datetime(2026, 4, 21, tzinfo=UTC))
    service.measure(daily(APR, 30, 995, 1000))

    closed = service.close(JUN)

    # Window 04-01 to 04-21: 20 of 30 days -> fee EUR 600.00 x 20/30 = EUR 400.00;
    # 20 readings, 19,900 / 20,000 = 99.5% -> 10% -> EUR 40.00. May is never judged.
    closed_event = only(closed["globex"], PeriodClosed)
    assert closed_event.window_end == datetime(2026, 4, 21, tzinfo=UTC)
    assert closed_event.period_fee == eur("400")
    assert only(closed["globex"], CreditIssued).amount == eur("40.00")
    assert {e.period_label for e in closed["globex"]} == {"2026-04"}


def test_a_tier_upgrade_on_the_15th_governs_from_the_next_month() -> None:
    service = ServiceHistory()
    service.subscribe("globex", "basic", monthly("100.00"))
    service.change_tier("globex", "premium", monthly("500.00"), datetime(2026, 4, 15, tzinfo=UTC))
    service.measure(daily(APR, 61, 995, 1000))

    closed = service.close(JUN)

    # April started (04-01) on basic: the upgrade effective 04-15 does not change a started
    # period. 29,850 / 30,000 = 99.5% >= 99.0 -> met; fee EUR 100.00; no credit.
    april_closed = only(april(closed["globex"]), PeriodClosed)
    assert (april_closed.tier_id, april_closed.status, april_closed.period_fee) == (
        "basic",
        "met",
        eur("100.00"),
    )
    assert of_type(april(closed["globex"]), CreditIssued) == []
    # May starts after the upgrade -> premium, EUR 500.00: 30,845 / 31,000 = 99.5% < 99.9
    # -> 10% x EUR 500.00 = EUR 50.00.
    may = [e for e in closed["globex"] if e.period_label == "2026-05"]
    may_closed = only(may, PeriodClosed)
    assert (may_closed.tier_id, may_closed.status, may_closed.period_fee) == (
        "premium",
        "breached",
        eur("500.00"),
    )
    assert only(may, CreditIssued).amount == eur("50.00")


def test_a_customer_caused_exclusion_spares_only_that_subscriber() -> None:
    service = ServiceHistory()
    service.subscribe("globex", "premium", monthly("500.00"))
    service.subscribe("initech", "premium", monthly("500.00"))
    readings = daily(APR, 30, 995, 1000)
    readings[19] = reading(datetime(2026, 4, 20, 12, tzinfo=UTC), 0, 1000)
    service.measure(readings)
    service.exclude(
        Exclusion(
            exclusion_id="initech-outage-0420",
            start=datetime(2026, 4, 20, tzinfo=UTC),
            end=datetime(2026, 4, 21, tzinfo=UTC),
            kind=ExclusionKind.CUSTOMER_CAUSED,
            reason="initech's own network was down",
            customer_id="initech",
        )
    )

    closed = service.close(MAY)

    # Globex counts every reading: 29 x 995 + 0 = 28,855 / 30,000 = 96.18333...%
    # -> below 99.0, not below 95.0 -> 25% x EUR 500.00 = EUR 125.00.
    (globex,) = only(closed["globex"], PeriodClosed).figures
    assert (globex.good, globex.total, globex.excluded) == (*dec(28855, 30000), 0)
    assert only(closed["globex"], CreditIssued).amount == eur("125.00")
    # Initech's exclusion takes out the 04-20 reading: 28,855 / 29,000 = 99.5%
    # -> below 99.9 -> 10% x EUR 500.00 = EUR 50.00.
    (initech,) = only(closed["initech"], PeriodClosed).figures
    assert (initech.good, initech.total, initech.excluded) == (*dec(28855, 29000), 1)
    assert only(closed["initech"], CreditIssued).amount == eur("50.00")


def test_a_reading_labelled_with_a_customer_counts_only_for_that_subscriber() -> None:
    service = ServiceHistory()
    service.subscribe("globex", "premium", monthly("500.00"))
    service.subscribe("initech", "premium", monthly("500.00"))
    readings = daily(APR, 30, 1000, 1000)
    noon = datetime(2026, 4, 10, 12, tzinfo=UTC)
    labelled = reading(noon, 0, 1000)._replace(labels={CUSTOMER_LABEL: "initech"})
    service.measure([*readings, labelled])

    closed = service.close(MAY)

    # Globex: the 30 service readings, 30,000 / 30,000 = 100% -> met, no credit.
    assert only(closed["globex"], PeriodClosed).status == "met"
    assert of_type(closed["globex"], CreditIssued) == []
    # Initech: the 30 service readings and its own 0 / 1,000: 30,000 / 31,000 = 96.77419...%
    # -> below 99.0, not below 95.0 -> 25% x EUR 500.00 = EUR 125.00.
    (initech,) = only(closed["initech"], PeriodClosed).figures
    assert (initech.good, initech.total) == dec(30000, 31000)
    assert only(closed["initech"], CreditIssued).amount == eur("125.00")


def test_an_amendment_of_the_service_changes_every_subscribers_terms_from_its_effective_date() -> (
    None
):
    service = ServiceHistory()
    service.subscribe("globex", "premium", monthly("500.00"))
    service.subscribe("initech", "premium", monthly("800.00"))
    service.measure(daily(APR, 61, 995, 1000))
    relaxed = tier("premium", "99.0", PREMIUM_POLICY)  # premium's target lowered to 99.0%
    service.amend(service_terms(BASIC, relaxed), MAY)

    closed = service.close(JUN)

    # April (v1, 99.9%): 99.5% -> breached, 10% -> EUR 50.00 and EUR 80.00.
    assert only(april(closed["globex"]), CreditIssued).amount == eur("50.00")
    assert only(april(closed["initech"]), CreditIssued).amount == eur("80.00")
    # May (v2, 99.0%): 30,845 / 31,000 = 99.5% >= 99.0 -> met for both, no credit; one
    # amendment of the service moved both subscribers.
    for customer_id in ("globex", "initech"):
        may = [e for e in closed[customer_id] if e.period_label == "2026-05"]
        may_closed = only(may, PeriodClosed)
        assert (may_closed.terms_version, may_closed.status) == (2, "met")
        assert may == [may_closed]


def test_the_oracle_reports_a_subscribers_credits_and_not_another_subscribers() -> None:
    service = ServiceHistory()
    service.subscribe("initech", "basic", monthly("100.00"))
    service.subscribe("globex", "premium", monthly("500.00"))
    service.measure(daily(APR, 30, 995, 1000))
    service.close(MAY)

    report = service.report("globex", MAY)

    # Globex's own April credit (EUR 50.00, see the first example) and nothing of Initech's.
    assert [(c.period_label, c.amount) for c in report.credits] == [("2026-04", eur("50.00"))]
    assert service.report("initech", MAY).credits == ()
