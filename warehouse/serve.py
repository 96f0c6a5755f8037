"""Runs the app under gunicorn, the production WSGI server, from `warehouse serve`, and the
webhook delivery worker beside it.

The delivery worker is a child process of gunicorn's master (`python -m warehouse.events`,
the same as `warehouse deliver`), not a thread in it: the master forks web workers, and
forking a process with a busy thread in it can leave locks held in the child. The master
starts it once it is ready, restarts it if it dies, and on shutdown tells it to stop at the
same moment as the web workers, then waits for it to finish the posts in flight.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from http import HTTPStatus

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.gthread import ThreadWorker
from werkzeug.utils import import_string

from warehouse.edge import API_PREFIX, MAX_TARGET_BYTES
from warehouse.errors import URITooLong
from warehouse.problems import PROBLEM_MIMETYPE, PROBLEM_TYPE_BASE

#: The worker process: `warehouse deliver` under the same interpreter and environment.
DELIVERY_COMMAND = (sys.executable, "-m", "warehouse.events")
#: A delivery worker that died is started again, at most this often.
RESTART_INTERVAL_S = 10.0
#: How long the worker gets to finish its posts in flight (each is bounded by its timeouts).
STOP_TIMEOUT_S = 30.0


class DeliveryProcess:
    """The delivery worker as a child process: started, kept alive, stopped with the server.

    Only the process that started it acts on it: gunicorn's web workers are forked from the
    master and carry a copy of this object, which must not stop the master's child.
    """

    def __init__(self, command: tuple[str, ...] = DELIVERY_COMMAND) -> None:
        self.command = command
        self._process: subprocess.Popen | None = None
        self._owner_pid: int | None = None
        self._started_at = float("-inf")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def keep_alive(self, log: logging.Logger | None = None) -> None:
        """Starts the worker, or starts it again if it has exited (not more than once per
        `RESTART_INTERVAL_S`, so a worker that cannot start does not spin)."""
        if self._owner_pid is not None and os.getpid() != self._owner_pid:
            return
        if self._process is not None and self._process.poll() is None:
            return
        if time.monotonic() - self._started_at < RESTART_INTERVAL_S:
            return
        if self._process is not None and log is not None:
            log.error("webhook delivery worker exited (%s); starting it again", self._process.pid)
        self._owner_pid = os.getpid()
        self._started_at = time.monotonic()
        self._process = subprocess.Popen(self.command)
        if log is not None:
            log.info("webhook delivery worker started (pid: %s)", self._process.pid)

    def terminate(self) -> None:
        """Asks the worker to stop (SIGTERM): it claims nothing more and finishes its posts."""
        if self._is_ours_and_running():
            self._process.terminate()

    def wait(self) -> None:
        """Waits for the worker to exit, killing it after `STOP_TIMEOUT_S`."""
        if not self._is_ours_and_running():
            return
        try:
            self._process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def stop(self) -> None:
        self.terminate()
        self.wait()

    def _is_ours_and_running(self) -> bool:
        return (
            self._process is not None
            and os.getpid() == self._owner_pid
            and self._process.poll() is None
        )


#: gunicorn's longest request line (its maximum). The app's own limit is smaller
#: (`warehouse.edge.MAX_TARGET_BYTES`), so that most long URLs get the app's 414.
LIMIT_REQUEST_LINE = 8190


class _Capture:
    """Stands in for a client's socket while gunicorn writes its own error answer, so that
    the answer can be rewritten before it is sent."""

    def __init__(self, sock) -> None:
        self._sock = sock
        self.data = b""

    def gettimeout(self):
        return 0.0

    def setblocking(self, _flag) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.data += data

    def __getattr__(self, name):
        return getattr(self._sock, name)


class ProblemThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, answering what gunicorn refuses by itself (a request line
    or headers it cannot read or that are too long, a malformed Content-Length, …) as
    problem+json, as the app answers everything else. A request known to be for a page
    outside the API keeps gunicorn's plain answer."""

    def handle_error(self, req, client, addr, exc):
        capture = _Capture(client)
        super().handle_error(req, capture, addr, exc)
        path = getattr(req or getattr(exc, "req", None), "path", None)
        if path is not None and not (path + "/").startswith(API_PREFIX + "/"):
            answer = capture.data
        else:
            answer = problem_answer(capture.data)
        try:
            util.write_nonblock(client, answer)
        except Exception:
            self.log.debug("Failed to send error message.")


def problem_answer(gunicorn_answer: bytes) -> bytes:
    """gunicorn's HTML error answer rewritten as an HTTP/1.1 problem+json answer."""
    text = gunicorn_answer.decode("latin-1")
    match = re.match(r"HTTP/1\.1 (\d{3}) ", text)
    status = int(match.group(1)) if match else 400
    mesg = re.search(r"</h1>(.*)</body>", text, re.DOTALL)
    detail = html.unescape(mesg.group(1)).strip() if mesg else ""
    phrase = HTTPStatus(status).phrase
    title, slug = phrase, phrase.lower().replace(" ", "-")
    if status == URITooLong.status:  # the same problem as the app's own limit answers
        title, slug = URITooLong.title, URITooLong.slug
        detail = f"The path and query may be at most {MAX_TARGET_BYTES} bytes long."
    body = json.dumps(
        {
            "type": PROBLEM_TYPE_BASE + slug,
            "title": title,
            "status": status,
            "detail": detail or "An unexpected error occurred; it was logged.",
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {phrase}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_MIMETYPE}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _Arbiter(Arbiter):
    """gunicorn's master, also minding the delivery worker beside its web workers."""

    def __init__(self, app, delivery: DeliveryProcess) -> None:
        self.delivery = delivery
        super().__init__(app)

    def manage_workers(self):
        # Called by the master's loop about once a second, and after every change of workers.
        super().manage_workers()
        self.delivery.keep_alive(self.log)

    def stop(self, graceful=True):
        self.delivery.terminate()
        try:
            super().stop(graceful)
        finally:
            self.delivery.wait()


class _Gunicorn(BaseApplication):
    def __init__(
        self, options: dict, delivery: DeliveryProcess | None, app_factory: Callable | str
    ) -> None:
        self.options = options
        self.delivery = delivery
        self.app_factory = app_factory
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app after the fork: no engine is shared across processes.
        factory = self.app_factory
        return (import_string(factory) if isinstance(factory, str) else factory)()

    def run(self):
        if self.delivery is None:
            return super().run()
        try:
            _Arbiter(self, self.delivery).run()
        except RuntimeError as exc:
            print(f"\nError: {exc}\n", file=sys.stderr)
            sys.exit(1)
        finally:
            self.delivery.stop()  # a no-op in forked web workers, and when already stopped


def serve_forever(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    delivery_worker: bool = True,
    app_factory: Callable | str,
) -> None:
    """Serves until SIGTERM/SIGINT; with `delivery_worker`, webhooks are posted meanwhile.

    `app_factory` builds each worker's WSGI app, given by import path ("module:function",
    as `warehouse serve` names the service's) or as the function itself: the benchmarks serve
    their bare baseline app through it, so that it runs under exactly these server settings."""
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": ProblemThreadWorker,
            "limit_request_line": LIMIT_REQUEST_LINE,
            "accesslog": "-",
            "timeout": 30,
            "graceful_timeout": 10,
            "keepalive": 5,
        },
        DeliveryProcess() if delivery_worker else None,
        app_factory,
    ).run()
