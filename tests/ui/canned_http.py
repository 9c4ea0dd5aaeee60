"""FAKE core: a real HTTP server on a free port that answers each (method, path) with a fixed status
and JSON body.

It exists for one answer the real core (tests/fixtures/core.py) cannot be made to give on cue: an
error whose body is not FastAPI's `{"detail": str}` (e.g. a 500 from a crashed handler or a proxy),
which the client must still report by its status. Every other client and UI test runs against the
real core, or against a port where nothing listens.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Routes = dict[tuple[str, str], tuple[int, Any]]


def _handler_for(routes: Routes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            status, body = routes.get((self.command, self.path), (404, {"detail": "Not Found"}))
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve_canned(routes: Routes) -> Iterator[str]:
    """The fake's base URL while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(routes))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
