"""The signed unsubscribe link: it names one person and one kind, works without signing in, and cannot be made up
without the SECRET_KEY."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "mail-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple | None:
    """(user id, kind) from a token this app signed, else None."""
    try:
        value = _serializer().loads(token)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int)
            or isinstance(value[0], bool) or not isinstance(value[1], str)):
        return None
    return value[0], value[1]


def unsubscribe_url(user_id: int, kind: str) -> str:
    path = current_app.url_map.bind("").build("mail.unsubscribe", {"token": unsubscribe_token(user_id, kind)})
    return current_app.config["BASE_URL"] + path
