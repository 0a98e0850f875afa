"""The letters as messages: an HTML part and a plain-text part from the same blocks, with the
chart as an inline PNG (``cid:``), the unsubscribe link in the footer and in the headers.

Every text comes from the catalogue (``tracker.text``), every number and date through
``tracker.text.formatting``; names and titles typed by people are escaped in the HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape

from tracker.explain import evidence_text, explain_milestone, platform_name, status_label
from tracker.mail.chart_png import bar_chart
from tracker.mail.letter_figures import CHART_WEEKS, CohortWeek, EventInfo, MenteeWeek
from tracker.mail.weeks import LetterWeek
from tracker.privacy.consent import ConsentStatus
from tracker.text import plural, text, text_or
from tracker.text.formatting import fmt_date, fmt_day_month, fmt_decimal, fmt_int


@dataclass(frozen=True)
class Recipient:
    person_id: int
    key: str
    name: str
    email: str
    language: str
    role: str


@dataclass(frozen=True)
class Links:
    base_url: str
    unsubscribe: str

    def page(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


@dataclass
class Letter:
    """A composed letter: what the message carries, before any header is set."""

    subject: str
    html: str
    text: str
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (content id, PNG)


class _Writer:
    """Collects blocks and writes them as HTML and as plain text at once."""

    def __init__(self) -> None:
        self.html: list[str] = []
        self.text: list[str] = []
        self.images: list[tuple[str, bytes]] = []

    def heading(self, title: str) -> None:
        self.html.append(
            f'<h2 style="font-size:18px;margin:24px 0 8px;color:#111827">{escape(title)}</h2>'
        )
        self.text.append(f"\n{title}\n{'-' * len(title)}")

    def para(self, line: str) -> None:
        self.html.append(f'<p style="margin:0 0 12px">{escape(line)}</p>')
        self.text.append(line)

    def items(self, lines: Sequence[str]) -> None:
        lis = "".join(f'<li style="margin:0 0 6px">{escape(x)}</li>' for x in lines)
        self.html.append(f'<ul style="margin:0 0 12px;padding-left:20px">{lis}</ul>')
        self.text.extend(f"- {x}" for x in lines)

    def chart(self, cid: str, png: bytes, alt: str) -> None:
        self.images.append((cid, png))
        self.html.append(
            f'<p style="margin:0 0 12px"><img src="cid:{cid}" alt="{escape(alt)}" width="340" '
            'style="width:100%;max-width:340px;height:auto;display:block"></p>'
        )
        self.text.append(alt)

    def button(self, label: str, url: str) -> None:
        self.html.append(
            f'<p style="margin:20px 0"><a href="{escape(url)}" style="background:#1d4ed8;'
            "color:#ffffff;padding:12px 18px;border-radius:6px;text-decoration:none;"
            f'display:inline-block;font-weight:bold">{escape(label)}</a></p>'
        )
        self.text.append(f"{label}: {url}")

    def letter(self, subject: str, lang: str, footer: str, unsubscribe: str) -> Letter:
        body = "\n".join(self.html)
        html = (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(subject)}</title></head>"
            '<body style="margin:0;padding:0;background:#f3f4f6">'
            '<div style="max-width:600px;margin:0 auto;padding:16px;background:#ffffff;'
            "font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;"
            f'color:#1f2937">{body}'
            '<hr style="border:none;border-top:1px solid #e5e7eb;margin:24px 0 12px">'
            f'<p style="font-size:13px;color:#4b5563">{escape(footer)} '
            f'<a href="{escape(unsubscribe)}" style="color:#1d4ed8">'
            f"{escape(text('letter.unsubscribe', lang))}</a></p></div></body></html>"
        )
        plain = "\n".join(
            [*self.text, "", "--", footer, f"{text('letter.unsubscribe', lang)}: {unsubscribe}"]
        )
        return Letter(subject, html, plain.strip() + "\n", self.images)


def _span(week: LetterWeek, lang: str) -> dict[str, str]:
    return {"start": fmt_date(week.start, lang), "end": fmt_date(week.last_day, lang)}


def _chart(
    w: _Writer, cid: str, values: Sequence[int], week: LetterWeek, lang: str, goal: float | None
) -> None:
    starts = [week.end - timedelta(days=7 * (len(values) - i)) for i in range(len(values))]
    labels = [fmt_day_month(d, lang) for d in starts]
    alt = text(
        "letter.chart.alt",
        lang,
        weeks=CHART_WEEKS,
        values=", ".join(f"{fmt_date(d, lang)}: {v}" for d, v in zip(starts, values, strict=True)),
    )
    w.heading(text("letter.chart.title", lang))
    w.chart(cid, bar_chart(values, labels, goal), alt)


def _event_line(event: EventInfo | None, lang: str) -> str:
    if event is None:
        return text("letter.event.none", lang)
    return text("letter.event.line", lang, title=event.title, date=fmt_date(event.day, lang))


def _mentee_blocks(
    w: _Writer, m: MenteeWeek, week: LetterWeek, lang: str, own: bool, cid: str
) -> None:
    w.heading(text("letter.followers", lang))
    if m.platforms:
        w.items(
            [
                text(
                    "letter.followers.row",
                    lang,
                    platform=platform_name(p.platform, lang),
                    week=fmt_int(p.week, lang, signed=True),
                    since=fmt_int(p.since_kickoff, lang, signed=True),
                )
                for p in m.platforms
            ]
        )
    else:
        w.para(text("letter.followers.none", lang))
    w.heading(text("letter.posts", lang))
    posts = plural("letter.posts.week", m.posts, lang, count=fmt_decimal(m.posts, lang, 0))
    if m.posts_goal is not None:
        key = "letter.posts.goal" if own else "letter.posts.goal_of"
        posts += " " + text(key, lang, goal=fmt_decimal(m.posts_goal, lang, 0))
    w.para(posts)
    _chart(w, cid, m.weekly_posts, week, lang, m.posts_goal)
    w.heading(text("letter.milestones", lang))
    if m.milestones:
        w.items([explain_milestone(x.kind, x.platform, lang).text for x in m.milestones])
    else:
        w.para(text("letter.milestones.none", lang))
    w.heading(text("letter.goal", lang))
    goal = m.next_goal
    if goal is None:
        w.para(text("letter.goal.none", lang))
    else:
        state = status_label(goal.status, lang).title
        if goal.due is not None:
            line = text(
                "letter.goal.due", lang, title=goal.title, due=fmt_date(goal.due, lang), state=state
            )
        else:
            line = text("letter.goal.nodue", lang, title=goal.title, state=state)
        w.para(line)
        # How close: the latest evidence behind the status ("12.11.2026: 812 Follower").
        if goal.evidence:
            w.items([evidence_text(goal.evidence[-1], lang)])


def _tip(w: _Writer, m: MenteeWeek, lang: str, own: bool = True) -> None:
    w.heading(text("letter.tip" if own else "letter.tip.mentor", lang))
    w.para(text(f"letter.tip.{m.tip}", lang, days=m.days_since_post))


def _opened(r: Recipient, role: str, week: LetterWeek) -> tuple[_Writer, str, dict[str, str]]:
    """A letter to ``r`` begun with the greeting and the ``role``'s introduction to the week;
    with its language and the week's span (for the subject)."""
    lang = r.language
    span = _span(week, lang)
    w = _Writer()
    w.para(text("letter.greeting", lang, name=r.name))
    w.para(text(f"letter.intro.{role}", lang, **span))
    return w, lang, span


def _closed(
    w: _Writer, role: str, lang: str, span: dict[str, str], button: tuple[str, str], links: Links
) -> Letter:
    """The letter ended with its button (label, address), the ``role``'s subject, the footer
    and the unsubscribe link."""
    w.button(*button)
    return w.letter(
        text(f"letter.subject.{role}", lang, **span),
        lang,
        text("letter.footer", lang),
        links.unsubscribe,
    )


def mentee_letter(
    r: Recipient, m: MenteeWeek, week: LetterWeek, event: EventInfo | None, links: Links
) -> Letter:
    """Her own week: followers, posts against her goal, milestones, next goal and event, a tip."""
    w, lang, span = _opened(r, "mentee", week)
    _mentee_blocks(w, m, week, lang, True, f"chart-{m.key}@wochenbrief")
    w.heading(text("letter.event", lang))
    w.para(_event_line(event, lang))
    _tip(w, m, lang)
    return _closed(
        w,
        "mentee",
        lang,
        span,
        (text("letter.link.progress", lang), links.page("/fortschritt")),
        links,
    )


def mentor_letter(
    r: Recipient,
    mentees: Sequence[tuple[MenteeWeek, EventInfo | None]],
    week: LetterWeek,
    links: Links,
) -> Letter:
    """The week of each tandem partner in her scope, with the goals at risk."""
    w, lang, span = _opened(r, "mentor", week)
    for m, event in mentees:
        w.html.append(
            f'<h1 style="font-size:20px;margin:28px 0 4px;color:#111827">{escape(m.name)}</h1>'
        )
        w.text.append(f"\n== {m.name} ==")
        _mentee_blocks(w, m, week, lang, False, f"chart-{m.key}@wochenbrief")
        w.heading(text("letter.at_risk", lang))
        if m.at_risk:
            w.items(
                [
                    text("letter.at_risk.line", lang, title=g.title, due=fmt_date(g.due, lang))
                    for g in m.at_risk
                ]
            )
        else:
            w.para(text("letter.at_risk.none", lang))
        w.heading(text("letter.event", lang))
        w.para(_event_line(event, lang))
        _tip(w, m, lang, own=False)
    return _closed(
        w, "mentor", lang, span, (text("letter.link.tandem", lang), links.page("/tandem")), links
    )


def coordinator_letter(
    r: Recipient,
    cohorts: Sequence[CohortWeek],
    without_consent: Sequence[ConsentStatus],
    week: LetterWeek,
    links: Links,
) -> Letter:
    """The digest: the cohorts' week in three numbers, accounts that need action, people
    without consent."""
    w, lang, span = _opened(r, "coordinator", week)
    for c in cohorts:
        w.heading(text("letter.digest.numbers", lang))
        w.para(plural("letter.digest.mentees", len(c.mentees), lang, cohort=c.name))
        w.items(
            [
                plural("letter.digest.posts", c.posts, lang, count=fmt_decimal(c.posts, lang, 0)),
                text(
                    "letter.digest.followers", lang, count=fmt_int(c.followers, lang, signed=True)
                ),
                plural(
                    "letter.digest.milestones",
                    c.milestones,
                    lang,
                    count=fmt_int(c.milestones, lang),
                ),
            ]
        )
        _chart(w, f"chart-{c.key}@wochenbrief", c.weekly_posts, week, lang, None)
        w.heading(text("letter.digest.action", lang))
        if c.needs_action:
            w.items(
                [
                    text(
                        "letter.digest.action.line",
                        lang,
                        person=a.person,
                        platform=platform_name(a.platform, lang),
                        handle=a.handle,
                        state=text_or("state", a.state, lang)
                        if a.state != "active"
                        else text_or("outcome", a.last_outcome, lang),
                    )
                    for a in c.needs_action
                ]
            )
        else:
            w.para(text("letter.digest.action.none", lang))
        w.heading(text("letter.event", lang))
        w.para(_event_line(c.next_event, lang))
    w.heading(text("letter.digest.consent", lang))
    if without_consent:
        w.items(
            [
                text(
                    "letter.digest.consent.line",
                    lang,
                    name=s.display_name,
                    role=text_or("role", s.role, lang),
                )
                for s in without_consent
            ]
        )
    else:
        w.para(text("letter.digest.consent.none", lang))
    return _closed(
        w,
        "coordinator",
        lang,
        span,
        (text("letter.link.programme", lang), links.page("/programm")),
        links,
    )


def to_message(
    letter: Letter,
    r: Recipient,
    *,
    sender: str,
    reply_to: str | None,
    message_id: str,
    unsubscribe: str,
    now: datetime,
) -> EmailMessage:
    """The letter as a MIME message: text and HTML alternatives, the chart related to the
    HTML, and the headers a mail client needs for one-click unsubscribe."""
    msg = EmailMessage()
    msg["Subject"] = letter.subject
    msg["From"] = sender
    msg["To"] = formataddr((r.name, r.email))
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = r.language
    msg.set_content(letter.text, charset="utf-8")
    msg.add_alternative(letter.html, subtype="html", charset="utf-8")
    html_part = msg.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    for cid, png in letter.images:
        html_part.add_related(
            png,
            maintype="image",
            subtype="png",
            cid=f"<{cid}>",
            filename=cid.split("@")[0] + ".png",
        )
    return msg


def preview_html(letter: Letter) -> str:
    """The HTML part for a browser: inline images as data URLs instead of ``cid:`` links."""
    import base64

    html = letter.html
    for cid, png in letter.images:
        html = html.replace(f"cid:{cid}", "data:image/png;base64," + base64.b64encode(png).decode())
    return html


__all__ = [
    "Letter",
    "Links",
    "Recipient",
    "coordinator_letter",
    "date",
    "mentee_letter",
    "mentor_letter",
    "preview_html",
    "to_message",
]
