"""A4 printer driver through CUPS: submits with `lp`, reads queue state with `lpstat`, and follows each
job with IPP Get-Job-Attributes (`ipptool`) until it completes or fails.

Command-line tools rather than pycups: they ship with every CUPS install (pycups needs libcups headers
to build), and a CUPS server is addressed the same way they all are: `server` is a host[:port] or the
path of cupsd's domain socket; None means the system default ($CUPS_SERVER, then localhost).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

KIND = "a4_printer"
FINAL_OK, FINAL_FAILED = {"completed"}, {"canceled", "aborted"}
POLL_S = 0.2
GET_JOB_TEST = """{
    OPERATION Get-Job-Attributes
    GROUP operation-attributes-tag
    ATTR charset attributes-charset utf-8
    ATTR naturalLanguage attributes-natural-language en
    ATTR uri job-uri $uri
    ATTR keyword requested-attributes job-state,job-state-reasons
    STATUS successful-ok
    DISPLAY job-state
    DISPLAY job-state-reasons
}
"""
SELF_TEST_PAGE = b"CEZ Kiosk A4 printer self-test\n\f"


class A4PrintError(RuntimeError):
    """A job could not be submitted, or ended without printing."""


@dataclass(frozen=True)
class JobState:
    """A CUPS job's IPP state (pending, held, processing, stopped, canceled, aborted, completed)."""

    job_id: int
    state: str
    reasons: str = ""

    @property
    def final(self) -> bool:
        return self.state in FINAL_OK | FINAL_FAILED


class A4Printer:
    """The CUPS queue `queue` on `server`."""

    def __init__(self, queue: str, server: str | None = None, name: str = "a4_printer",
                 timeout: float = 10.0) -> None:
        self.queue = queue
        self.server = server
        self.name = name
        self.timeout = timeout
        self.counters = {"jobs_submitted": 0, "jobs_completed": 0, "jobs_failed": 0}

    def status(self) -> DeviceStatus:
        """Ready when the queue accepts and prints; error when it is stopped; absent when CUPS or the
        queue is missing; busy while printing."""
        if "scheduler is running" not in self._run(["lpstat", "-r"]).stdout:
            return self._status(DeviceState.ABSENT, "CUPS is not running")
        result = self._run(["lpstat", "-p", self.queue])
        text = (result.stdout + result.stderr).strip()
        if result.returncode != 0 or not text.startswith(f"printer {self.queue} "):
            return self._status(DeviceState.ABSENT, f"no CUPS queue {self.queue}")
        first, _, rest = text.partition("\n")
        if " disabled since " in first:
            return self._status(DeviceState.ERROR, f"queue stopped: {rest.strip() or 'no reason given'}"[:200])
        if " now printing " in first:
            return self._status(DeviceState.BUSY, "printing")
        return self._status(DeviceState.READY, "idle")

    def submit(self, document: Path, title: str = "cez-kiosk", raw: bool = False) -> int:
        """Queue `document` (PDF, text, or printer-ready bytes with raw=True); returns the CUPS job id."""
        args = ["lp", "-d", self.queue, "-t", title]
        if raw:
            args += ["-o", "raw"]
        result = self._run([*args, "--", str(document)])
        words = result.stdout.split()
        if result.returncode != 0 or len(words) < 4 or not words[3].startswith(f"{self.queue}-"):
            raise A4PrintError(f"{self.name}: lp failed: {result.stderr.strip() or result.stdout.strip()}")
        job_id = int(words[3].rsplit("-", 1)[1])
        self.counters["jobs_submitted"] += 1
        log.info("%s: job %d submitted", self.name, job_id)
        return job_id

    def job_state(self, job_id: int) -> JobState:
        """The job's IPP state now; A4PrintError when CUPS does not know it."""
        if shutil.which("ipptool") is None:
            raise A4PrintError(f"{self.name}: ipptool is not installed (apt-get install cups-ipp-utils)")
        with tempfile.NamedTemporaryFile("w", suffix=".test", delete=False) as test:
            test.write(GET_JOB_TEST)
        try:
            result = self._run(["ipptool", "-c", f"{self._ipp_base()}/jobs/{job_id}", test.name])
        finally:
            os.unlink(test.name)
        rows = result.stdout.strip().splitlines()
        if result.returncode != 0 or len(rows) < 2:
            raise A4PrintError(f"{self.name}: job {job_id} is unknown to CUPS")
        state, _, reasons = rows[1].partition(",")
        return JobState(job_id, state.strip(), reasons.strip().strip('"'))

    def wait(self, job_id: int, timeout: float = 60.0) -> JobState:
        """Follow a job until it completes (returned) or fails (A4PrintError): canceled, aborted, or
        stuck behind a stopped queue. TimeoutError when it is still waiting after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job_state(job_id)
            if job.state in FINAL_OK:
                self.counters["jobs_completed"] += 1
                return job
            if job.state in FINAL_FAILED:
                self.counters["jobs_failed"] += 1
                raise A4PrintError(f"{self.name}: job {job_id} {job.state} ({job.reasons})")
            status = self.status()
            if status.state in (DeviceState.ERROR, DeviceState.ABSENT):
                raise A4PrintError(f"{self.name}: job {job_id} waits on a {status.detail}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: job {job_id} still {job.state} after {timeout:.0f} s")
            time.sleep(POLL_S)

    def self_test(self) -> DeviceStatus:
        """Print a one-line page and follow it to completion; the status says how it went."""
        status = self.status()
        if status.state is not DeviceState.READY:
            return status
        with tempfile.NamedTemporaryFile(suffix=".txt") as page:
            page.write(SELF_TEST_PAGE)
            page.flush()
            try:
                self.wait(self.submit(Path(page.name), "cez-kiosk self-test", raw=True), self.timeout)
            except (A4PrintError, TimeoutError) as exc:
                return self._status(DeviceState.ERROR, str(exc))
        return self._status(DeviceState.READY, "test page printed")

    def _ipp_base(self) -> str:
        server = self.server or os.environ.get("CUPS_SERVER", "localhost")
        host = quote(server, safe="") if server.startswith("/") else server
        return f"ipp://{host}"

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        if self.server is not None:
            env["CUPS_SERVER"] = self.server
        try:
            return subprocess.run(args, capture_output=True, text=True, env=env, timeout=self.timeout,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return subprocess.CompletedProcess(args, 1, "", str(exc))

    def _status(self, state: DeviceState, detail: str) -> DeviceStatus:
        return DeviceStatus(name=self.name, kind=KIND, state=state, detail=detail)
