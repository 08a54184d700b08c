"""When the ledger closes an agreement's periods by itself: not while its history may still come.

An agreement is often recorded after its term started, and an amendment after it took effect;
their history (the readings of periods that already ended) is then back-filled. So the
background closer leaves an agreement alone until the close grace has passed since its newest
terms were recorded (its signing or its last amendment, by record time); from then on it closes,
as always, every period that ended more than the grace ago. Each amendment starts the wait
again; a termination or an exclusion does not. An explicit ClosePeriod is never held.

Worked example, grace 1 hour: an agreement from 1 January 2026 recorded on 10 March at 10:00
UTC. At 10:30 nothing is closed (None), so readings of January and February recorded meanwhile
are not late; at 11:00 the closer closes up to 10:00, January and February among them. An
amendment recorded on 20 March at 09:00 holds the agreement again until 10:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.agreement import Agreement


def automatic_close_until(agreement: Agreement, now: datetime, grace: timedelta) -> datetime | None:
    """The instant up to which the background closer closes the agreement's periods at now:
    now - grace, or None while less than grace has passed since its newest terms were recorded."""
    if now - agreement.terms_recorded_at < grace:
        return None
    return now - grace
