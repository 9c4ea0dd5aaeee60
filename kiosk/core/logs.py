"""Structured logging: one JSON object per line on stderr, never stdout (stdout is for --json).

Log records carry events and ids, never personal data: callers pass only whitelisted context
through `extra={"ctx": {...}}`, and keys known to hold personal data are masked on the way out
as a second line of defence.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

PERSONAL_KEYS = frozenset(
    {"sender", "consignee", "vehicle_plate", "plate", "name", "address", "passport", "fields", "value"}
)


def _scrub(ctx: dict[str, Any]) -> dict[str, Any]:
    return {key: ("<redacted>" if key in PERSONAL_KEYS else value) for key, value in ctx.items()}


class JsonFormatter(logging.Formatter):
    def __init__(self, process_name: str) -> None:
        super().__init__()
        self.process_name = process_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "process": self.process_name,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        ctx = getattr(record, "ctx", None)
        if isinstance(ctx, dict):
            entry.update(_scrub(ctx))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(level: str, process_name: str) -> None:
    """Route every logger (ours, uvicorn's, paho's) to JSON lines on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(process_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").setLevel("WARNING")
    logging.getLogger("httpx").setLevel("WARNING")  # one line per request would drown the kiosk's own
