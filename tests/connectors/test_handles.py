"""Handles the way people write them become one canonical handle per platform."""

from __future__ import annotations

import pytest

from connectors.errors import BadHandle
from connectors.handles import normalize_handle


@pytest.mark.parametrize(
    ("platform", "written", "canonical"),
    [
        ("x", "@Erika_Beispiel", "erika_beispiel"),
        ("x", "https://x.com/Erika_Beispiel", "erika_beispiel"),
        ("x", "https://twitter.com/erika_beispiel/status/1800000000000000003", "erika_beispiel"),
        ("x", "mobile.twitter.com/erika_beispiel", "erika_beispiel"),
        ("facebook", "https://www.facebook.com/StadtratBeispiel/", "StadtratBeispiel"),
        ("facebook", "https://www.facebook.com/profile.php?id=100012345678", "100012345678"),
        ("facebook", "https://m.facebook.com/pages/Ortsverein/123456789", "123456789"),
        (
            "facebook",
            "https://www.facebook.com/people/Erika-Beispiel/100012345678/",
            "100012345678",
        ),
        ("facebook", "@StadtratBeispiel", "StadtratBeispiel"),
        ("instagram", "@Erika.Beispiel", "erika.beispiel"),
        ("instagram", "https://www.instagram.com/erika.beispiel/?hl=de", "erika.beispiel"),
        ("instagram", "instagr.am/erika.beispiel", "erika.beispiel"),
        ("bluesky", "@Erika-Beispiel.bsky.social", "erika-beispiel.bsky.social"),
        ("bluesky", "erika-beispiel", "erika-beispiel.bsky.social"),
        ("bluesky", "https://bsky.app/profile/erika.example", "erika.example"),
        ("bluesky", "bsky.app", "bsky.app"),
        ("bluesky", "bsky.app/profile/erika.example", "erika.example"),
        ("bluesky", "did:plc:z72i7hdynmk6r22z27h6tvur", "did:plc:z72i7hdynmk6r22z27h6tvur"),
        ("mastodon", "@erika@social.example", "erika@social.example"),
        ("mastodon", "erika@Social.Example", "erika@social.example"),
        ("mastodon", "https://social.example/@erika", "erika@social.example"),
        ("mastodon", "https://social.example/users/erika", "erika@social.example"),
        ("mastodon", "https://social.example/@erika@other.example", "erika@other.example"),
        ("blog", "erika-beispiel.example", "https://erika-beispiel.example"),
        ("blog", "https://erika-beispiel.example/feed/", "https://erika-beispiel.example/feed/"),
        ("manual", "tiktok", "tiktok"),
    ],
)
def test_usual_spellings(platform, written, canonical):
    assert normalize_handle(platform, written) == canonical


@pytest.mark.parametrize(
    ("platform", "written", "hint"),
    [
        ("x", "@this_name_is_far_too_long", "1-15"),
        ("x", "erika beispiel", "1-15"),
        ("instagram", ".erika", "1-30"),
        ("mastodon", "erika", "@user@instance"),
        ("mastodon", "https://social.example/about", "https://instance/@user"),
        ("bluesky", "not a handle!", "bsky.social"),
        ("blog", "ftp://erika.example/feed", "http(s)"),
        ("manual", "   ", "1-300"),
    ],
)
def test_bad_handles_say_what_a_good_one_looks_like(platform, written, hint):
    with pytest.raises(BadHandle, match=hint.replace("(", r"\(").replace(")", r"\)")) as info:
        normalize_handle(platform, written)
    assert info.value.platform == platform
