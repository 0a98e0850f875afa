"""The unsubscribe link's token: signed, for one purpose and one person.

The token names the person (id and key) and is signed with the dashboard's secret key under a
salt of its own, so it cannot be changed to another person, nor used as a session cookie or
any other token of the app (and theirs not as this one).
"""

from __future__ import annotations

import os

from itsdangerous import BadSignature, URLSafeSerializer

from tracker.config import Config
from tracker.errors import MailError

PURPOSE = "tracker.letter.unsubscribe"
MIN_SECRET = 32


def letter_secret(config: Config, environ: dict[str, str] | None = None) -> str:
    """The key that signs unsubscribe links (the dashboard's secret key); raises MailError
    when its variable is unset or short."""
    env = os.environ if environ is None else environ
    name = config.web.secret_key_env
    value = env.get(name, "")
    if len(value) < MIN_SECRET:
        raise MailError(
            f"set {name} (web.secret_key_env) to the dashboard's secret key, at least "
            f"{MIN_SECRET} characters: it signs the unsubscribe links of the letters"
        )
    return value


def unsubscribe_token(secret: str, person_id: int, person_key: str) -> str:
    return URLSafeSerializer(secret, salt=PURPOSE).dumps({"id": person_id, "key": person_key})


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    """The (person id, key) the token was made for; None for a token that is not ours."""
    try:
        data = URLSafeSerializer(secret, salt=PURPOSE).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    person_id, key = data.get("id"), data.get("key")
    if isinstance(person_id, int) and isinstance(key, str):
        return person_id, key
    return None
