"""Sheet-fed document scanner through SANE's `scanimage`: batch scans from the automatic document
feeder, every page as PNG, and SANE's status codes turned into device states a technician understands.

`scanimage` rather than python-sane: it needs no compiled binding, and a stuck backend can be killed
without taking the kiosk's process with it. Its exit code is the SANE status of the failure.

A backend can wedge in the middle of a batch (SANE's `test` backend does, under CPU load: it cancels
its reader thread asynchronously while that thread holds glibc's malloc lock, and then waits for it
forever). So scanimage is watched for progress, not given one deadline for the whole batch: when it
writes nothing for `stall_after` seconds it is killed and the pages it finished are kept.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

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
    """The SANE device `device` (e.g. "fujitsu:fi-7160:123" or "test"), scanning from `source`.

    `stall_after`: seconds scanimage may go without producing anything (no output, no page bytes)
    before it is considered wedged and killed. `program` is the scanimage to run."""

    def __init__(self, device: str, name: str = "scanner", *, source: str | None = ADF, resolution: int = 200,
                 mode: str = "Gray", options: tuple[str, ...] = (), env: dict[str, str] | None = None,
                 stall_after: float = 30.0, program: str = "scanimage") -> None:
        if not (isinstance(stall_after, (int, float)) and math.isfinite(stall_after) and stall_after > 0):
            raise ValueError(f"{name}: stall_after must be a positive number of seconds, not {stall_after!r}")
        self.device = device
        self.name = name
        self.source = source
        self.resolution = resolution
        self.mode = mode
        self.options = options
        self.env = env
        self.stall_after = float(stall_after)
        self.program = program
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
        was there; ScannerFault (with the pages done so far) when it stopped on a fault or stalled.
        scanimage writes each page to `.part` and renames it when complete, so only whole pages count;
        the page it was writing when it stopped goes with the temporary folder."""
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
        command = [self.program, "-d", self.device]
        if args != ["-A"]:
            command += [f"--resolution={self.resolution}", f"--mode={self.mode}"]
            if self.source is not None:
                command.append(f"--source={self.source}")
            command += list(self.options)
        command += args
        env = {**os.environ, **(self.env or {})}
        try:  # its own process group, so a wedged scanimage goes together with anything it started
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, env=env, cwd=cwd, process_group=0)
        except FileNotFoundError as exc:
            raise ScannerError(f"{self.name}: {self.program} is not installed (apt-get install sane-utils)") from exc
        return _finish(process, self.stall_after, cwd)

    def _set(self, state: DeviceState, detail: str) -> DeviceStatus:
        self._state, self._detail = state, detail
        return DeviceStatus(self.name, KIND, state, detail)


BATCH_END = re.compile(r"scanner status = (\d+)")
SANE_STATUS_EOF = 5
KILLED = -9
"""The exit code reported for a scanimage the driver had to kill (it stalled, or hung after a batch that
ended oddly): not a SANE status, so the device shows what happened rather than a made-up I/O error."""
HANG_GRACE_S = 3.0
"""How long scanimage may linger after it reported how its batch ended: its status is known by then, and
the same backend deadlock can strike while it closes the device (seen after SANE_STATUS_DEVICE_BUSY)."""
POLL_S = 0.2


class _Progress:
    """Everything scanimage has produced so far: its stderr (kept), its stdout (counted) and the bytes of
    the page files in its output folder. Any change is progress; the watchdog only compares marks."""

    def __init__(self, process: subprocess.Popen[bytes], out: Path | None) -> None:
        assert process.stdout is not None and process.stderr is not None
        self.out = out
        self.streams = (process.stdout, process.stderr)
        self.stderr_lines: list[str] = []
        self.piped = [0, 0]  # bytes seen on stdout, stderr; each counted by its own reader thread
        self.batch_over = threading.Event()
        self.readers = [threading.Thread(target=self._count, args=(process.stdout.fileno(),), daemon=True),
                        threading.Thread(target=self._keep, args=(process.stderr,), daemon=True)]
        for reader in self.readers:
            reader.start()

    def _count(self, fd: int) -> None:
        while chunk := os.read(fd, 65536):
            self.piped[0] += len(chunk)

    def _keep(self, stream: IO[bytes]) -> None:
        for raw in stream:
            self.piped[1] += len(raw)
            line = raw.decode("utf-8", "replace")
            self.stderr_lines.append(line)
            if line.startswith("Batch terminated"):  # scanimage's last word on a batch
                self.batch_over.set()

    def mark(self) -> tuple[int, ...]:
        return (*self.piped, *_folder_size(self.out))

    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def close(self) -> None:
        """Collect the readers (they end once scanimage's group is gone) and close the pipes."""
        for reader in self.readers:
            reader.join(timeout=1)
        if not any(reader.is_alive() for reader in self.readers):
            for stream in self.streams:
                stream.close()


def _folder_size(out: Path | None) -> tuple[int, int]:
    """(files, bytes) in scanimage's output folder; a page growing or renamed counts as progress."""
    if out is None:
        return 0, 0
    files = size = 0
    with os.scandir(out) as entries:
        for entry in entries:
            try:
                size += entry.stat().st_size
            except FileNotFoundError:  # renamed from .part between listing and stat
                continue
            files += 1
    return files, size


def _finish(process: subprocess.Popen[bytes], stall_after: float,
            out: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Wait for scanimage while it makes progress. Kill its process group when it produced nothing for
    `stall_after` seconds (exit code KILLED), or when it lingers after reporting its batch's end (then
    that reported status stands, as scanimage would have exited with it)."""
    progress = _Progress(process, out)
    try:
        last, moved = progress.mark(), time.monotonic()
        while True:
            lingering = progress.batch_over.is_set()
            try:
                returncode = process.wait(timeout=HANG_GRACE_S if lingering else POLL_S)
                break
            except subprocess.TimeoutExpired:
                pass
            if lingering:
                _kill_group(process)
                return _after_batch(process, progress)
            now, mark = time.monotonic(), progress.mark()
            if mark != last:
                last, moved = mark, now
            elif now - moved >= stall_after:
                _kill_group(process)
                progress.close()
                detail = f"scanner stalled: no data for {stall_after:g} s"
                log.warning("scanimage stalled; killed it", extra={"ctx": {"stall_after_s": stall_after}})
                return subprocess.CompletedProcess(process.args, KILLED, "", progress.stderr() + detail + "\n")
    finally:
        if process.poll() is None:  # interrupted (KeyboardInterrupt, a reader's error): leave nothing running
            _kill_group(process)
    progress.close()
    return subprocess.CompletedProcess(process.args, returncode, "", progress.stderr())


def _after_batch(process: subprocess.Popen[bytes], progress: _Progress) -> subprocess.CompletedProcess[str]:
    """The result of a scanimage killed while lingering after its batch, as scanimage would have exited:
    the status of the page before "Batch terminated" (a page that ended normally, EOF, is success), or
    NO_DOCS when the feeder ran out; any other ending keeps scanimage's last line as the detail."""
    progress.close()
    lines = [line for line in progress.stderr_lines if line.strip()]
    ended = next(i for i, line in enumerate(lines) if line.startswith("Batch terminated"))
    before = lines[ended - 1] if ended else ""
    if match := BATCH_END.search(before):
        status = 0 if int(match.group(1)) == SANE_STATUS_EOF else int(match.group(1))
    elif "sane_start: Document feeder out of documents" in before:
        status = SANE_STATUS_NO_DOCS  # the feeder's normal end once pages came out; empty otherwise
    else:
        return subprocess.CompletedProcess(process.args, KILLED, "", "".join(lines[:ended]) or "scanimage hung")
    log.warning("scanimage hung after its batch ended; stopped it", extra={"ctx": {"status": status}})
    return subprocess.CompletedProcess(process.args, status, "", progress.stderr())


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("scanimage: ")[:200] if lines else ""
