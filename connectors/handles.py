"""Handles the way people write them (``@name``, profile URLs, ``@user@instance``) -> canonical.

Pure functions, shared by the connectors, the roster import and the web forms.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from connectors.errors import BadHandle

_X = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_FACEBOOK = re.compile(r"^[A-Za-z0-9.\-]{1,100}$")
_INSTAGRAM = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_BLUESKY = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*$")
_DID = re.compile(r"^did:(plc|web):[a-z0-9._:%-]+$")
_MASTODON_USER = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_HOST = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*(:\d+)?$")
_SIMPLE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


def _path_after_host(text: str, hosts: tuple[str, ...]) -> str | None:
    """The first path segment when ``text`` is a URL (with or without scheme) on one of hosts."""
    candidate = text if "://" in text else f"https://{text}"
    parts = urlsplit(candidate)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if host not in hosts:
        return None
    segments = [s for s in parts.path.split("/") if s]
    return segments[0] if segments else ""


def _fail(platform: str, handle: str, why: str) -> BadHandle:
    return BadHandle(
        f"{handle!r} is not a valid {platform} handle: {why}", platform=platform, handle=handle
    )


def normalize_x(handle: str) -> str:
    text = handle.strip()
    path = _path_after_host(text, ("x.com", "twitter.com", "mobile.twitter.com"))
    name = (path if path is not None else text).lstrip("@")
    if not _X.match(name):
        raise _fail("x", handle, "1-15 letters, digits or underscores, as in @name")
    return name.lower()  # X usernames are case-insensitive


def normalize_facebook(handle: str) -> str:
    text = handle.strip()
    candidate = text if "://" in text else f"https://{text}"
    parts = urlsplit(candidate)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if host in ("facebook.com", "fb.com", "web.facebook.com"):
        # profile.php?id=123 and /pages/Name/123 carry the numeric id
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["profile.php"] and query.get("id"):
            text = query["id"]
        elif segments[:1] in (["pages"], ["people"]) and len(segments) >= 3:
            text = segments[-1]
        else:
            text = segments[0] if segments else ""
    name = text.lstrip("@")
    if not _FACEBOOK.match(name):
        raise _fail("facebook", handle, "a page name or numeric page id, or its facebook.com URL")
    return name


def normalize_instagram(handle: str) -> str:
    text = handle.strip()
    path = _path_after_host(text, ("instagram.com", "instagr.am"))
    name = (path if path is not None else text).lstrip("@").lower()
    if not _INSTAGRAM.match(name) or name.startswith(".") or name.endswith("."):
        raise _fail("instagram", handle, "1-30 letters, digits, dots or underscores")
    return name


def normalize_bluesky(handle: str) -> str:
    text = handle.strip()
    candidate = text if "://" in text else f"https://{text}"
    parts = urlsplit(candidate)
    # "bsky.app" alone is the handle of Bluesky's own account, not a profile URL
    if (parts.hostname or "").lower() == "bsky.app" and ("://" in text or "/" in text):
        segments = [s for s in parts.path.split("/") if s]
        text = segments[1] if len(segments) >= 2 and segments[0] == "profile" else ""
    name = text.lstrip("@").lower()
    if _DID.match(name):
        return name
    if "." not in name:
        name = f"{name}.bsky.social"
    if not _BLUESKY.match(name):
        raise _fail("bluesky", handle, "a domain handle such as name.bsky.social, or a did:plc")
    return name


def normalize_mastodon(handle: str) -> str:
    text = handle.strip()
    if "://" in text:
        parts = urlsplit(text)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) >= 2 and segments[0] == "users":  # the ActivityPub actor URL
            segments = [f"@{segments[1]}"]
        if not segments or not segments[0].startswith("@"):
            raise _fail("mastodon", handle, "a profile URL looks like https://instance/@user")
        user, host = segments[0][1:], (parts.netloc or "").lower()
    else:
        pieces = text.lstrip("@").split("@")
        if len(pieces) != 2:
            raise _fail("mastodon", handle, "write it as @user@instance")
        user, host = pieces[0], pieces[1].lower()
    if "@" in user:  # https://instance/@user@other.instance (a remote account seen locally)
        user, host = user.split("@", 1)
    if not _MASTODON_USER.match(user) or not _HOST.match(host):
        raise _fail("mastodon", handle, "write it as @user@instance")
    return f"{user}@{host}"


def normalize_blog(handle: str) -> str:
    text = handle.strip()
    if not text:
        raise _fail("blog", handle, "give the feed or site URL")
    candidate = text if "://" in text else f"https://{text}"
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        raise _fail("blog", handle, "give an http(s) URL of the feed or the site")
    return candidate


def normalize_simple(platform: str, handle: str) -> str:
    name = handle.strip().lstrip("@")
    if not _SIMPLE.match(name):
        raise _fail(platform, handle, "letters, digits, dots, dashes or underscores")
    return name


def normalize_manual(handle: str) -> str:
    """Manual accounts are named freely (``tiktok:@name``, ``linkedin:Name``)."""
    name = handle.strip()
    if not name or len(name) > 300:
        raise _fail("manual", handle, "give a name of 1-300 characters")
    return name


_NORMALIZERS = {
    "x": normalize_x,
    "facebook": normalize_facebook,
    "instagram": normalize_instagram,
    "bluesky": normalize_bluesky,
    "mastodon": normalize_mastodon,
    "blog": normalize_blog,
    "manual": normalize_manual,
}


def normalize_handle(platform: str, handle: str) -> str:
    """The canonical handle for ``platform``; raises BadHandle saying what a valid one is."""
    func = _NORMALIZERS.get(platform)
    if func is None:
        return normalize_simple(platform, handle)
    return func(handle)
