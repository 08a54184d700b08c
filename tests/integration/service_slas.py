"""A service SLA with two tiers for the integration tests: its terms, fees and signing, and a
subscriber's periods closed as the domain closes them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain.agreement_history import AgreementHistory, fold_history
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.identifiers import subscription_stream
from domain.money import Money
from domain.period_closing import close_due_periods
from domain.period_results import PeriodEvent
from domain.subscriber_views import subscriber_history
from domain.subscriptions import Subscription
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit, Tier
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock

SERVICE = "acme-cloud"
JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)
GLOBEX = Party("globex", "Globex")
INITECH = Party("initech", "Initech")
LIST_FEE = Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH)
BASIC_FEE = Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH)
PREMIUM_FEE = Fee(Money(Decimal("300.00"), "EUR"), PeriodUnit.MONTH)
BANDS = CreditPolicy(
    BandsRule((CreditBand(Decimal("99.9"), Decimal(10)), CreditBand(Decimal(99), Decimal(25))))
)


def availability(target: str) -> Objective:
    """Monthly availability at target percent."""
    return Objective("availability", "availability", Decimal(target), PeriodUnit.MONTH)


def service_terms() -> AgreementTerms:
    """acme's cloud SLA from 2026-01-01 (UTC): basic at 99.0%, premium at 99.9%, banded
    credits."""
    return AgreementTerms(
        provider=Party("acme", "Acme Cloud"),
        customer=Party(""),
        kind=AgreementKind.SERVICE_BASED,
        services=("compute",),
        time_zone="UTC",
        fee=LIST_FEE,
        term_start=JANUARY,
        term_end=None,
        credit_policy=BANDS,
        tiers=(
            Tier("basic", "Basic", (availability("99.0"),)),
            Tier("premium", "Premium", (availability("99.9"),)),
        ),
    )


def sign_service(app: LedgerApplication) -> int:
    """Sign the service SLA; the log position of its signing."""
    _, position = app.commands.sign_agreement(SERVICE, service_terms(), JANUARY)
    return position


def open_service_app(database_url: str) -> LedgerApplication:
    """An application on the database (its record clock from 2026-06-01, a second a reading)
    with the service SLA signed."""
    app = open_application(
        parse_database_url(database_url), clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC))
    )
    sign_service(app)
    return app


def subscribe(app: LedgerApplication, **overrides: object) -> tuple[Subscription, int]:
    """Subscribe globex to the basic tier from February, on the basic fee; keywords replace
    arguments."""
    arguments: dict[str, object] = {
        "agreement_id": SERVICE,
        "customer": GLOBEX,
        "tier_id": "basic",
        "fee": BASIC_FEE,
        "start": FEBRUARY,
        "end": None,
    }
    arguments.update(overrides)
    return app.subscriptions.subscribe(**arguments)  # type: ignore[arg-type]


def subscriber_view(app: LedgerApplication, customer_id: str) -> AgreementHistory:
    """The subscriber's view of the service's whole history as recorded now (its own periods
    only), as the replay oracle folds it."""
    subscription = app.subscriptions.find(SERVICE, customer_id)
    assert subscription is not None
    events = [
        e
        for e in app.event_log.agreement_events(SERVICE)
        if not isinstance(e, PeriodEvent) or e.customer_id == customer_id
    ]
    history = fold_history(events)
    assert history is not None
    return subscriber_history(history, subscription)


def close_for(app: LedgerApplication, customer_id: str, until: datetime) -> list[PeriodEvent]:
    """Close the subscriber's periods due by until, as the domain closes them; the events."""
    events = close_due_periods(subscriber_view(app, customer_id), until, app.now())
    if events:
        app.save(*events)
    return events


def subscription_events(app: LedgerApplication, customer_id: str) -> list[Subscription.Event]:
    """The events of the customer's subscription stream, in order."""
    stream = subscription_stream(SERVICE, customer_id)
    return [app.event_log.decode(n) for n in app.event_log.stream_notifications([stream])]
