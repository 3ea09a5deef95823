"""A real SMTP server (aiosmtpd) in a thread that keeps every message it accepts: the far end of
mailto:// paging channels in tests. It can be told to refuse mail until told otherwise."""

from __future__ import annotations

import email
import socket
from email.message import Message

from aiosmtpd.controller import Controller


class MailReceiver:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refusing = False
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, _server, _session, envelope) -> str:
        if self.refusing:
            return "554 Mailbox unavailable"
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"

    def __enter__(self) -> MailReceiver:
        self.controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
