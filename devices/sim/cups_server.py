"""A private CUPS scheduler (`cupsd -f`) in a temporary directory, with socket:// queues delivering to
local listeners: the A4 printer's stand-in for tests and `devices check --simulate`.

Debian's packages do not start services, and a raw file: queue writes nothing, so the queue's device
is `socket://127.0.0.1:PORT` with a small listener on PORT that keeps every job's bytes.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from devices.sim.tcp_server import TcpServer

STARTUP_S = 10.0
CUPSD_CONF = """Listen {sock}
LogLevel info
WebInterface No
Browsing Off
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
FILES_CONF = """ServerRoot {root}
RequestRoot {root}/spool
TempDir {root}/tmp
CacheDir {root}/cache
StateDir {root}/state
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
Sandboxing Relaxed
"""


@dataclass
class JobListener:
    """A pretend network printer (port 9100 style): keeps the bytes of each connection."""

    port: int = 0
    jobs: list[bytes] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    server: TcpServer | None = None

    def wait_for_jobs(self, count: int, timeout: float) -> list[bytes]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.jobs) >= count, timeout)
            return list(self.jobs)

    def receive(self, connection: socket.socket) -> None:
        data = bytearray()
        while chunk := connection.recv(65536):
            data += chunk
        with self.changed:
            self.jobs.append(bytes(data))
            self.changed.notify_all()


class CupsServer:
    """`start()` runs cupsd on a domain socket (`socket_path`, the CUPS_SERVER for clients)."""

    def __init__(self) -> None:
        self.root = Path()
        self.socket_path = ""
        self.listeners: dict[str, JobListener] = {}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        if shutil.which("cupsd") is None:
            raise FileNotFoundError("cupsd is not installed (apt-get install cups)")
        # Not under a 0700 directory: backends run as `lp` and must read the spool.
        self.root = Path(tempfile.mkdtemp(prefix="cez-cupsd-"))
        self.root.chmod(0o755)
        for sub in ("spool", "tmp", "cache", "state", "log", "ppd"):
            (self.root / sub).mkdir()
        self.socket_path = str(self.root / "cups.sock")
        (self.root / "cupsd.conf").write_text(CUPSD_CONF.format(sock=self.socket_path))
        (self.root / "cups-files.conf").write_text(FILES_CONF.format(root=self.root))
        self._process = subprocess.Popen(
            ["cupsd", "-f", "-c", str(self.root / "cupsd.conf"), "-s", str(self.root / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_S
        while not os.path.exists(self.socket_path):
            if self._process.poll() is not None or time.monotonic() > deadline:
                error_log = self.root / "log" / "error_log"
                log_text = error_log.read_text() if error_log.exists() else ""
                self.stop()
                raise RuntimeError(f"cupsd did not start: {log_text[-300:]}")
            time.sleep(0.05)
        return self.socket_path

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None
        for listener in self.listeners.values():
            if listener.server is not None:
                listener.server.stop()
        self.listeners.clear()
        if self.root != Path():
            shutil.rmtree(self.root, ignore_errors=True)

    def run(self, *args: str) -> str:
        """A CUPS command-line tool against this server (lpadmin, cupsdisable, cancel, ...)."""
        env = {**os.environ, "CUPS_SERVER": self.socket_path}
        return subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout

    def add_socket_queue(self, queue: str) -> JobListener:
        """A queue whose device is socket://127.0.0.1:PORT with a listener on PORT."""
        listener = JobListener()
        listener.server = TcpServer(listener.receive, f"lpd-{queue}")
        listener.port = listener.server.start()
        self.listeners[queue] = listener
        self.run("lpadmin", "-p", queue, "-E", "-v", f"socket://127.0.0.1:{listener.port}")
        return listener
