"""A small Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (stdlib only).

Chromium reads commands from file descriptor 3 and writes replies and events to
file descriptor 4; every message is one JSON object terminated by ``\\0``.  The
browser runs in its own process group and is killed when the session ends or
its time box runs out, so a hung renderer never hangs the test suite.

Used by ``tests/test_report_browser.py``; not part of the package.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

try:  # the pipe transport needs POSIX file descriptors
    import fcntl
except ImportError:  # Windows: no browser test
    fcntl = None

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
)


class CDPError(RuntimeError):
    """The browser answered a command with an error, died, or ran out of time."""


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable (``$SERVQUAL_CHROMIUM`` first), or None
    (always None off POSIX, where this client cannot hand Chromium its pipes)."""
    if fcntl is None:
        return None
    env = os.environ.get("SERVQUAL_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _high_fd(fd: int) -> int:
    """Duplicate ``fd`` to a number >= 10 (clear of 3 and 4), closing the original."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


class Browser:
    """One headless Chromium; ``with Browser(path, timeout=30) as b: page = b.new_page()``.

    ``timeout`` bounds the whole session (seconds): past it every call raises
    :class:`CDPError` and the browser is killed.
    """

    def __init__(self, executable: str, *, timeout: float = 30.0):
        self.deadline = time.monotonic() + timeout
        self.profile = tempfile.mkdtemp(prefix="servqual-chromium-")
        cmd_r, cmd_w = (_high_fd(fd) for fd in os.pipe())  # we write, Chromium reads (fd 3)
        ev_r, ev_w = (_high_fd(fd) for fd in os.pipe())  # Chromium writes (fd 4), we read
        args = [executable, *FLAGS, f"--user-data-dir={self.profile}",
                "--remote-debugging-pipe", "about:blank"]  # fmt: skip
        # a tiny Python trampoline moves the pipe ends to fds 3 and 4 (both >= 10
        # before, so nothing is clobbered), then becomes Chromium
        script = (
            "import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); os.dup2(r, 3); "
            "os.dup2(w, 4); os.close(r); os.close(w); os.execv(sys.argv[3], sys.argv[3:])"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, str(cmd_r), str(ev_w), *args],
            pass_fds=(cmd_r, ev_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        os.close(cmd_r)
        os.close(ev_w)
        self._out = os.fdopen(cmd_w, "wb", buffering=0)
        self._in = os.fdopen(ev_r, "rb", buffering=0)
        self._next_id = 0
        self._replies: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self.events: list[dict] = []
        self._event_cond = threading.Condition()
        self._stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self._timer = threading.Timer(max(timeout, 0.1), self.kill)
        self._timer.daemon = True
        self._timer.start()

    # ------------------------------------------------------------ plumbing
    def _drain_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line)

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = self._in.read(1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self._lock:
                        q = self._replies.get(msg["id"])
                    if q is not None:
                        q.put(msg)
                else:
                    with self._event_cond:
                        self.events.append(msg)
                        self._event_cond.notify_all()
        with self._lock:  # the browser is gone: wake every waiting call
            for q in self._replies.values():
                q.put({"error": {"message": "the browser closed the pipe"}})

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.kill()
            raise CDPError("the browser session ran out of time and was killed")
        return left

    def send(self, method: str, params: dict | None = None, session: str | None = None):
        """Send one command and return its ``result`` (raise :class:`CDPError` on error)."""
        with self._lock:
            self._next_id += 1
            mid = self._next_id
            self._replies[mid] = q = queue.Queue()
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        try:
            self._out.write(json.dumps(msg).encode() + b"\0")
        except OSError as exc:
            raise CDPError(f"{method}: the browser is gone ({exc}); {self.stderr_tail()}") from exc
        try:
            reply = q.get(timeout=self._left())
        except queue.Empty:
            self.kill()
            raise CDPError(f"{method}: no reply before the time box ran out") from None
        finally:
            with self._lock:
                self._replies.pop(mid, None)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message')}; {self.stderr_tail()}")
        return reply.get("result", {})

    def wait_event(self, method: str, session: str | None = None, since: int = 0) -> dict:
        """Wait for the first event ``method`` (of ``session``) at index >= ``since``."""
        with self._event_cond:
            while True:
                for ev in self.events[since:]:
                    if ev.get("method") == method and (
                        session is None or ev.get("sessionId") == session
                    ):
                        return ev
                left = self._left()
                if self.proc.poll() is not None:
                    raise CDPError(f"the browser exited while waiting for {method}")
                self._event_cond.wait(timeout=min(left, 0.5))

    def stderr_tail(self) -> str:
        return b"".join(self._stderr[-5:]).decode(errors="replace").strip()

    # ---------------------------------------------------------------- pages
    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        return page

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self):
        self._timer.cancel()
        if self.proc.poll() is None:
            try:
                self.send("Browser.close")
                self.proc.wait(timeout=5)
            except (CDPError, subprocess.TimeoutExpired):
                pass
        self.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for f in (self._out, self._in):
            try:
                f.close()
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    """One tab, driven through its flat session."""

    def __init__(self, browser: Browser, session: str):
        self.browser, self.session = browser, session

    def send(self, method: str, params: dict | None = None):
        return self.browser.send(method, params, self.session)

    def events(self, *methods: str) -> list[dict]:
        """This page's events so far, of the given methods."""
        return [
            e["params"]
            for e in list(self.browser.events)
            if e.get("sessionId") == self.session and e.get("method") in methods
        ]

    def viewport(self, width: int, height: int = 900, *, media: str = ""):
        """Emulate a window ``width`` x ``height`` CSS px and a CSS media type ("" = screen)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.send("Emulation.setEmulatedMedia", {"media": media})

    def goto(self, url: str):
        """Navigate and wait for the load event."""
        since = len(self.browser.events)
        reply = self.send("Page.navigate", {"url": url})
        if reply.get("errorText"):
            raise CDPError(f"navigating to {url}: {reply['errorText']}")
        self.browser.wait_event("Page.loadEventFired", self.session, since)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression (awaited when it is a promise)."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            raise CDPError(f"evaluating JavaScript: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def screenshot(self, path: Path, *, max_height: int = 20000) -> Path:
        """A PNG of the whole page, as wide as the window (up to ``max_height`` px tall)."""
        metrics = self.send("Page.getLayoutMetrics")
        size = metrics["cssContentSize"]
        clip = {
            "x": 0,
            "y": 0,
            "width": metrics["cssLayoutViewport"]["clientWidth"],
            "height": min(size["height"], max_height),
            "scale": 1,
        }
        data = self.send(
            "Page.captureScreenshot",
            {"format": "png", "clip": clip, "captureBeyondViewport": True},
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf(self, path: Path) -> Path:
        """Print to an A4 PDF with backgrounds, as a browser's print dialog would."""
        data = self.send(
            "Page.printToPDF",
            {"printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69},
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path
