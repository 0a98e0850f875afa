"""Web logins: password hashing (argon2), users and one-time invitations.

Nothing here knows about the web framework: the dashboard calls these inside its own requests,
and the CLI calls them for ``tracker users add`` and ``tracker users invite``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from connectors.base import utcnow
from tracker.errors import NotFoundError, TrackerError
from tracker.store.models import Invite, Person, User

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
WEB_ROLES = ("mentee", "mentor", "coordinator")
INVITE_TTL = timedelta(days=7)

_hasher = PasswordHasher()
# Verified against when the email is unknown, so that a wrong email costs as long as a wrong
# password and response times do not tell which emails have logins.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


class UserError(TrackerError):
    """A login, password or invitation request that cannot be carried out."""

    exit_code = 2


class InviteInvalid(UserError):
    """The invitation link is unknown, expired or already used."""


@dataclass(frozen=True)
class InviteLink:
    """A freshly created invitation: the link to hand over once, and when it stops working."""

    url: str
    expires_at: datetime


def normalize_email(email: str) -> str:
    return email.strip().lower()


# zxcvbn's warnings, said in German; the guess estimate itself is language-neutral.
_WHY = {
    "Repeats like": "Wiederholungen wie „aaa“ oder „abcabc“ sind leicht zu erraten.",
    "Sequences like": "Folgen wie „abc“ oder „6543“ sind leicht zu erraten.",
    "Straight rows of keys": "Tastenreihen wie „qwertz“ sind leicht zu erraten.",
    "Short keyboard patterns": "Tastaturmuster sind leicht zu erraten.",
    "This is a top-10": "Es gehört zu den häufigsten Passwörtern.",
    "This is a top-100": "Es gehört zu den häufigsten Passwörtern.",
    "This is a very common": "Es ist ein sehr häufiges Passwort.",
    "This is similar to a commonly used": "Es ähnelt einem häufigen Passwort.",
    "A word by itself": "Ein einzelnes Wort ist leicht zu erraten.",
    "Names and surnames": "Namen sind leicht zu erraten.",
    "Common names and surnames": "Namen sind leicht zu erraten.",
    "Recent years": "Jahreszahlen sind leicht zu erraten.",
    "Dates are often": "Daten sind leicht zu erraten.",
}
MIN_STRENGTH = 3  # zxcvbn score 0-4; 3: safely unguessable for an online attack
_ADVICE = (
    "Besser: drei oder vier Wörter, die nichts miteinander zu tun haben, mit Bindestrichen "
    "(zum Beispiel „Kaffee-Wolke-Fahrrad-Tisch“)."
)


def password_problem(password: str, related: Sequence[str] = ()) -> str | None:
    """Why the password is refused (German, for the person choosing it), or None when it is
    long enough and hard enough to guess (zxcvbn); ``related`` are words of the account (its
    e-mail address) that make a password easier to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"Das Passwort ist zu kurz: es braucht mindestens {MIN_PASSWORD_LENGTH} Zeichen. "
            + _ADVICE
        )
    words = [w for text in related for w in re.split(r"[^\w]+", text.lower()) if len(w) > 2]
    estimate = zxcvbn(password[:100], user_inputs=words)
    if estimate["score"] >= MIN_STRENGTH:
        return None
    warning = str(estimate["feedback"].get("warning") or "")
    why = next((german for start, german in _WHY.items() if warning.startswith(start)), "")
    return " ".join(
        part for part in ("Das Passwort ist zu leicht zu erraten.", why, _ADVICE) if part
    )


def check_password_rules(password: str, related: Sequence[str] = ()) -> None:
    """Raise UserError (saying why, in German) when the password is too short or too easy to
    guess."""
    problem = password_problem(password, related)
    if problem:
        raise UserError(problem)


def hash_password(password: str, related: Sequence[str] = ()) -> str:
    """An argon2id hash of the password; raises UserError when it is too short or too easy
    to guess."""
    check_password_rules(password, related)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing or damaged hash never matches."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def _person_for(session: Session, person_key: str | None, role: str) -> Person | None:
    if role not in WEB_ROLES:
        raise UserError(f"role must be one of {', '.join(WEB_ROLES)}, not {role!r}")
    if person_key is None:
        if role != "coordinator":
            raise UserError(f"a {role} login needs --person")
        return None
    person = session.scalar(select(Person).where(Person.key == person_key))
    if person is None:
        raise NotFoundError(f"no person with key {person_key!r} (see `tracker status`)")
    if person.role != role:
        raise UserError(f"{person_key!r} is a {person.role} in the roster, not a {role}")
    return person


def add_user(
    session: Session, email: str, person_key: str | None, role: str, password: str
) -> User:
    """Create a login (or reset the password of an existing one with the same email).

    Raises UserError for a short password or a role that does not match the person, and
    NotFoundError for an unknown person."""
    password_hash = hash_password(password, [email])
    person = _person_for(session, person_key, role)
    email = normalize_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, role=role, created_at=utcnow(), active=True)
        session.add(user)
    user.person_id = person.id if person else None
    user.role = role
    user.password_hash = password_hash
    user.session_token = new_session_token()
    user.active = True
    session.flush()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invite(
    session: Session,
    email: str,
    person_key: str | None,
    role: str,
    base_url: str,
    ttl: timedelta = INVITE_TTL,
    now: datetime | None = None,
) -> InviteLink:
    """A one-time link that lets the invited person set her own password; only the token's
    hash is stored. Raises UserError or NotFoundError like ``add_user``."""
    person = _person_for(session, person_key, role)
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    invite = Invite(
        token_hash=_token_hash(token),
        email=normalize_email(email),
        person_id=person.id if person else None,
        role=role,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    session.flush()
    return InviteLink(url=f"{base_url.rstrip('/')}/invite/{token}", expires_at=invite.expires_at)


def find_invite(session: Session, token: str, now: datetime | None = None) -> Invite:
    """The open invitation for ``token``; raises InviteInvalid when unknown, used or expired."""
    now = now or utcnow()
    invite = session.scalar(select(Invite).where(Invite.token_hash == _token_hash(token)))
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise InviteInvalid("this invitation link is not valid any more")
    return invite


def accept_invite(session: Session, token: str, password: str, now: datetime | None = None) -> User:
    """Set the password through an invitation and use the invitation up.

    Raises InviteInvalid (unknown, used, expired) or UserError (password too short)."""
    now = now or utcnow()
    invite = find_invite(session, token, now)
    check_password_rules(password, [invite.email])
    user = session.scalar(select(User).where(User.email == invite.email))
    if user is None:
        user = User(email=invite.email, role=invite.role, created_at=now, active=True)
        session.add(user)
    user.person_id = invite.person_id
    user.role = invite.role
    user.password_hash = _hasher.hash(password)
    user.session_token = new_session_token()
    user.active = True
    invite.used_at = now
    session.flush()
    return user


def authenticate(
    session: Session, email: str, password: str, address: str, now: datetime | None = None
) -> User | None:
    """The active user for these credentials, or None. The caller throttles failures (the
    dashboard with Flask-Limiter, per account and address).

    A successful login rotates the user's session token: every session of hers from before
    ends on the server side."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        logger.info("failed login from %s", address)
        return None
    user.session_token = new_session_token()
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = _hasher.hash(password)
    return user


def end_session(session: Session, user_id: int) -> None:
    """Rotate the user's session token so every cookie issued before stops working."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_token = new_session_token()
