"""A small threaded TCP listener on 127.0.0.1 for simulators: one thread per connection, clean stop.

Simulators listen on a free port like network devices do (a receipt printer on 9100), so tests and the
demo run many of them side by side. `stop` closes the listener and every open connection and joins the
threads, so no simulator outlives its test.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

ACCEPT_POLL_S = 0.1


class TcpServer:
    """Serves `handler(connection)` for each client, each in its own thread."""

    def __init__(self, handler: Callable[[socket.socket], None], name: str) -> None:
        self._handler = handler
        self._name = name
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._accepter: threading.Thread | None = None
        self._clients: list[threading.Thread] = []
        self.port = 0

    def start(self, port: int = 0) -> int:
        """Listen on `port` of 127.0.0.1 (0: a free one, again the same one after an unplug); return it."""
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port = self._listener.getsockname()[1]
        self._stopping.clear()
        self._accepter = threading.Thread(target=self._accept_loop, name=f"{self._name}-accept", daemon=True)
        self._accepter.start()
        return self.port

    def stop(self) -> None:
        """Stop accepting, close every connection and wait for the threads."""
        self._stopping.set()
        if self._accepter is not None:
            self._accepter.join()
            self._accepter = None
        with self._lock:
            for connection in self._connections:
                _shutdown(connection)
            clients, self._clients = self._clients, []
        for thread in clients:
            thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _accept_loop(self) -> None:
        assert self._listener is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            while not self._stopping.is_set():
                if not selector.select(ACCEPT_POLL_S):
                    continue
                try:
                    connection, _ = self._listener.accept()
                except OSError as exc:  # e.g. out of file descriptors: keep serving the others
                    log.warning("%s: accept failed: %s", self._name, exc)
                    continue
                client = threading.Thread(
                    target=self._serve, args=(connection,), name=f"{self._name}-client", daemon=True
                )
                with self._lock:
                    self._connections.add(connection)
                    self._clients.append(client)
                client.start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            self._handler(connection)
        except OSError as exc:
            log.debug("%s: connection ended: %s", self._name, exc)
        except Exception:
            log.exception("%s: handler failed", self._name)
        finally:
            with self._lock:
                self._connections.discard(connection)
            connection.close()


def _shutdown(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the peer may have closed it already
        connection.shutdown(socket.SHUT_RDWR)
