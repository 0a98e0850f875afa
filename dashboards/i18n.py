"""German first, English available: the dashboard's texts and locale-aware numbers and dates.

The language comes from the ``lang`` cookie (set by the switch in the header), else from the
config. Numbers and dates go through Babel so that 1.234,5 reads right in German.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime, get_timezone
from babel.numbers import format_decimal, format_percent
from flask import has_request_context, request

from dashboards.request_context import app_state
from tracker.explain import platform_name

LANGUAGES = ("de", "en")
COOKIE = "lang"
LOCALES = {"de": "de_DE", "en": "en_GB"}
TIMEZONE = "Europe/Berlin"

TEXTS: dict[str, tuple[str, str]] = {
    # key: (German, English)
    "app.title": ("Reverse Mentoring: Fortschritt", "Reverse mentoring: progress"),
    "nav.progress": ("Mein Fortschritt", "My progress"),
    "nav.tandem": ("Tandem", "Tandem"),
    "nav.programme": ("Programm", "Programme"),
    "nav.status": ("Datenstatus", "Data status"),
    "nav.admin": ("Verwaltung", "Administration"),
    "nav.audit": ("Protokoll", "Audit log"),
    "nav.myviews": ("Wer hat meine Daten angesehen?", "Who viewed my data?"),
    "nav.logout": ("Abmelden", "Log out"),
    "nav.language": ("English", "Deutsch"),
    "login.title": ("Anmelden", "Log in"),
    "login.email": ("E-Mail-Adresse", "Email address"),
    "login.password": ("Passwort", "Password"),
    "login.submit": ("Anmelden", "Log in"),
    "login.failed": ("E-Mail-Adresse oder Passwort stimmen nicht.", "Wrong email or password."),
    "login.throttled": (
        "Zu viele Fehlversuche. Bitte warten Sie 15 Minuten.",
        "Too many failed attempts. Please wait 15 minutes.",
    ),
    "login.csrf": (
        "Das Formular war veraltet. Bitte noch einmal versuchen.",
        "The form had expired. Please try again.",
    ),
    "login.out": ("Sie sind abgemeldet.", "You are logged out."),
    "invite.title": ("Passwort festlegen", "Set your password"),
    "invite.intro": (
        "Willkommen! Legen Sie ein Passwort mit mindestens 12 Zeichen fest.",
        "Welcome! Choose a password of at least 12 characters.",
    ),
    "invite.repeat": ("Passwort wiederholen", "Repeat password"),
    "invite.submit": ("Passwort speichern", "Save password"),
    "invite.invalid": (
        "Dieser Einladungslink ist abgelaufen oder wurde schon benutzt. Bitten Sie die "
        "Koordination um einen neuen.",
        "This invitation link has expired or was already used. Ask the coordinators for a new one.",
    ),
    "invite.short": (
        "Das Passwort braucht mindestens 12 Zeichen.",
        "The password needs at least 12 characters.",
    ),
    "invite.mismatch": (
        "Die beiden Passwörter sind nicht gleich.",
        "The two passwords differ.",
    ),
    "denied": (
        "Diese Seite ist für Ihr Konto nicht freigegeben.",
        "This page is not available to your account.",
    ),
    "progress.title": ("Mein Fortschritt", "My progress"),
    "progress.title_of": ("Fortschritt von {name}", "Progress of {name}"),
    "progress.range": ("Zeitraum", "Period"),
    "range.all": ("Ganzes Programm", "Whole programme"),
    "range.90": ("Letzte 3 Monate", "Last 3 months"),
    "range.28": ("Letzte 4 Wochen", "Last 4 weeks"),
    "range.workshop": ("Seit dem letzten Workshop", "Since the last workshop"),
    "chart.followers": ("Follower pro Plattform", "Followers per platform"),
    "chart.posts": ("Beiträge pro Woche", "Posts per week"),
    "chart.engagement": ("Interaktionsrate (Median pro Woche)", "Engagement rate (weekly median)"),
    "chart.week": ("Woche", "Week"),
    "chart.date": ("Datum", "Date"),
    "chart.no_data": ("Noch keine Daten in diesem Zeitraum.", "No data in this period yet."),
    "gap.note": (
        "Lücke: {platform} hat vom {start} bis {end} keine Daten (kein Abruf möglich). "
        "Die Linie ist dort unterbrochen; das heißt nicht, dass es 0 Follower waren.",
        "Gap: {platform} has no data from {start} to {end} (could not be read). "
        "The line is broken there; it does not mean there were 0 followers.",
    ),
    "explain.more": ("Was bedeutet das?", "What does this mean?"),
    "explain.followers": (
        "Follower sind Menschen, die Ihr Konto abonniert haben und Ihre Beiträge sehen. "
        "Die senkrechten Linien markieren die Termine des Programms.",
        "Followers are people who subscribed to your account and see your posts. "
        "The vertical lines mark the programme's dates.",
    ),
    "explain.posts": (
        "Wie viele Beiträge Sie in jeder Woche veröffentlicht haben. Regelmäßigkeit zählt "
        "mehr als Menge.",
        "How many posts you published each week. Regularity counts more than volume.",
    ),
    "explain.engagement": (
        "Wie viele Reaktionen (Likes, Kommentare, Teilen) ein Beitrag im Verhältnis zu Ihren "
        "Followern bekommt, in Prozent. Wir zeigen den mittleren Beitrag (Median) der Woche.",
        "How many reactions (likes, comments, shares) a post gets relative to your followers, "
        "in percent. We show the middle post (median) of each week.",
    ),
    "since.title": ("Seit dem letzten Workshop", "Since the last workshop"),
    "since.none": ("Noch kein Workshop vorbei.", "No workshop has taken place yet."),
    "since.event": ("{title} am {date}", "{title} on {date}"),
    "since.followers": ("{platform}: {delta} Follower", "{platform}: {delta} followers"),
    "since.posts": ("{count} Beiträge veröffentlicht", "{count} posts published"),
    "since.unknown": ("{platform}: noch nicht genug Daten", "{platform}: not enough data yet"),
    "kickoff.title": ("Seit dem Auftakt", "Since the kickoff"),
    "kickoff.period": (
        "Auftakt am {kickoff}, Stand {reference}",
        "Kickoff on {kickoff}, as of {reference}",
    ),
    "kickoff.then": ("beim Auftakt", "at the kickoff"),
    "kickoff.now": ("jetzt", "now"),
    "kickoff.followers": ("Follower", "Followers"),
    "kickoff.no_count": ("keine Follower-Zahl", "no follower count"),
    "kickoff.posts": ("Beiträge pro Woche", "Posts per week"),
    "kickoff.posts_before": ("vor dem Programm", "before the programme"),
    "kickoff.posts_now": ("letzte 4 Wochen", "last 4 weeks"),
    "kickoff.next_goal": ("Nächstes Ziel", "Next goal"),
    "kickoff.no_goal": ("Kein offenes Ziel.", "No open goal."),
    "kickoff.latest": ("Neuester Meilenstein", "Latest milestone"),
    "kickoff.none": ("Noch keine Daten seit dem Auftakt.", "No data since the kickoff yet."),
    "events.title": ("Termine im Diagramm", "Events in the chart"),
    "milestones.title": ("Erreichte Meilensteine", "Milestones reached"),
    "milestones.none": (
        "Noch keine Meilensteine – das kommt!",
        "No milestones yet – they will come!",
    ),
    "milestones.first_post": (
        "Erster Beitrag auf {platform} am {date}",
        "First post on {platform} on {date}",
    ),
    "milestones.followers": (
        "{count} Follower auf {platform} am {date}",
        "{count} followers on {platform} on {date}",
    ),
    "goals.title": ("Ziele", "Goals"),
    "goals.none": ("Noch keine Ziele vereinbart.", "No goals agreed yet."),
    "goals.done": ("erreicht", "reached"),
    "goals.open": ("offen", "open"),
    "goals.due": ("bis {date}", "by {date}"),
    "goals.new": ("Neues Ziel", "New goal"),
    "goals.save": ("Ziel speichern", "Save goal"),
    "goals.mark_done": ("Als erreicht markieren", "Mark as reached"),
    "goals.saved": ("Gespeichert.", "Saved."),
    "goals.empty_title": ("Bitte einen Titel eingeben.", "Please enter a title."),
    "notes.title": ("Notizen aus den Treffen", "Check-in notes"),
    "notes.new": ("Neue Notiz", "New note"),
    "notes.none": ("Noch keine Notizen.", "No notes yet."),
    "notes.add": ("Notiz speichern", "Save note"),
    "notes.placeholder": ("Was haben Sie besprochen?", "What did you talk about?"),
    "tandem.title": ("Tandem", "Tandem"),
    "tandem.choose": ("Mentee", "Mentee"),
    "tandem.none": ("Ihnen ist noch kein Tandem zugeordnet.", "You have no tandem yet."),
    "programme.title": ("Programm", "Programme"),
    "programme.sort": ("Sortieren nach", "Sort by"),
    "programme.table": ("Kohorte", "Cohort"),
    "programme.multiples": ("Follower je Mentee", "Followers per mentee"),
    "programme.effects": ("Wirkung der Termine", "Effect of the programme dates"),
    "programme.effects_note": (
        "Beiträge pro Woche in den 28 Tagen vor und nach jedem Termin (alle Mentees).",
        "Posts per week in the 28 days before and after each date (all mentees).",
    ),
    "programme.report": ("Wirkungsbericht herunterladen", "Download impact report"),
    "programme.csv": ("Kohorte als CSV", "Cohort as CSV"),
    "col.name": ("Name", "Name"),
    "col.platforms": ("Plattformen", "Platforms"),
    "col.followers": ("Follower", "Followers"),
    "col.growth": ("Wachstum", "Growth"),
    "col.posts_week": ("Beiträge/Woche", "Posts/week"),
    "col.goals": ("Ziele erreicht", "Goals reached"),
    "col.health": ("Datenlage", "Data health"),
    "col.csv": ("CSV", "CSV"),
    "col.before": ("vorher", "before"),
    "col.after": ("nachher", "after"),
    "col.event": ("Termin", "Date"),
    "health.ok": ("gut", "good"),
    "health.attention": ("prüfen", "check"),
    "status.title": ("Datenstatus", "Data status"),
    "status.heartbeat": ("Letztes Lebenszeichen des Abrufs", "Last heartbeat of the poller"),
    "status.last_success": ("Letzter erfolgreicher Abruf", "Last successful poll"),
    "status.never": ("nie", "never"),
    "status.platforms": ("Abrufe pro Plattform", "Polls per platform"),
    "status.actions": ("Konten, die Aufmerksamkeit brauchen", "Accounts needing action"),
    "status.no_actions": ("Alles in Ordnung.", "All is well."),
    "status.paused": ("Pausierte Plattformen", "Paused platforms"),
    "status.no_paused": ("Keine Plattform ist pausiert.", "No platform is paused."),
    "status.accounts": ("Alle Konten", "All accounts"),
    "status.accounts_help": (
        "Zum Sortieren auf eine Spaltenüberschrift klicken; in der Zeile darunter filtern. "
        "Fehlschläge und Versuche zählen die letzten 7 Tage.",
        "Click a column heading to sort; filter in the row below it. "
        "Failures and attempts count the last 7 days.",
    ),
    "status.filter": ("filtern …", "filter …"),
    "status.baseline_na": ("entfällt", "not needed"),
    "col.scope": ("Plattform oder Instanz", "Platform or instance"),
    "col.paused_until": ("Pausiert bis", "Paused until"),
    "col.reason": ("Grund", "Reason"),
    "col.failures_in_row": ("Fehlschläge in Folge", "Failures in a row"),
    "col.consent": ("Einwilligung", "Consent"),
    "col.last_success": ("Letzter erfolgreicher Abruf", "Last successful poll"),
    "col.last_attempt": ("Letzter Versuch", "Last attempt"),
    "col.outcome": ("Ergebnis", "Outcome"),
    "col.failures_7d": ("Fehlschläge (7 Tage)", "Failures (7 days)"),
    "col.attempts_7d": ("Versuche (7 Tage)", "Attempts (7 days)"),
    "col.last_data": ("Letzte Daten", "Latest data"),
    "col.baseline": ("Stand vor dem Auftakt", "Baseline before kickoff"),
    "yes": ("ja", "yes"),
    "no": ("nein", "no"),
    "state.active": ("aktiv", "active"),
    "state.not_found": ("nicht gefunden", "not found"),
    "state.unavailable": ("nicht öffentlich", "not public"),
    "state.auth_failed": ("Zugang abgelaufen", "credentials expired"),
    "state.paused": ("pausiert", "paused"),
    "outcome.ok": ("erfolgreich", "succeeded"),
    "outcome.error": ("Fehler", "error"),
    "outcome.rate_limited": ("Abruflimit erreicht", "rate limited"),
    "outcome.not_found": ("nicht gefunden", "not found"),
    "outcome.unavailable": ("nicht öffentlich", "not public"),
    "outcome.auth_failed": ("Zugang abgelaufen", "credentials expired"),
    "col.platform": ("Plattform", "Platform"),
    "col.handle": ("Konto", "Account"),
    "col.state": ("Zustand", "State"),
    "col.last_poll": ("Letzter Abruf", "Last poll"),
    "col.action": ("Was tun?", "What to do"),
    "col.accounts": ("Konten", "Accounts"),
    "col.ok": ("in Ordnung", "fine"),
    "col.problems": ("mit Problem", "with a problem"),
    "admin.title": ("Verwaltung", "Administration"),
    "admin.people": ("Personen", "People"),
    "admin.person_key": ("Kürzel", "Key"),
    "admin.person_name": ("Name", "Name"),
    "admin.role": ("Rolle", "Role"),
    "admin.cohort": ("Kohorte", "Cohort"),
    "admin.email": ("E-Mail", "E-mail"),
    "admin.save_person": ("Person speichern", "Save person"),
    "admin.accounts": ("Konten", "Accounts"),
    "admin.handle": ("Konto (Handle oder Adresse)", "Account (handle or address)"),
    "admin.add_account": ("Konto hinzufügen", "Add account"),
    "admin.consent": ("Einwilligung", "Consent"),
    "admin.consent_given": ("Einwilligung erteilt am", "Consent given on"),
    "admin.consent_withdrawn": ("widerrufen am", "withdrawn on"),
    "admin.save_consent": ("Einwilligung speichern", "Save consent"),
    "admin.consent_platforms": ("Plattformen", "Platforms"),
    "admin.consent_platforms_help": (
        "Keine angekreuzt: die Einwilligung gilt für alle Plattformen.",
        "None ticked: the consent covers every platform.",
    ),
    "admin.consent_all": ("alle Plattformen", "all platforms"),
    "admin.tandems": ("Tandems", "Tandems"),
    "admin.mentee": ("Mentee", "Mentee"),
    "admin.mentor": ("Mentorin", "Mentor"),
    "admin.add_tandem": ("Tandem anlegen", "Create tandem"),
    "admin.manual": ("Zahlen von Hand eintragen", "Enter counts by hand"),
    "admin.manual_followers": ("Follower", "Followers"),
    "admin.manual_posts": ("Beiträge", "Posts"),
    "admin.manual_date": ("Stand vom", "As of"),
    "admin.save_manual": ("Zahlen speichern", "Save counts"),
    "admin.done": ("Gespeichert: {what}", "Saved: {what}"),
    "admin.error": ("Nicht gespeichert: {why}", "Not saved: {why}"),
    "admin.missing": ("Bitte alle Felder ausfüllen.", "Please fill in every field."),
    "audit.title": ("Protokoll der Zugriffe", "Audit log"),
    "audit.mine": ("Wer hat meine Daten angesehen?", "Who viewed my data?"),
    "col.when": ("Wann", "When"),
    "col.viewer": ("Wer", "Who"),
    "col.role": ("Rolle", "Role"),
    "col.person": ("Person", "Person"),
    "col.surface": ("Wo", "Where"),
    "export.mine": ("Meine Daten herunterladen (ZIP)", "Download my data (ZIP)"),
    "export.csv": ("Verlauf als CSV", "History as CSV"),
    "role.mentee": ("Mentee", "Mentee"),
    "role.mentor": ("Mentorin", "Mentor"),
    "role.coordinator": ("Koordination", "Coordinator"),
}


def current_language() -> str:
    """The language of the current request: the switch's cookie, else the configured default."""
    if has_request_context():
        chosen = request.cookies.get(COOKIE)
        if chosen in LANGUAGES:
            return chosen
        try:
            return app_state().config.tracker.language
        except (KeyError, RuntimeError):
            return "de"
    return "de"


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``lang`` (default: the request's), with ``values`` filled in."""
    lang = lang or current_language()
    de, en = TEXTS[key]
    text = en if lang == "en" else de
    return text.format(**values) if values else text


def fmt_int(value: float | None, lang: str | None = None, signed: bool = False) -> str:
    """A count in the locale's format; unknown is a dash, never 0."""
    if value is None:
        return "–"
    text = format_decimal(round(value), locale=LOCALES[lang or current_language()])
    return f"+{text}" if signed and value > 0 else text


def fmt_decimal(value: float | None, lang: str | None = None, digits: int = 1) -> str:
    if value is None:
        return "–"
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=LOCALES[lang or current_language()])


def fmt_percent(value: float | None, lang: str | None = None, signed: bool = False) -> str:
    """``value`` is a fraction (0.05 -> 5 %)."""
    if value is None:
        return "–"
    text = format_percent(value, format="#,##0.0 %", locale=LOCALES[lang or current_language()])
    return f"+{text}" if signed and value > 0 else text


def fmt_date(value: date | datetime | None, lang: str | None = None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="medium", locale=LOCALES[lang or current_language()])


def fmt_datetime(value: datetime | None, lang: str | None = None) -> str:
    if value is None:
        return "–"
    return format_datetime(
        value,
        format="short",
        tzinfo=get_timezone(TIMEZONE),
        locale=LOCALES[lang or current_language()],
    )


def platform_label(platform: str) -> str:
    """The platform's display name (one table for dashboards and reports: tracker.explain)."""
    return platform_name(platform)


def label_of(prefix: str, value: str | None, lang: str | None = None) -> str:
    """The text for ``prefix.value`` (an account state, a poll outcome); the value itself when
    there is none, a dash for None."""
    if value is None:
        return "–"
    key = f"{prefix}.{value}"
    return t(key, lang) if key in TEXTS else value
