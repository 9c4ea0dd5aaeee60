"""Sheet-fed document scanner through SANE's `scanimage`: batch scans from the automatic document
feeder, every page as PNG, and SANE's status codes turned into device states a technician understands.

`scanimage` rather than python-sane: it needs no compiled binding, and a stuck backend can be killed
without taking the kiosk's process with it. Its exit code is the SANE status of the failure.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from devices.scanner import FeederEmpty, ScannerError, ScannerUnavailable
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

KIND = "document_scanner"
ADF = "Automatic Document Feeder"
# SANE_Status values scanimage exits with -> (state, detail).
SANE_FAULTS = {
    3: (DeviceState.BUSY, "device busy"),
    6: (DeviceState.ERROR, "paper jammed"),
    7: (DeviceState.DEGRADED, "feeder empty"),
    8: (DeviceState.ERROR, "cover open"),
    9: (DeviceState.ERROR, "I/O error"),
    11: (DeviceState.ERROR, "access denied"),
}
SANE_STATUS_NO_DOCS = 7


class ScannerFault(ScannerUnavailable):
    """The scanner stopped with a SANE status (jam, cover open, busy); `pages` came out before it."""

    def __init__(self, message: str, state: DeviceState, pages: list[bytes]) -> None:
        super().__init__(message)
        self.state = state
        self.pages = pages


class SaneScanner:
    """The SANE device `device` (e.g. "fujitsu:fi-7160:123" or "test"), scanning from `source`."""

    def __init__(self, device: str, name: str = "scanner", *, source: str | None = ADF, resolution: int = 200,
                 mode: str = "Gray", options: tuple[str, ...] = (), env: dict[str, str] | None = None,
                 timeout: float = 120.0) -> None:
        self.device = device
        self.name = name
        self.source = source
        self.resolution = resolution
        self.mode = mode
        self.options = options
        self.env = env
        self.timeout = timeout
        self.counters = {"pages": 0, "batches": 0, "faults": 0}
        self._state, self._detail = DeviceState.CONNECTING, "not checked yet"

    def status(self) -> DeviceStatus:
        """Ready when the device opens (its options can be read); the last scan's fault otherwise."""
        result = self._run(["-A"], None)
        if result.returncode != 0:
            return self._set(DeviceState.ABSENT, _last_line(result.stderr) or "device does not open")
        if self._state in (DeviceState.ABSENT, DeviceState.CONNECTING, DeviceState.BUSY):
            self._set(DeviceState.READY, "idle")
        return DeviceStatus(self.name, KIND, self._state, self._detail)

    def self_test(self) -> DeviceStatus:
        """Open the device and scan one page: a sheet in the feeder is scanned (and returned to the
        user by the feeder); an empty feeder reports degraded, a fault its state."""
        status = self.status()
        if status.state is not DeviceState.READY:
            return status
        try:
            self.scan_batch(max_pages=1)
        except ScannerError:
            return DeviceStatus(self.name, KIND, self._state, self._detail)
        return self._set(DeviceState.READY, "test page scanned")

    def scan_batch(self, max_pages: int | None = None) -> list[bytes]:
        """Scan the feeder's pages (up to `max_pages`) as PNGs, in order. FeederEmpty when no page
        was there; ScannerFault (with the pages done so far) when it stopped on a fault."""
        with tempfile.TemporaryDirectory(prefix="cez-scan-") as out:
            args = ["--format=png", f"--batch={out}/page-%04d.png"]
            if max_pages is not None:
                args.append(f"--batch-count={max_pages}")
            result = self._run(args, Path(out))
            pages = [path.read_bytes() for path in sorted(Path(out).glob("page-*.png"))]
        self.counters["batches"] += 1
        self.counters["pages"] += len(pages)
        code = result.returncode
        if code == 0 or (code == SANE_STATUS_NO_DOCS and pages):
            if not pages:
                self._set(*SANE_FAULTS[SANE_STATUS_NO_DOCS])
                raise FeederEmpty(f"{self.name}: feeder empty")
            self._set(DeviceState.READY, f"{len(pages)} page(s) scanned")
            log.info("%s: batch of %d page(s) scanned", self.name, len(pages))
            return pages
        self.counters["faults"] += 1
        state, detail = SANE_FAULTS.get(code, (DeviceState.ERROR, _last_line(result.stderr) or f"exit {code}"))
        self._set(state, detail)
        raise ScannerFault(f"{self.name}: {detail}", state, pages)

    def scan(self, timeout: float = 30) -> bytes:
        """One page, as NetworkScanner.scan does (so the core can switch drivers)."""
        pages = self.scan_batch(max_pages=1)
        return pages[0]

    def _run(self, args: list[str], cwd: Path | None) -> subprocess.CompletedProcess[str]:
        command = ["scanimage", "-d", self.device]
        if args != ["-A"]:
            command += [f"--resolution={self.resolution}", f"--mode={self.mode}"]
            if self.source is not None:
                command.append(f"--source={self.source}")
            command += list(self.options)
        command += args
        env = {**os.environ, **(self.env or {})}
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       env=env, cwd=cwd)
        except FileNotFoundError as exc:
            raise ScannerError(f"{self.name}: scanimage is not installed (apt-get install sane-utils)") from exc
        return _finish(process, self.timeout)

    def _set(self, state: DeviceState, detail: str) -> DeviceStatus:
        self._state, self._detail = state, detail
        return DeviceStatus(self.name, KIND, state, detail)


BATCH_END = re.compile(r"scanner status = (\d+)")
TIMED_OUT = -9
"""The exit code reported for a scanimage that said nothing of its batch within the timeout and was
killed: not a SANE status, so the device shows "scan timed out" rather than a made-up I/O error."""
HANG_GRACE_S = 3.0
"""How long scanimage may linger after it reported how its batch ended. SANE's test backend
sometimes deadlocks while closing after SANE_STATUS_DEVICE_BUSY (seen here: two threads parked on
a futex); a wedged frontend must not hold the kiosk for the whole scan timeout."""


def _finish(process: subprocess.Popen[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Wait for scanimage; if it hangs after reporting its batch's status, end it and use that status."""
    stderr_lines: list[str] = []
    reported = threading.Event()

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            stderr_lines.append(line)
            if line.startswith("Batch terminated"):  # scanimage's last word on a batch
                reported.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    assert process.stdout is not None
    stdout_reader = threading.Thread(target=process.stdout.read, daemon=True)
    stdout_reader.start()
    deadline = time.monotonic() + timeout
    returncode: int | None = None
    while returncode is None and time.monotonic() < deadline:
        lingering = reported.is_set()  # the batch is over: what remains is its grace period
        try:
            returncode = process.wait(timeout=HANG_GRACE_S if lingering else 0.2)
        except subprocess.TimeoutExpired:
            if lingering:
                break
    if returncode is None:
        process.kill()
        process.wait()
        reader.join(timeout=1)
        statuses = [int(match.group(1)) for line in stderr_lines if (match := BATCH_END.search(line))]
        if not statuses:
            return subprocess.CompletedProcess(process.args, TIMED_OUT, "", "scan timed out")
        log.warning("scanimage hung after its batch ended; stopped it", extra={"ctx": {"status": statuses[-1]}})
        returncode = statuses[-1]
    reader.join(timeout=1)
    return subprocess.CompletedProcess(process.args, returncode, "", "".join(stderr_lines))


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("scanimage: ")[:200] if lines else ""
