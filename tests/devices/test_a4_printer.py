"""The A4 printer driver against a real cupsd with socket:// queues."""

from pathlib import Path

import pytest

from devices.a4_printer import A4Printer, A4PrintError
from devices.sim.cups_server import CupsServer
from devices.state import DeviceState


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_bytes(b"%!PS-not-really: a raw page\nCEZ certificate of origin\n\f")
    return path


def test_job_is_tracked_to_completion_and_reaches_the_printer(cupsd: CupsServer, page: Path) -> None:
    listener = cupsd.add_socket_queue("a4_done")
    printer = A4Printer("a4_done", server=cupsd.socket_path)
    assert printer.status().state is DeviceState.READY
    job = printer.wait(printer.submit(page, raw=True), timeout=30)
    assert (job.state, job.final) == ("completed", True)
    assert listener.wait_for_jobs(1, timeout=10) == [page.read_bytes()]
    assert printer.counters["jobs_completed"] == 1


def test_stopped_queue_is_an_error_and_its_job_fails(cupsd: CupsServer, page: Path) -> None:
    cupsd.add_socket_queue("a4_stopped")
    cupsd.run("cupsdisable", "-r", "toner empty", "a4_stopped")
    printer = A4Printer("a4_stopped", server=cupsd.socket_path)
    status = printer.status()
    assert status.state is DeviceState.ERROR and "queue stopped" in status.detail
    job_id = printer.submit(page, raw=True)
    with pytest.raises(A4PrintError, match="stopped"):
        printer.wait(job_id, timeout=10)
    assert printer.job_state(job_id).state in ("pending", "held", "stopped")

    cupsd.run("cupsenable", "a4_stopped")  # the technician fixes it: the waiting job prints
    assert printer.wait(job_id, timeout=30).state == "completed"


def test_canceled_job_is_reported_failed(cupsd: CupsServer, page: Path) -> None:
    cupsd.add_socket_queue("a4_cancel")
    cupsd.run("cupsdisable", "a4_cancel")
    printer = A4Printer("a4_cancel", server=cupsd.socket_path)
    job_id = printer.submit(page, raw=True)
    cupsd.run("cancel", f"a4_cancel-{job_id}")
    cupsd.run("cupsenable", "a4_cancel")
    with pytest.raises(A4PrintError, match="canceled"):
        printer.wait(job_id, timeout=10)


def test_missing_queue_and_missing_cups_are_absent(cupsd: CupsServer, tmp_path: Path) -> None:
    missing_queue = A4Printer("no_such_queue", server=cupsd.socket_path).status()
    assert (missing_queue.state, missing_queue.detail) == (DeviceState.ABSENT, "no CUPS queue no_such_queue")
    no_cups = A4Printer("a4", server=str(tmp_path / "nothing.sock")).status()
    assert (no_cups.state, no_cups.detail) == (DeviceState.ABSENT, "CUPS is not running")


def test_self_test_prints_a_page(cupsd: CupsServer) -> None:
    listener = cupsd.add_socket_queue("a4_self")
    status = A4Printer("a4_self", server=cupsd.socket_path).self_test()
    assert (status.state, status.detail) == (DeviceState.READY, "test page printed")
    assert b"self-test" in listener.wait_for_jobs(1, timeout=10)[0]
