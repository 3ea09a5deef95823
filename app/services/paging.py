"""Sending a page through Apprise (ntfy, Slack, Teams, Discord, Mattermost, mail, a JSON POST and
about a hundred more), with the channel's URL read at the moment of sending — from the settings,
an environment variable or a file only its owner can read — so it never reaches the database or
a log line."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

from app.domain.page_html import mail_html
from app.domain.paging import PagingChannel
from app.domain.redact import redact_text
from app.services.json_webhook import MAX_CHARACTERS, Redirected, WebhookFailed, webhook
from app.services.page_log import captured

# Services where Apprise passes a header we name (+Header=value in the URL); mail carries it as
# a message header.
HEADER_SCHEMES = {"json", "jsons", "form", "forms", "xml", "xmls", "mailto", "mailtos"}
NTFY_SCHEMES = {"ntfy", "ntfys"}
PRIORITY_SCHEMES = NTFY_SCHEMES | {"pover", "pushover"}
MAIL_SCHEMES = {"mailto", "mailtos"}
KEY_HEADER = "X-Storycart-Idempotency-Key"
_ERRNO = re.compile(r"\[Errno -?\d+\][^\"')(]+")
_CAUSE = "Socket Exception: "  # Apprise logs the underlying error (an SMTP reply…) at DEBUG


class PagingError(Exception):
    """A page that could not be sent; str() is one sentence without the channel's URL."""


def channel_url(channel: PagingChannel, environ: Mapping[str, str] = os.environ) -> str:
    if channel.url:
        return channel.url.get_secret_value()
    if channel.url_env:
        value = environ.get(channel.url_env, "").strip()
        if not value:
            raise PagingError(
                f"the variable {channel.url_env} that should hold the URL of channel "
                f"{channel.name!r} is not set"
            )
        return value
    path = Path(channel.url_file).expanduser()
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise PagingError(
                f"{path}, holding the URL of channel {channel.name!r}, must be readable by its "
                f"owner alone (chmod 600 {path})"
            )
        value = path.read_text("utf-8").strip()
    except OSError as error:
        raise PagingError(
            f"cannot read {path}, the URL of channel {channel.name!r} ({error.strerror})"
        ) from None
    if not value:
        raise PagingError(f"{path}, the URL of channel {channel.name!r}, is empty")
    return value


def delivery_url(
    url: str,
    channel: PagingChannel,
    key: str,
    severity: str = "",
    ack: tuple[str, str] | None = None,
) -> str:
    """The channel's URL with this page's idempotency key (as a header where the service takes
    headers, as a tag on ntfy), its priority for this severity where the service has one, and
    on ntfy the page's acknowledge button (`ack`: its label and the link it POSTs to)."""
    scheme = url.split("://", 1)[0].lower()
    extra: dict[str, str] = {}
    if scheme in HEADER_SCHEMES:
        extra[f"+{KEY_HEADER}"] = key
    if scheme in NTFY_SCHEMES:
        extra["tags"] = key.replace(":", "_")
        if ack is not None:
            extra["actions"] = ntfy_actions(*ack)
    priority = channel.priority.get(severity)
    if priority and scheme in PRIORITY_SCHEMES:
        extra["priority"] = priority
    if not extra:
        return url
    # %20 for a space: Apprise reads a "+" in a value as a plus sign.
    return f"{url}{'&' if '?' in url else '?'}{urlencode(extra, quote_via=quote)}"


def ntfy_actions(label: str, link: str) -> str:
    """ntfy's action buttons as a JSON array (its X-Actions header takes one): an `http` action
    that POSTs to the acknowledge link and clears the notification when it worked. Written in
    ASCII (the label's letters as \\u escapes): a header cannot carry UTF-8 everywhere."""
    action = {"action": "http", "label": label, "url": link, "method": "POST", "clear": True}
    return json.dumps([action], ensure_ascii=True, separators=(",", ":"))


def load_sender() -> None:
    """Load Apprise and its ~100 service plugins ahead of the first page (most of a second):
    a process that pages calls this in a thread at start, so the first alert is not the one
    that waits for it. Importing Apprise alone leaves the plugins to the first URL it reads:
    in a storm, that was the first page of every one of the sixteen sending threads, all
    waiting on the one that loaded them (seen: ~1.5 s before the first page went out)."""
    import apprise

    apprise.Apprise.instantiate("json://localhost")  # reads the URL only: nothing is sent


def send_page(
    url: str,
    channel: PagingChannel,
    key: str,
    severity: str,
    ack: tuple[str, str] | None,
    title: str,
    body: str,
) -> None:
    """Deliver one page through the channel whose URL is `url`: a JSON webhook over a kept-alive
    connection (app.services.json_webhook), anything else through Apprise."""
    hook = _json_webhook(url)
    if hook is not None and len(title) + len(body) <= MAX_CHARACTERS:
        try:
            hook.post(title, body, {KEY_HEADER: key})
            return
        except WebhookFailed as failed:
            raise PagingError(_without(str(failed), url)) from None
        except Redirected:
            pass  # Apprise follows it
    send(delivery_url(url, channel, key, severity, ack), title, body, channel.name)


@lru_cache(maxsize=64)
def _json_webhook(url: str):
    """The JSON webhook behind `url`, read by Apprise once per URL; None for other services."""
    if url.split("://", 1)[0].lower() not in ("json", "jsons"):
        return None
    import apprise

    service = apprise.Apprise.instantiate(url)
    return webhook(service) if service is not None else None


def send(url: str, title: str, body: str, channel_name: str) -> None:
    """Deliver one message; raises PagingError with what the service (or Apprise) said."""
    import apprise  # loads ~100 service plugins: only when something is sent

    # The service itself, not an Apprise() set: a set hands every notify to a new thread pool.
    service = apprise.Apprise.instantiate(url)
    if service is None:
        raise PagingError(f"the URL of channel {channel_name!r} is not one Apprise knows")
    with captured() as log:
        if url.split("://", 1)[0].lower() in MAIL_SCHEMES:
            # Mail is HTML by default, built from the body as HTML: plain text would lose its
            # line breaks in both parts. Given as HTML, the lines stay lines in the HTML part,
            # and Apprise's plain part (made from it) keeps them too.
            html = mail_html(body)
            result = service.notify(body=html, title=title, body_format=apprise.NotifyFormat.HTML)
        else:
            result = service.notify(body=body, title=title)
    if not result:
        raise PagingError(_without(_what_went_wrong(log), url))


def _what_went_wrong(log: list[tuple[str, str]]) -> str:
    """The service's last complaint, with the underlying error where Apprise logged one
    (each record's first line, as Apprise's own log capture showed it)."""
    said, cause = "the service refused it", ""
    for level, text in log:
        lines = text.strip().splitlines()
        message = lines[0].strip() if lines else ""
        if level in ("WARNING", "ERROR", "CRITICAL"):
            said = message.strip()
        elif message.startswith(_CAUSE):
            cause = _innermost(message.removeprefix(_CAUSE).strip())
    return f"{said} ({cause})" if cause and cause not in said else said


def _innermost(cause: str) -> str:
    """'[Errno 111] Connection refused' out of the layers of wrapping an HTTP library adds."""
    errno = _ERRNO.search(cause)
    return errno.group(0).strip() if errno else cause[:120]


def _without(text: str, url: str) -> str:
    """The text with the URL taken out, and any other URL or credential in it redacted."""
    return redact_text(text.replace(url, "<url>"))[:300]
