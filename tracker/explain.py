"""Plain-language explanations of each metric, milestone and goal status, in German (default)
and English, for people new to social media. Shared by the report and the dashboards.

Every text is plain text: callers escape it like any other text they show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.metrics.milestones import Milestone
from tracker.programme.goals import Evidence

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"


@dataclass(frozen=True)
class Explanation:
    title: str
    text: str


_METRICS: dict[str, dict[str, tuple[str, str]]] = {
    "followers": {
        "de": (
            "Follower",
            "Follower sind Menschen, die ein Konto abonniert haben: Sie sehen neue Beiträge in "
            "ihrem Nachrichtenstrom. Die Zahl wird einmal am Tag abgelesen.",
        ),
        "en": (
            "Followers",
            "Followers are people who subscribed to an account: new posts appear in their feed. "
            "The count is read once a day.",
        ),
    },
    "follower_growth": {
        "de": (
            "Follower-Wachstum",
            "Wie viele Follower dazugekommen sind: als Anzahl, in Prozent des Anfangswerts und "
            "als durchschnittliches Wachstum pro Woche. Das Wochenwachstum macht kurze und lange "
            "Zeiträume vergleichbar: 2 % pro Woche heißt, dass jede Woche etwa 2 von 100 "
            "Followern dazukommen. Bei kleinen Konten wirken Prozentzahlen groß: von 12 auf 15 "
            "Follower sind schon 25 %.",
        ),
        "en": (
            "Follower growth",
            "How many followers were gained: as a number, as a percentage of the starting value "
            "and as the average growth per week. Weekly growth makes short and long periods "
            "comparable: 2 % a week means about 2 in 100 followers join every week. For small "
            "accounts percentages look large: from 12 to 15 followers is already 25 %.",
        ),
    },
    "posts_per_week": {
        "de": (
            "Beiträge pro Woche",
            "Wie oft veröffentlicht wird: die Zahl der Beiträge im Zeitraum geteilt durch die "
            "Zahl der Wochen, gezählt nach dem Tag der Veröffentlichung.",
        ),
        "en": (
            "Posts per week",
            "How often something is published: the number of posts in the period divided by the "
            "number of weeks, counted by the day of publication.",
        ),
    },
    "engagement": {
        "de": (
            "Interaktionsrate",
            "Wie stark Menschen auf einen Beitrag reagieren: Likes, Kommentare und geteilte "
            "Beiträge zusammen, geteilt durch die Zahl der Follower am Tag der Veröffentlichung, "
            "mal 100. Für einen Zeitraum zählt der mittlere Beitrag (Median), damit ein einzelner "
            "sehr erfolgreicher Beitrag das Bild nicht verzerrt.",
        ),
        "en": (
            "Engagement rate",
            "How strongly people react to a post: likes, comments and shares together, divided "
            "by the number of followers on the day it was published, times 100. A period shows "
            "the middle post (median), so that one very successful post does not distort it.",
        ),
    },
    "adoption": {
        "de": (
            "Aktive Plattformen",
            "Auf wie vielen Plattformen in den letzten 30 Tagen mindestens ein Beitrag "
            "erschienen ist. Ein Konto, auf dem nichts mehr erscheint, zählt nicht mit.",
        ),
        "en": (
            "Active platforms",
            "On how many platforms at least one post appeared in the last 30 days. An account "
            "where nothing appears any more does not count.",
        ),
    },
    "consistency": {
        "de": (
            "Regelmäßigkeit",
            "Der Anteil der Wochen mit mindestens einem Beitrag. 100 % heißt: in jeder Woche "
            "etwas veröffentlicht. Regelmäßigkeit zählt oft mehr als viele Beiträge auf einmal.",
        ),
        "en": (
            "Consistency",
            "The share of weeks with at least one post. 100 % means something was published "
            "every week. Regularity often matters more than many posts at once.",
        ),
    },
    "posting_weekly": {
        "de": (
            "Wöchentlich aktiv",
            "Wer in jeder der letzten vier Wochen mindestens einen Beitrag veröffentlicht hat.",
        ),
        "en": (
            "Posting weekly",
            "Someone who published at least one post in each of the last four weeks.",
        ),
    },
    "event_effect": {
        "de": (
            "Wirkung einer Veranstaltung",
            "Ein Vergleich der vier Wochen vor einer Veranstaltung (Auftakt, Workshop, Halbzeit, "
            "Abschluss) mit den vier Wochen danach. Er zeigt, ob sich danach etwas verändert "
            "hat, beweist aber nicht, dass die Veranstaltung der Grund war.",
        ),
        "en": (
            "Effect of an event",
            "A comparison of the four weeks before an event (kickoff, workshop, midpoint, "
            "closing) with the four weeks after. It shows whether something changed afterwards, "
            "but does not prove that the event was the reason.",
        ),
    },
    "coverage": {
        "de": (
            "Datenabdeckung",
            "Der Anteil der Tage, an denen die Zahlen abgelesen werden konnten. Fehlt ein Tag, "
            "bleibt er in Diagrammen eine Lücke: Es wird nichts geschätzt oder aufgefüllt.",
        ),
        "en": (
            "Coverage",
            "The share of days on which the counts could be read. A missing day stays a gap in "
            "charts: nothing is estimated or filled in.",
        ),
    },
    "gap": {
        "de": (
            "Lücke",
            "Eine Zeit, in der ein Konto nicht abgelesen werden konnte, etwa weil die Plattform "
            "nicht erreichbar war. Werte, die über eine Lücke hinweg berechnet sind, sind "
            "markiert.",
        ),
        "en": (
            "Gap",
            "A time in which an account could not be read, for example because the platform was "
            "unreachable. Values computed across a gap are marked.",
        ),
    },
}

_MILESTONES: dict[str, dict[str, tuple[str, str]]] = {
    "first_post": {
        "de": ("Erster Beitrag", "Der allererste Beitrag auf {platform}."),
        "en": ("First post", "The very first post on {platform}."),
    },
    "platform_adopted": {
        "de": ("Neue Plattform", "Während des Programms mit {platform} angefangen."),
        "en": ("New platform", "Started using {platform} during the programme."),
    },
    "first_video": {
        "de": ("Erstes Video", "Das erste Video oder Reel, auf {platform}."),
        "en": ("First video", "The first video or reel, on {platform}."),
    },
    "weekly_4_weeks": {
        "de": ("Vier Wochen dran geblieben", "Vier Wochen in Folge jede Woche etwas gepostet."),
        "en": ("Four weeks running", "Posted something every week, four weeks in a row."),
    },
    "followers_100": {
        "de": ("100 Follower", "Die ersten 100 Follower auf {platform}."),
        "en": ("100 followers", "The first 100 followers on {platform}."),
    },
    "followers_500": {
        "de": ("500 Follower", "500 Follower auf {platform} erreicht."),
        "en": ("500 followers", "Reached 500 followers on {platform}."),
    },
    "followers_1000": {
        "de": ("1.000 Follower", "1.000 Follower auf {platform} erreicht."),
        "en": ("1,000 followers", "Reached 1,000 followers on {platform}."),
    },
}

_STATUSES: dict[str, dict[str, tuple[str, str]]] = {
    "open": {
        "de": ("offen", "Noch nicht erreicht; die Daten zeigen noch keine klare Richtung."),
        "en": ("open", "Not reached yet; the data shows no clear direction yet."),
    },
    "on_track": {
        "de": ("auf gutem Weg", "Noch nicht erreicht, aber die letzten Wochen zeigen dorthin."),
        "en": ("on track", "Not reached yet, but the last weeks point there."),
    },
    "reached": {
        "de": ("erreicht", "Das Ziel ist erreicht."),
        "en": ("reached", "The goal is reached."),
    },
    "missed": {
        "de": ("verfehlt", "Der Termin ist vorbei oder nicht mehr zu schaffen."),
        "en": ("missed", "The due date has passed or can no longer be met."),
    },
}

_EVIDENCE = {
    "week": {"de": "Woche ab {on}: {value} Beiträge", "en": "week from {on}: {value} posts"},
    "followers": {"de": "{on}: {value} Follower", "en": "{on}: {value} followers"},
    "projected": {
        "de": "bei gleichem Tempo am {on}: etwa {value} Follower",
        "en": "at the same pace on {on}: about {value} followers",
    },
    "first_post": {"de": "erster Beitrag am {on}", "en": "first post on {on}"},
    "done": {"de": "abgehakt am {on}", "en": "ticked on {on}"},
    "due": {"de": "fällig am {on}", "en": "due on {on}"},
}

PLATFORM_NAMES = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "blog": "Blog",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "manual": "Manuell",
    "demo": "Demo",
}


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def metric_keys() -> tuple[str, ...]:
    return tuple(_METRICS)


def explain_metric(key: str, lang: str = DEFAULT_LANGUAGE) -> Explanation:
    """Title and explanation of a metric; raises KeyError for an unknown key."""
    title, text = _METRICS[key][_lang(lang)]
    return Explanation(title, text)


def platform_name(platform: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    if platform is None:
        return "alle Plattformen" if _lang(lang) == "de" else "all platforms"
    return PLATFORM_NAMES.get(platform, platform)


def explain_milestone(
    kind: str, platform: str | None = None, lang: str = DEFAULT_LANGUAGE
) -> Explanation:
    """Title and sentence of a milestone kind; raises KeyError for an unknown kind."""
    title, text = _MILESTONES[kind][_lang(lang)]
    return Explanation(title, text.format(platform=platform_name(platform, lang)))


def describe_milestone(milestone: Milestone, lang: str = DEFAULT_LANGUAGE) -> str:
    """One line: the date and what happened."""
    what = explain_milestone(milestone.kind, milestone.platform, lang)
    return f"{format_date(milestone.at.date(), lang)}: {what.text}"


def status_label(status: str, lang: str = DEFAULT_LANGUAGE) -> Explanation:
    """Label and meaning of a goal status; raises KeyError for an unknown status."""
    label, text = _STATUSES[status][_lang(lang)]
    return Explanation(label, text)


def format_date(day: date, lang: str = DEFAULT_LANGUAGE) -> str:
    return day.strftime("%d.%m.%Y") if _lang(lang) == "de" else day.isoformat()


def format_number(value: float | None, lang: str = DEFAULT_LANGUAGE, digits: int = 0) -> str:
    """A number in the language's notation; unknown is an en dash, never 0."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    if _lang(lang) == "de":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def evidence_text(item: Evidence, lang: str = DEFAULT_LANGUAGE) -> str:
    """One piece of goal evidence as a short sentence."""
    template = _EVIDENCE.get(item.label, {}).get(_lang(lang), "{on}: {value}")
    return template.format(on=format_date(item.on, lang), value=format_number(item.value, lang))
