"""Secrets never shown: every URL or sentence that may carry a password or a token goes through
here before it is printed, logged, stored as an error or drawn on a screen.

- A database URL keeps its user, host, port and database (the reader knows which one) and
  loses its password: ``postgresql://alice:***@db.example.org/oncall`` (SQLAlchemy renders it).
- A channel URL (Apprise: ``slack://…``, ``ntfys://user:pass@…``, ``mailtos://…``, webhooks) keeps
  its scheme and, for a real host, the host; every credential part becomes ``***``: the password
  of the userinfo, the host and path of services that carry tokens there, path segments that
  look like tokens, and the values of query keys that are tokens, keys, secrets or passwords.
- Free text (an error sentence, a log line) has every URL in it redacted, and its bearer or basic
  credentials (``Authorization: Bearer …``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

MASK = "***"

# Apprise services whose host and path are tokens or keys, not a server's address.
TOKEN_SCHEMES = frozenset(
    {
        "slack",
        "discord",
        "tgram",
        "msteams",
        "pover",
        "pbul",
        "pushbullet",
        "opsgenie",
        "pagerduty",
        "pagertree",
        "join",
        "ifttt",
        "zulip",
        "flock",
        "line",
        "pushme",
        "pushy",
        "spush",
        "guilded",
        "ryver",
        "twist",
        "webex",
        "wxteams",
        "dingtalk",
        "feishu",
        "lark",
        "wecombot",
        "twilio",
        "clicksend",
        "sns",
        "ses",
        "onesignal",
        "gchat",
        "workflows",
        "splunk",
        "victorops",
        "signl4",
    }
)
# Services whose path (a topic, an application token) is the secret, on a named server.
PATH_SECRET_SCHEMES = frozenset(
    {"ntfy", "ntfys", "gotify", "gotifys", "apprise", "apprises", "bark", "barks"}
)
DATABASE_SCHEMES = ("postgresql", "postgres", "mysql", "mariadb", "sqlite", "oracle", "mssql")

_SECRET_KEY = re.compile(
    r"(token|key|secret|pass|pwd|auth|sig|credential|session|code|access|user)", re.I
)
# A path segment that looks like a token: long, or a mix of letters and digits.
_TOKENISH = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[\w\-.~=+]{8,}$|^[\w\-.~=+]{20,}$")
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>()\[\]{}]+")
_CREDENTIAL = re.compile(r"\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9\-._~+/=]{4,}", re.I)
_ASSIGNED = re.compile(
    r"\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)(\s*[=:]\s*)[^\s&,;'\"]+",
    re.I,
)


def redact_db_url(url: str) -> str:
    """A database URL with its password (and any password in its query) as ***."""
    try:
        from sqlalchemy.engine import make_url  # only here: the CLI starts without it

        parsed = make_url(url)
    except Exception:  # not a URL SQLAlchemy reads: redacted as any URL
        return _redact_generic(url)
    query_secret = any(_SECRET_KEY.search(key) for key in parsed.query)
    if parsed.password is None and not query_secret:
        return url  # nothing secret: as the user wrote it
    if query_secret:
        parsed = parsed.set(
            query={
                key: MASK if _SECRET_KEY.search(key) and key != "user" else value
                for key, value in parsed.query.items()
            }
        )
    return parsed.render_as_string(hide_password=True)


def redact_url(url: str) -> str:
    """Any URL — a database's, a channel's, a webhook's, a heartbeat's — without its secrets."""
    scheme = url.split("://", 1)[0].lower()
    if scheme.split("+", 1)[0] in DATABASE_SCHEMES:
        return redact_db_url(url)
    return _redact_generic(url)


def url_kind(url: str) -> str:
    """Only the kind of a channel's URL (``ntfys://…``): what `storycart settings` shows."""
    return url.split("://", 1)[0] + "://…" if url else url


def redact_text(text: str) -> str:
    """A sentence (an error, a log line) with every URL in it and every credential redacted."""
    text = _URL_IN_TEXT.sub(lambda match: redact_url(match.group(0)), text)
    text = _CREDENTIAL.sub(lambda match: f"{match.group(1)}{match.group(2)}{MASK}", text)
    return _ASSIGNED.sub(lambda match: f"{match.group(1)}{match.group(2)}{MASK}", text)


def _redact_generic(url: str) -> str:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, a broken bracket: nothing is kept
        return url.split("://", 1)[0] + "://" + MASK if "://" in url else MASK
    scheme = parts.scheme.lower()
    tokens_in_host = scheme in TOKEN_SCHEMES
    where = ""
    if parts.username is not None or parts.password is not None:
        # `pover://USERKEY@TOKEN`, `pbul://TOKEN@…`: a user without a password is a key too.
        keyed = tokens_in_host or parts.password is None
        where = MASK + "@" if keyed else f"{parts.username or ''}:{MASK}@"
    if host is not None:
        shown = MASK if tokens_in_host else (f"[{host}]" if ":" in host else host)
        where += shown + (f":{port}" if port is not None and not tokens_in_host else "")
    path = "/".join(_segment(segment, scheme, tokens_in_host) for segment in parts.path.split("/"))
    query = "&".join(_pair(key, value) for key, value in parse_qsl(parts.query, True))
    fragment = MASK if parts.fragment and tokens_in_host else parts.fragment
    return urlunsplit((parts.scheme, where, path, query, fragment))


def _segment(segment: str, scheme: str, tokens: bool) -> str:
    if not segment:
        return segment
    if tokens or scheme in PATH_SECRET_SCHEMES or _TOKENISH.match(segment):
        return MASK
    return segment


def _pair(key: str, value: str) -> str:
    secret = _SECRET_KEY.search(key) or _TOKENISH.match(value) or key.startswith("+")
    shown = MASK if secret and value else quote(value, safe="/:@,")
    return f"{quote(key, safe='+-:')}={shown}"
