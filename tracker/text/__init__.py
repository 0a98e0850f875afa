"""Every user-facing text, one catalogue per language (German first), and one place that
formats numbers, dates and plurals (``tracker.text.formatting``).

A text is looked up by key: ``text("nav.progress", "de")``. A key with plural forms has one
entry per CLDR plural category (``since.posts.one``, ``since.posts.other``), chosen by
``plural``. Values are plain text: callers escape them like any other text they show.
"""

from __future__ import annotations

import functools

from babel import Locale

from tracker.text import de, en

LANGUAGES: tuple[str, ...] = ("de", "en")
DEFAULT_LANGUAGE = "de"
CATALOGUES: dict[str, dict[str, str]] = {"de": de.TEXTS, "en": en.TEXTS}
LOCALES = {"de": "de_DE", "en": "en_GB"}


def language(lang: str | None) -> str:
    """``lang`` when it is one of ours, else the default (German)."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@functools.lru_cache(maxsize=8)
def babel_locale(lang: str) -> Locale:
    """The Babel locale of one of our languages (parsed once: Babel parses it on every call)."""
    return Locale.parse(LOCALES[language(lang)])


def has_text(key: str) -> bool:
    return key in CATALOGUES[DEFAULT_LANGUAGE]


def text(key: str, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``lang`` with ``values`` filled in; raises KeyError for an
    unknown key."""
    template = CATALOGUES[language(lang)][key]
    return template.format(**values) if values else template


def text_or(prefix: str, value: str | None, lang: str | None = None) -> str:
    """The text for ``prefix.value`` (a role, an account state, a poll outcome); the value
    itself when the catalogue has none, a dash for None."""
    if value is None:
        return "–"
    key = f"{prefix}.{value}"
    return text(key, lang) if has_text(key) else value


def plural(key: str, number: float | None, lang: str | None = None, **values: object) -> str:
    """The form of ``key`` for ``number`` ("1 Beitrag", "2 Beiträge"); ``number`` is filled
    in as ``{count}`` unless ``values`` give it already formatted. Unknown (None) takes the
    general form."""
    lang = language(lang)
    form = "other" if number is None else babel_locale(lang).plural_form(abs(number))
    chosen = f"{key}.{form}" if has_text(f"{key}.{form}") else f"{key}.other"
    values.setdefault("count", number)
    return text(chosen, lang, **values)


class Section:
    """The texts under one prefix, looked up as ``section["title"]`` or ``section.title``
    (for templates)."""

    def __init__(self, prefix: str, lang: str | None) -> None:
        self._prefix = prefix
        self._lang = language(lang)

    def __getitem__(self, key: str) -> str:
        return text(f"{self._prefix}.{key}", self._lang)

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc


__all__ = [
    "CATALOGUES",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALES",
    "Section",
    "babel_locale",
    "has_text",
    "language",
    "plural",
    "text",
    "text_or",
]
