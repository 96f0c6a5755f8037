"""The deadline watch: run beside the delivery worker, it tells stores of decision deadlines
that passed (platforms auto-refund after them), each once."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy.exc import OperationalError

from warehouse.context import SYSTEM, Context
from warehouse.db import transaction
from warehouse.returns.services import flag_passed_deadlines

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 60.0


def sweep(app: Flask) -> int:
    """Flags every return whose deadline has passed since the last sweep; answers how many."""
    session = app.extensions["warehouse.sessions"]()
    flagged = 0
    try:
        while True:
            ctx = Context(SYSTEM, app.extensions["warehouse.clock"].now(), terminal_id="deadlines")
            with transaction(session):
                batch = flag_passed_deadlines(session, ctx)
            flagged += batch
            if batch == 0:
                return flagged
    finally:
        session.close()


def watch(app: Flask, stop: threading.Event, interval_s: float = DEFAULT_INTERVAL_S) -> None:
    """Sweeps every `interval_s` until `stop` is set; a database outage is logged and retried."""
    while not stop.is_set():
        try:
            flagged = sweep(app)
            if flagged:
                log.info("decision deadline passed for %d returns; stores told", flagged)
        except OperationalError as exc:
            log.error("deadline sweep failed, retrying: %s", exc.orig)
        stop.wait(interval_s)
