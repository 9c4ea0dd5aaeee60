"""A simulator's serial side: a raw pty, optionally reachable through a stable link path, that can be
unplugged and plugged back like a USB-serial adapter.

Unplugging closes the pty (a driver holding it gets an I/O error) and removes the link, so a watcher
sees the path vanish; replugging makes a new pty (a new /dev/pts/N, as the kernel would) behind the
same link path.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from collections.abc import Callable
from pathlib import Path

from devices.pty_pair import PtyPair, open_pty_pair

log = logging.getLogger(__name__)

POLL_S = 0.05
Handler = Callable[[bytes, Callable[[bytes], None]], None]


class PtyEndpoint:
    """Feeds what the driver writes to `handler(data, reply)`; `reply` writes back to the driver."""

    def __init__(self, handler: Handler, name: str, link: Path | None = None) -> None:
        self._handler = handler
        self._name = name
        self.link = link
        self._pty: PtyPair | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._write_lock = threading.Lock()

    @property
    def path(self) -> str:
        """The path a driver opens: the link when there is one, else the pty itself."""
        if self.link is not None:
            return str(self.link)
        if self._pty is None:
            raise RuntimeError(f"{self._name}: pty is unplugged")
        return self._pty.slave_path

    @property
    def plugged(self) -> bool:
        return self._pty is not None

    def plug(self) -> str:
        """Create the pty (and its link) and start serving; returns the path."""
        if self._pty is not None:
            return self.path
        self._pty = open_pty_pair()
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
            self.link.symlink_to(self._pty.slave_path)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, args=(self._pty.master_fd,),
                                        name=f"{self._name}-pty", daemon=True)
        self._thread.start()
        log.info("%s: pty plugged", self._name)
        return self.path

    def unplug(self) -> None:
        """Remove the link and close the pty, as when the cable is pulled."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
        with self._write_lock:  # a concurrent `send` must not write to a closed (or reused) descriptor
            pty, self._pty = self._pty, None
        if pty is not None:
            pty.close()
            log.info("%s: pty unplugged", self._name)

    def send(self, data: bytes) -> None:
        """Bytes the device sends unasked (a barcode reader's scan); dropped while unplugged."""
        with self._write_lock:
            pty = self._pty
            if pty is None:
                return
            while data:
                data = data[os.write(pty.master_fd, data) :]

    def _serve(self, master: int) -> None:
        while not self._stopping.is_set():
            ready, _, _ = select.select([master], [], [], POLL_S)
            if not ready:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:
                continue  # no driver has the slave open right now
            self._handler(data, self.send)
