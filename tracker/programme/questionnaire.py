"""The self-assessment questionnaire as ``config.toml`` declares it (``[self_assessment]``), with
a German and English default of eight items on a 1–5 scale and one free-text line.

Validated when the config loads: an unknown scale, round or measured figure, a duplicate item id
or an item without its German or English text is an error naming the key.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Scale name -> (lowest, highest) answer.
SCALES: dict[str, tuple[int, int]] = {"1-4": (1, 4), "1-5": (1, 5), "1-6": (1, 6), "1-7": (1, 7)}
# The rounds, in the order they come: three open at the cohort's events, the follow-up a
# configurable number of days after the closing.
ROUND_KEYS = ("kickoff", "midpoint", "closing", "followup")
# Measured figures an item can be shown beside (computed in tracker.cohort.self_assessment_change).
MEASURES = ("consistency", "posts_per_week", "platforms")
FREE_TEXT_ID = "wish"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    """One statement rated on the scale ("Ich plane meine Beiträge")."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    de: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)
    # A measured figure shown beside the answers, if one matches.
    measure: str | None = None

    @field_validator("measure")
    @classmethod
    def _known_measure(cls, value: str | None) -> str | None:
        if value is not None and value not in MEASURES:
            raise ValueError(f"unknown measure {value!r}; known: {', '.join(MEASURES)}")
        return value

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.de


class FreeText(_Strict):
    """The one free-text question; its answer is seen by the mentee, her mentor and the
    coordinator only, and never in the funders' report."""

    de: str = Field("Was möchte ich als Nächstes lernen?", min_length=1, max_length=200)
    en: str = Field("What do I want to learn next?", min_length=1, max_length=200)
    max_length: int = Field(500, ge=1, le=2000)

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.de


DEFAULT_ITEMS: tuple[Item, ...] = (
    Item(
        id="photo_post",
        de="Ich weiß, wie ich einen Beitrag mit Foto veröffentliche",
        en="I know how to publish a post with a photo",
        measure="posts_per_week",
    ),
    Item(
        id="plan",
        de="Ich plane meine Beiträge",
        en="I plan my posts",
        measure="consistency",
    ),
    Item(
        id="critical_comments",
        de="Ich kann auf kritische Kommentare souverän reagieren",
        en="I can respond calmly to critical comments",
    ),
    Item(
        id="privacy",
        de="Ich weiß, was ich aus Datenschutzsicht veröffentlichen darf",
        en="I know what I may publish under data protection law",
    ),
    Item(
        id="platforms",
        de="Ich kenne die Unterschiede zwischen den Plattformen",
        en="I know how the platforms differ",
        measure="platforms",
    ),
    Item(
        id="audience",
        de="Ich weiß, was die Menschen in meinem Ort online interessiert",
        en="I know what people in my area are interested in online",
    ),
    Item(
        id="routine",
        de="Ich poste regelmäßig, ohne dass es mich viel Zeit kostet",
        en="I post regularly without it taking much of my time",
        measure="consistency",
    ),
    Item(
        id="statistics",
        de="Ich kann die Statistiken meiner Konten lesen",
        en="I can read the statistics of my accounts",
    ),
)


class Questionnaire(_Strict):
    """``[self_assessment]`` in config.toml."""

    enabled: bool = True
    scale: str = "1-5"
    rounds: tuple[str, ...] = ROUND_KEYS
    # A round opens on the day of its event and stays open this many days (that day included).
    open_days: int = Field(28, ge=1, le=365)
    # The follow-up round opens this many days after the closing.
    followup_days: int = Field(90, ge=1, le=730)
    # The mentor rates the same items for her mentee, shown beside the mentee's answers.
    mentor_rating: bool = True
    items: tuple[Item, ...] = DEFAULT_ITEMS
    free_text: FreeText = FreeText()

    @field_validator("scale")
    @classmethod
    def _known_scale(cls, value: str) -> str:
        if value not in SCALES:
            raise ValueError(f"unknown scale {value!r}; known: {', '.join(SCALES)}")
        return value

    @field_validator("rounds")
    @classmethod
    def _known_rounds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for position, key in enumerate(value, start=1):
            if key not in ROUND_KEYS:
                raise ValueError(
                    f"rounds[{position}]: unknown round {key!r}; known: {', '.join(ROUND_KEYS)}"
                )
        if len(set(value)) != len(value):
            raise ValueError("a round is listed twice")
        return tuple(k for k in ROUND_KEYS if k in value)

    @model_validator(mode="after")
    def _unique_items(self) -> Questionnaire:
        if self.enabled and not self.items:
            raise ValueError("items: the questionnaire needs at least one item")
        seen: dict[str, int] = {}
        for position, item in enumerate(self.items, start=1):
            if item.id == FREE_TEXT_ID:
                raise ValueError(
                    f"items[{position}].id: {FREE_TEXT_ID!r} is kept for the free-text answer"
                )
            if item.id in seen:
                raise ValueError(
                    f"items[{position}].id: duplicate item id {item.id!r} "
                    f"(also items[{seen[item.id]}])"
                )
            seen[item.id] = position
        return self

    @property
    def low(self) -> int:
        return SCALES[self.scale][0]

    @property
    def high(self) -> int:
        return SCALES[self.scale][1]

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)
