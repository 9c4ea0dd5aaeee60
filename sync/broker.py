"""A throwaway mosquitto broker on a free local port.

The demo, the tests and the reference central all need a real broker they can start, kill and
restart on the same port; this wraps the system's mosquitto binary with a minimal config written
to a private temp dir, so nothing on the machine's own mosquitto setup is touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

_FALLBACK_BINARY = "/usr/sbin/mosquitto"  # Debian installs it outside a normal user's PATH


class BrokerError(RuntimeError):
    """The broker could not be started (binary missing, exited at once, port never opened)."""


def find_mosquitto() -> str | None:
    """The mosquitto binary on PATH, else Debian's /usr/sbin/mosquitto, else None."""
    found = shutil.which("mosquitto")
    if found:
        return found
    if os.access(_FALLBACK_BINARY, os.X_OK):
        return _FALLBACK_BINARY
    return None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class BrokerTls:
    """TLS for the listener: clients must present a certificate from `ca_file`; its CN becomes the
    MQTT username, and `acl` (mosquitto acl_file text) decides what each may read and write."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    acl: str


class MosquittoBroker:
    """One mosquitto process listening on 127.0.0.1:port, anonymous, without persistence.

    The port is chosen at construction, so a caller can learn it before the broker runs (to test a
    kiosk that starts while the broker is down) and `start()` again on the same port after
    `stop()` or `kill()` (to test a broker crash).
    """

    host = "127.0.0.1"

    def __init__(self, binary: str | None = None, port: int | None = None, tls: BrokerTls | None = None) -> None:
        self.binary = binary if binary is not None else find_mosquitto()
        self.tls = tls
        self.port = port if port is not None else free_port(self.host)
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout_s: float = 10.0) -> None:
        """Start mosquitto and return once its port accepts connections."""
        if self.running:
            raise BrokerError(f"broker already running on port {self.port}")
        if self.binary is None or not os.access(self.binary, os.X_OK):
            raise BrokerError(
                f"mosquitto binary not found (looked for {self.binary or 'mosquitto on PATH'} "
                f"and {_FALLBACK_BINARY}); install the 'mosquitto' package"
            )
        self._workdir = Path(tempfile.mkdtemp(prefix="cez-mosquitto-"))
        conf = self._workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} {self.host}\n"
            + self._security(self._workdir)
            + "persistence false\n"
            # mosquitto's default of 1000 queued QoS 1 messages per client silently drops the rest
            # when a consumer falls behind a backlog drain; the outbox would resend them, but only
            # after its resend timeout. Production brokers need the same setting (docs/sync.md).
            "max_queued_messages 1000000\n"
            "log_dest stderr\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
        )
        log_path = self._workdir / "mosquitto.log"
        # The log is a file we own rather than a pipe: mosquitto drops root privileges and a full
        # pipe nobody reads would stall it.
        with log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [self.binary, "-c", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + timeout_s
        while True:
            code = self._process.poll()
            if code is not None:
                tail = log_path.read_text(errors="replace")[-800:]
                self._cleanup()
                raise BrokerError(f"mosquitto exited with code {code} on port {self.port}: {tail.strip()}")
            if self._accepts_connections():
                return
            if time.monotonic() > deadline:
                self.kill()
                raise BrokerError(f"mosquitto did not open port {self.port} within {timeout_s} s")
            time.sleep(0.02)

    def _security(self, workdir: Path) -> str:
        if self.tls is None:
            return "allow_anonymous true\n"
        # mosquitto drops root privileges before it reads these: copies in a folder it can read.
        workdir.chmod(0o755)
        files = {}
        for name, source in (("ca.pem", self.tls.ca_file), ("server.pem", self.tls.cert_file),
                             ("server.key", self.tls.key_file)):
            files[name] = workdir / name
            shutil.copyfile(source, files[name])
            files[name].chmod(0o644)
        acl = workdir / "acl"
        acl.write_text(self.tls.acl)
        acl.chmod(0o644)
        return (
            f"cafile {files['ca.pem']}\ncertfile {files['server.pem']}\nkeyfile {files['server.key']}\n"
            "require_certificate true\nuse_identity_as_username true\nallow_anonymous false\n"
            f"acl_file {acl}\n"
        )

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM and wait (SIGKILL if it does not exit in time). Safe to call when not running."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._cleanup()

    def kill(self) -> None:
        """SIGKILL, the way a crash or power loss looks to the clients. Safe when not running."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._cleanup()

    def _accepts_connections(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def _cleanup(self) -> None:
        self._process = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> MosquittoBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
