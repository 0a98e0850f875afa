"""Data minimisation: the data model has no place for post texts, captions, message bodies or
follower identities. A new column that could hold them fails here until it is reasoned about."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import JSON, Column, Integer, LargeBinary, MetaData, String, Table, Text
from sqlalchemy.types import ARRAY, PickleType, TypeEngine

from connectors.base import PostStats, ProfileStats
from tracker.store.models import Base

# Names that speak of what a post says.
CONTENT = re.compile(
    r"(^|_)(text|texts|caption|captions|body|bodies|content|contents|message|messages|"
    r"description|bio|title|summary|transcript|alt|hashtags?|mentions?|quote|reply|replies)($|_)"
)
# Names that speak of who follows or reacts. As integer counts (``followers``, ``likes``)
# they are what the tracker is for; as anything else they would be identities.
AUDIENCE = re.compile(
    r"(follower|following|fan|subscriber|friend|liker|commenter|sharer|viewer|audience)"
)
# Types that can hold a list of anything (a follower list, say).
CONTAINERS = (JSON, ARRAY, PickleType, LargeBinary)

# Free-text columns that are not post content, each with why. Anything else of unbounded length
# or with a content-like name fails the test.
ALLOWED: dict[tuple[str, str], str] = {
    ("poll_attempt", "message"): "the error message of a failed poll (connector exceptions "
    "carry no post content); never the text of a post",
    ("checkin_note", "text"): "a mentor's note of a tandem meeting, written in the dashboard by "
    "a programme member; not taken from any platform",
    ("account", "state_reason"): "why an account is not polled (an error message)",
    ("platform_state", "reason"): "why a platform is paused (an error message)",
    ("goal", "title"): "the name of a tandem's goal, set by mentor or mentee",
    ("programme_event", "title"): "the name of a workshop or other programme event",
    ("audit_log", "viewer"): "who viewed data in the dashboard (a login), not a platform "
    "follower; pseudonymised on erasure",
    ("audit_log", "viewer_role"): "the dashboard role of that login",
    ("self_assessment_answer", "text"): "a mentee's answer to the self-assessment's free-text "
    "question, typed in the dashboard (length-limited); not taken from any platform",
    ("letter", "message_id"): "the Message-ID header of a weekly letter (an identifier the "
    "tracker makes up), not the letter's text, which is never stored",
}


def suspicious(metadata: MetaData) -> list[str]:
    """``table.column: why`` for every column that could hold post content or audiences."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.c:
            where = (table.name, column.name)
            if where in ALLOWED:
                continue
            kind: TypeEngine[object] = column.type
            name = column.name.lower()
            if isinstance(kind, CONTAINERS):
                found.append(f"{table.name}.{column.name}: a container type ({kind})")
            elif CONTENT.search(name):
                found.append(f"{table.name}.{column.name}: named like post content")
            elif AUDIENCE.search(name) and not isinstance(kind, Integer):
                found.append(f"{table.name}.{column.name}: an audience, but not a count")
            elif isinstance(kind, Text) or (isinstance(kind, String) and not kind.length):
                found.append(f"{table.name}.{column.name}: free text of any length")
    return found


def test_no_column_holds_post_texts_or_follower_identities() -> None:
    assert suspicious(Base.metadata) == []


def test_every_allowed_column_exists_and_is_still_what_was_reasoned_about() -> None:
    """The allow-list cannot go stale: each entry names a real column of text type."""
    tables = Base.metadata.tables
    for (table, column), why in ALLOWED.items():
        assert table in tables, table
        assert column in tables[table].c, f"{table}.{column}"
        assert isinstance(tables[table].c[column].type, String), f"{table}.{column}"
        assert why


def test_counts_of_audiences_are_integers() -> None:
    snapshot = Base.metadata.tables["profile_snapshot"]
    posts = Base.metadata.tables["post_metric"]
    for column in (snapshot.c.followers, snapshot.c.following, posts.c.likes, posts.c.comments):
        assert isinstance(column.type, Integer)


@pytest.mark.parametrize(
    ("column", "reason"),
    [
        (Column("caption", String(2200)), "named like post content"),
        (Column("post_text", Text), "named like post content"),
        (Column("follower_handles", String(300)), "an audience, but not a count"),
        (Column("likers", JSON), "a container type"),
        (Column("notes", Text), "free text of any length"),
        (Column("message", Text), "named like post content"),  # allowed only in poll_attempt
    ],
)
def test_a_new_suspicious_column_is_caught(column: Column[object], reason: str) -> None:
    metadata = MetaData()
    Table("post_metric", metadata, Column("id", Integer, primary_key=True), column)
    found = suspicious(metadata)
    assert len(found) == 1 and reason in found[0], found


def test_connectors_hand_over_no_text_of_posts() -> None:
    """What a connector returns is all that can reach the store: no field for a post's words."""
    post_fields = {f.name for f in dataclasses.fields(PostStats)}
    assert post_fields == {
        "post_id",
        "published_at",
        "kind",
        "likes",
        "comments",
        "shares",
        "views",
        "url",
    }
    profile_fields = {f.name for f in dataclasses.fields(ProfileStats)}
    assert not {n for n in profile_fields if AUDIENCE.search(n)} - {"followers", "following"}
