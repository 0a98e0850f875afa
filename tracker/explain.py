"""Plain-language explanations of each metric, milestone and goal status, in German (default)
and English, for people new to social media. Shared by the report and the dashboards; the texts
live in the catalogue (``tracker.text``).

Every text is plain text: callers escape it like any other text they show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.metrics.milestones import Milestone
from tracker.programme.goals import Evidence
from tracker.text import CATALOGUES, DEFAULT_LANGUAGE, has_text, plural, text
from tracker.text import formatting as fmt


@dataclass(frozen=True)
class Explanation:
    title: str
    text: str


def metric_keys() -> tuple[str, ...]:
    """Every metric the catalogue explains."""
    keys = (k for k in CATALOGUES[DEFAULT_LANGUAGE] if k.startswith("metric."))
    return tuple(dict.fromkeys(k.split(".")[1] for k in keys))


def explain_metric(key: str, lang: str = DEFAULT_LANGUAGE) -> Explanation:
    """Title and explanation of a metric; raises KeyError for an unknown key."""
    return Explanation(text(f"metric.{key}.title", lang), text(f"metric.{key}.text", lang))


def platform_name(platform: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The display name of a platform of the connector registry; the name itself otherwise."""
    if platform is None:
        return text("platform.all", lang)
    key = f"platform.{platform}"
    return text(key, lang) if has_text(key) else platform


def explain_milestone(
    kind: str, platform: str | None = None, lang: str = DEFAULT_LANGUAGE
) -> Explanation:
    """Title and sentence of a milestone kind; raises KeyError for an unknown kind."""
    return Explanation(
        text(f"milestone.{kind}.title", lang),
        text(f"milestone.{kind}.text", lang, platform=platform_name(platform, lang)),
    )


def describe_milestone(milestone: Milestone, lang: str = DEFAULT_LANGUAGE) -> str:
    """One line: the date and what happened."""
    what = explain_milestone(milestone.kind, milestone.platform, lang)
    return f"{format_date(milestone.at.date(), lang)}: {what.text}"


def status_label(status: str, lang: str = DEFAULT_LANGUAGE) -> Explanation:
    """Label and meaning of a goal status; raises KeyError for an unknown status."""
    label = text(f"goal_state.{status}", lang)
    return Explanation(label, text(f"goal_state.{status}.meaning", lang))


def format_date(day: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A day in the language's one date format."""
    return fmt.fmt_date(day, lang)


def format_number(value: float | None, lang: str = DEFAULT_LANGUAGE, digits: int = 0) -> str:
    """A number in the language's notation; unknown is an en dash, never 0."""
    return fmt.fmt_decimal(value, lang, digits)


def evidence_text(item: Evidence, lang: str = DEFAULT_LANGUAGE) -> str:
    """One piece of goal evidence as a short sentence."""
    key = f"evidence.{item.label}"
    values = {"on": format_date(item.on, lang), "value": format_number(item.value, lang)}
    if has_text(f"{key}.other"):
        return plural(key, item.value, lang, **values)
    if not has_text(key):
        return "{on}: {value}".format(**values)
    return text(key, lang, **values)
