"""What every connector shares: posts clipped to ``since`` and ``limit``, and a profile answer
without any count refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from connectors.base import PostStats, ProfileStats, clip_posts, require_counts
from connectors.errors import BadResponse

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_clip_posts_keeps_order_drops_older_than_since_and_caps_at_limit() -> None:
    posts = [PostStats(str(i), T0 - timedelta(days=i), "text") for i in range(5)]
    assert [p.post_id for p in clip_posts(posts, None, 3)] == ["0", "1", "2"]
    # ``since`` in another zone is the same moment
    since = (T0 - timedelta(days=2)).astimezone(timezone(timedelta(hours=2)))
    assert [p.post_id for p in clip_posts(posts, since, 50)] == ["0", "1", "2"]
    assert [p.post_id for p in clip_posts(posts, since, 1)] == ["0"]


def test_a_profile_without_any_count_is_a_bad_response() -> None:
    empty = ProfileStats("facebook", "erika", "1", "Erika", None, None, None, T0)
    with pytest.raises(BadResponse) as info:
        require_counts(empty)
    assert (info.value.platform, info.value.handle) == ("facebook", "erika")
    one = ProfileStats("mastodon", "erika@social.example", "1", None, None, None, 0, T0)
    assert require_counts(one) is one  # 0 posts is a count
