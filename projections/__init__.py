"""Read models derived from the event log; none exist yet (see README, roadmap)."""
