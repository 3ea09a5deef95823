"""A real headless Chromium driven through the DevTools protocol over a pipe (stdlib only): open
a page at a viewport size, see every request the page makes, evaluate JavaScript, take a
screenshot. Debian's `chromium` package (`.ci/run` installs it); when it is missing, the tests
that need it fail with one sentence saying so — a browser test never turns into a skip."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time

CHROMIUM = os.environ.get("STORYCART_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
]


def chromium_path() -> str:
    found = shutil.which(CHROMIUM)
    if found is None:
        raise AssertionError(
            f"No Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium; "
            ".ci/run does) or point STORYCART_CHROMIUM at one. The kiosk's browser tests need a "
            "real browser and are not skipped."
        )
    return found


class Chromium:
    """One headless browser for a test; a page target attached (flat session) per `open`."""

    def __init__(self, width: int = 1920, height: int = 1080) -> None:
        self.profile = tempfile.mkdtemp(prefix="storycart-chromium-")
        self.net_log = os.path.join(self.profile, "net-log.json")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def give_pipes() -> None:  # the browser reads fd 3 and writes fd 4
            read, write = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            [
                chromium_path(),
                *FLAGS,
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                f"--log-net-log={self.net_log}",
                "--net-log-capture-mode=Default",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=give_pipes,
            pass_fds=(3, 4),  # kept open in the child after give_pipes put the pipes there
            start_new_session=True,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._next_id = 0
        self._answers: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self.events: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.session: str | None = None

    # -- the protocol ---------------------------------------------------------------------------

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                for answers in list(self._answers.values()):
                    answers.put({"error": {"message": "the browser closed its pipe"}})
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    answers = self._answers.get(message["id"])
                    if answers is not None:
                        answers.put(message)
                else:
                    with self._lock:
                        self.events.append(message)

    def send(self, method: str, params: dict | None = None, *, session: bool = True) -> dict:
        with self._lock:
            self._next_id += 1
            number = self._next_id
        answers: queue.Queue = queue.Queue()
        self._answers[number] = answers
        message = {"id": number, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        try:
            answer = answers.get(timeout=60)
        except queue.Empty:
            raise AssertionError(f"Chromium did not answer {method} within 60 s") from None
        finally:
            self._answers.pop(number, None)
        if "error" in answer:
            raise AssertionError(f"Chromium refused {method}: {answer['error']}")
        return answer.get("result", {})

    # -- what a test does -----------------------------------------------------------------------

    def open(self, url: str, width: int, height: int) -> None:
        """A fresh page of width × height CSS pixels (one device pixel each), navigated to
        `url`; returns once the navigation is sent (the page loads on its own)."""
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send(
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            session=False,
        )
        self.session = attached["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable")
        self.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.resize(width, height)
        self.send("Page.navigate", {"url": url})

    def resize(self, width: int, height: int) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def evaluate(self, expression: str):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"the page threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float):
        """Evaluate until truthy (a deadline, polling); returns the value, or None."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.02)
        return None

    def screenshot(self, path: str) -> str:
        shot = self.send("Page.captureScreenshot", {"format": "png"})
        with open(path, "wb") as file:
            file.write(base64.b64decode(shot["data"]))
        return path

    def requested_urls(self) -> list[str]:
        with self._lock:
            events = list(self.events)
        return [
            event["params"]["request"]["url"]
            for event in events
            if event.get("method") == "Network.requestWillBeSent"
        ]

    def close(self) -> list[dict]:
        """Stop the browser; returns every request its network stack started (the net log)."""
        with contextlib.suppress(AssertionError, OSError):  # already gone
            self.send("Browser.close", session=False)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)
        os.close(self._to_browser)
        requests = _net_log_requests(self.net_log)
        shutil.rmtree(self.profile, ignore_errors=True)
        return requests


def _net_log_requests(path: str) -> list[dict]:
    """Each request the network stack started: url, initiator and network isolation key (the
    browser's own background requests — its updater, its clock — have none of the page's)."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except OSError:
        return []
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # cut short: the events written so far
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        {
            "url": event["params"].get("url", ""),
            "initiator": event["params"].get("initiator", ""),
            "isolation": event["params"].get("network_isolation_key", ""),
        }
        for event in log.get("events", [])
        if event.get("type") == start_job and event.get("params")
    ]
