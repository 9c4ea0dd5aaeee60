"""Pseudo-terminal pairs in raw mode: the serial line between a simulator and a driver, with no hardware.

A simulator owns the master side; the driver opens the slave path as if it were /dev/ttyUSB0.
The pair keeps its own slave descriptor open, so the master never sees a hang-up (EIO) while drivers
connect and disconnect, just as a real serial port stays present when nobody has it open.
"""

from __future__ import annotations

import os
import tty
from dataclasses import dataclass, field
from types import TracebackType


@dataclass
class PtyPair:
    """Master descriptor for the simulator, slave path for the driver."""

    master_fd: int
    slave_path: str
    _slave_fd: int = field(repr=False)

    def close(self) -> None:
        """Close both sides; safe to call twice."""
        for fd in (self.master_fd, self._slave_fd):
            if fd >= 0:
                os.close(fd)
        self.master_fd = self._slave_fd = -1

    def __enter__(self) -> PtyPair:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_pty_pair() -> PtyPair:
    """A new pty pair in raw mode (no echo, no line editing, no CR/LF translation): bytes pass unchanged."""
    master_fd, slave_fd = os.openpty()
    tty.setraw(slave_fd)
    return PtyPair(master_fd=master_fd, slave_path=os.ttyname(slave_fd), _slave_fd=slave_fd)
