"""The periods a cohort summary compares.

The *baseline* is the 28 days before the kickoff, the *last month* the 28 days before the
reference day (the closing, or today while the cohort runs); cohort growth runs from the
kickoff to the reference day. After the closing a *follow-up* runs from the closing to today,
to show whether the growth held. Each period is a half-open ``[start, end)`` pair of UTC
moments at the programme's local midnights (``tracker.metrics.as_moment``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from tracker.metrics import add_days, as_moment
from tracker.store.read_cohort import CohortData

BASELINE_DAYS = 28
Window = tuple[pd.Timestamp, pd.Timestamp]


@dataclass(frozen=True)
class Periods:
    kickoff: date
    closing: date
    reference: date  # the last day counted: the closing, or today while the cohort runs
    baseline: Window
    last_month: Window
    cohort: Window
    followup: Window | None  # closing to today, once past it


def periods(data: CohortData, today: date) -> Periods:
    """The cohort's periods as of ``today``."""
    return periods_between(data.kickoff, data.closing, today)


def periods_between(kickoff: date, closing: date, today: date) -> Periods:
    """The periods of a cohort from ``kickoff`` to ``closing`` as of ``today``."""
    reference = min(today, closing)
    ref_end = add_days(reference, 1)
    k = as_moment(kickoff)
    followup = None
    if today > closing:
        followup = (add_days(closing, 1), add_days(today, 1))
    return Periods(
        kickoff,
        closing,
        reference,
        (add_days(k, -BASELINE_DAYS), k),
        (add_days(ref_end, -BASELINE_DAYS), ref_end),
        (k, ref_end),
        followup,
    )
