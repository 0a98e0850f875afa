"""The periods a cohort summary compares.

The *baseline* is the 28 days before the kickoff, the *last month* the 28 days before the
reference day (the closing, or today while the cohort runs); cohort growth runs from the
kickoff to the reference day. After the closing a *follow-up* runs from the closing to today,
to show whether the growth held. Each period is a half-open ``[start, end)`` pair of UTC
moments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from tracker.metrics import as_moment
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
    ref_end = as_moment(reference) + pd.Timedelta(days=1)
    k = as_moment(kickoff)
    month = pd.Timedelta(days=BASELINE_DAYS)
    followup = None
    if today > closing:
        followup = (
            as_moment(closing) + pd.Timedelta(days=1),
            as_moment(today) + pd.Timedelta(days=1),
        )
    return Periods(
        kickoff,
        closing,
        reference,
        (k - month, k),
        (ref_end - month, ref_end),
        (k, ref_end),
        followup,
    )
