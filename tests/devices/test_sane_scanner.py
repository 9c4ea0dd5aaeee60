"""The SANE scanner driver against SANE's `test` backend: ADF batches, its fault codes, an empty feeder."""

import io

import pytest
from PIL import Image

from devices.sane_scanner import SaneScanner, ScannerFault
from devices.scanner import FeederEmpty
from devices.state import DeviceState


def scanner(env: dict[str, str], *options: str) -> SaneScanner:
    return SaneScanner("test", resolution=25, options=("--test-picture=Grid", *options), env=env)


def test_batch_scan_from_the_feeder_returns_every_page_as_png(sane_env: dict[str, str]) -> None:
    device = scanner(sane_env)
    assert device.status().state is DeviceState.READY
    pages = device.scan_batch(max_pages=3)
    assert len(pages) == 3
    image = Image.open(io.BytesIO(pages[0]))
    assert image.format == "PNG" and image.width > 50 and image.height > 50
    assert device.status().detail == "3 page(s) scanned"
    assert device.counters["pages"] == 3


def test_a_full_feeder_runs_until_it_is_empty(sane_env: dict[str, str]) -> None:
    assert len(scanner(sane_env).scan_batch()) == 10  # the test backend's feeder holds ten sheets


@pytest.mark.parametrize(("status", "state", "detail"), [
    ("SANE_STATUS_JAMMED", DeviceState.ERROR, "paper jammed"),
    ("SANE_STATUS_COVER_OPEN", DeviceState.ERROR, "cover open"),
    ("SANE_STATUS_DEVICE_BUSY", DeviceState.BUSY, "device busy"),
])
def test_faults_set_the_state_and_clear_on_the_next_good_scan(
    sane_env: dict[str, str], status: str, state: DeviceState, detail: str
) -> None:
    faulty = scanner(sane_env, f"--read-return-value={status}")
    with pytest.raises(ScannerFault, match=detail) as raised:
        faulty.scan_batch(max_pages=2)
    assert raised.value.state is state and raised.value.pages == []
    reported = faulty.status()
    assert (reported.state, reported.detail) == ((state, detail) if state is not DeviceState.BUSY
                                                 else (DeviceState.READY, "idle"))
    faulty.options = ("--test-picture=Grid",)  # the technician clears the fault
    assert len(faulty.scan_batch(max_pages=1)) == 1
    assert faulty.status().state is DeviceState.READY


def test_empty_feeder_is_degraded_and_raises_feeder_empty(sane_env: dict[str, str]) -> None:
    device = scanner(sane_env, "--read-return-value=SANE_STATUS_NO_DOCS")
    with pytest.raises(FeederEmpty):
        device.scan_batch()
    status = device.status()
    assert (status.state, status.detail) == (DeviceState.DEGRADED, "feeder empty")


def test_missing_device_is_absent(sane_env: dict[str, str]) -> None:
    status = SaneScanner("nosuch:device", env=sane_env).status()
    assert status.state is DeviceState.ABSENT and status.detail


def test_a_scanimage_that_hangs_after_its_batch_is_stopped_and_its_status_used() -> None:
    """SANE's test backend sometimes deadlocks while closing after DEVICE_BUSY; a process that
    reports its batch's end and then never exits stands in for it here."""
    import subprocess
    import time

    from devices.sane_scanner import _finish

    script = (
        "echo 'scanimage: sane_read: Device busy' >&2; "
        "echo 'Scanned page 1. (scanner status = 3)' >&2; "
        "echo 'Batch terminated, 1 page scanned' >&2; exec sleep 60"
    )
    started = time.monotonic()
    process = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    result = _finish(process, timeout=30)
    assert result.returncode == 3  # SANE_STATUS_DEVICE_BUSY, as scanimage would have exited
    assert "Device busy" in result.stderr
    assert process.poll() is not None  # it was ended, not left behind
    assert time.monotonic() - started < 30  # it did not sit out the whole scan timeout


def test_a_scanimage_that_exits_after_its_batch_keeps_its_own_exit_code() -> None:
    import subprocess

    from devices.sane_scanner import _finish

    script = "echo 'Batch terminated, 2 pages scanned' >&2; sleep 0.5; exit 0"
    process = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert _finish(process, timeout=30).returncode == 0


def test_a_scanimage_silent_past_the_timeout_is_killed_and_reported_as_timed_out() -> None:
    import subprocess

    from devices.sane_scanner import TIMED_OUT, _finish

    process = subprocess.Popen(["sh", "-c", "echo 'Scanning page 1' >&2; exec sleep 60"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    result = _finish(process, timeout=1)
    assert (result.returncode, result.stderr) == (TIMED_OUT, "scan timed out")
    assert process.poll() is not None
