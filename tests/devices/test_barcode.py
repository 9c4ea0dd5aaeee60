"""Barcode readers against their simulators over real ptys, through every scripted fault."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.barcode import (
    BarcodeScan,
    HidBarcodeReader,
    KeyEventDecoder,
    RepeatFilter,
    SerialBarcodeReader,
    SerialFramer,
    split_aim,
)
from devices.sim.barcode_reader import HidBarcodeSimulator, SerialBarcodeSimulator
from devices.state import DeviceState
from devices.transport import TransportError


def collect(reader: SerialBarcodeReader | HidBarcodeReader, count: int, timeout: float = 5) -> list[BarcodeScan]:
    scans: list[BarcodeScan] = []
    deadline = time.monotonic() + timeout
    while len(scans) < count and time.monotonic() < deadline:
        scans += reader.poll(0.05)
    return scans


@pytest.fixture
def serial_sim(tmp_path: Path) -> Iterator[SerialBarcodeSimulator]:
    sim = SerialBarcodeSimulator(link=tmp_path / "barcode", prefix=b"\x02", suffix=b"\r\n")
    sim.start()
    yield sim
    sim.stop()


def serial_reader(sim: SerialBarcodeSimulator, **kwargs: object) -> SerialBarcodeReader:
    reader = SerialBarcodeReader(f"serial://{sim.path}", prefix=b"\x02", suffix=b"\r\n", **kwargs)  # type: ignore[arg-type]
    reader.open()
    return reader


def test_serial_scan_with_prefix_suffix_and_aim_id(serial_sim: SerialBarcodeSimulator) -> None:
    seen: list[BarcodeScan] = []
    reader = serial_reader(serial_sim, on_scan=seen.append)
    serial_sim.scan("GE-AB123CD", "]C0")
    serial_sim.scan("https://cez.example/v/1", "]Q1")
    scans = collect(reader, 2)
    assert [(s.data, s.symbology) for s in scans] == [("GE-AB123CD", "code128"), ("https://cez.example/v/1", "qr")]
    assert seen == scans
    assert reader.status().state is DeviceState.READY
    reader.close()


def test_repeated_scans_inside_the_window_are_reported_once(serial_sim: SerialBarcodeSimulator) -> None:
    reader = serial_reader(serial_sim, repeat_window_s=30)
    for _ in range(5):
        serial_sim.scan("SAME")
    serial_sim.scan("OTHER")
    scans = collect(reader, 2)
    time.sleep(0.2)
    scans += reader.poll(0.1)
    assert [s.data for s in scans] == ["SAME", "OTHER"]
    assert reader.counters["repeats_dropped"] == 4
    reader.close()


def test_repeat_filter_window() -> None:
    window = RepeatFilter(2.0)
    assert window.accept("A", 0.0) and not window.accept("A", 1.0) and not window.accept("A", 2.5)
    assert window.accept("A", 5.0) and window.accept("B", 5.1)


def test_trigger_command_reads_the_code_in_view_and_self_test_passes(serial_sim: SerialBarcodeSimulator) -> None:
    reader = serial_reader(serial_sim, timeout=0.3)
    reader.trigger()
    assert [s.data for s in collect(reader, 1)] == ["CEZ-SELF-TEST"]
    assert reader.self_test().state is DeviceState.READY
    assert serial_sim.triggers == 2
    serial_sim.in_view = None
    assert reader.self_test().state is DeviceState.ERROR
    reader.close()


@pytest.mark.parametrize("fault", ["garbage", "slow", "partial"])
def test_link_faults_lose_no_scan(serial_sim: SerialBarcodeSimulator, fault: str) -> None:
    reader = serial_reader(serial_sim)
    serial_sim.set_fault(fault)
    serial_sim.scan("FIRST")
    serial_sim.set_fault(fault, False)
    serial_sim.scan("SECOND")
    assert [s.data for s in collect(reader, 2)] == ["FIRST", "SECOND"]
    assert reader.status().state is DeviceState.READY
    reader.close()


def test_unplug_is_absent_and_reopening_after_replug_reads_again(serial_sim: SerialBarcodeSimulator) -> None:
    reader = serial_reader(serial_sim)
    serial_sim.set_fault("unplug")
    with pytest.raises(TransportError):
        collect(reader, 1, timeout=2)
    assert reader.status().state is DeviceState.ABSENT
    with pytest.raises(TransportError):
        reader.open()
    serial_sim.set_fault("unplug", False)
    reader.open()
    serial_sim.scan("AFTER-REPLUG")
    assert [s.data for s in collect(reader, 1)] == ["AFTER-REPLUG"]
    reader.close()


def test_framer_drops_noise_and_unframed_bytes() -> None:
    framer = SerialFramer(b"\x02", b"\r")
    assert framer.feed(b"\xff\x00junk\r\x02AB") == []
    assert framer.feed(b"C\r\x02\r") == [b"ABC"]
    assert framer.dropped == 2
    assert split_aim("]d2010123") == ("010123", "datamatrix") and split_aim("plain") == ("plain", None)


def test_hid_wedge_over_a_pty_decodes_shifted_characters(tmp_path: Path) -> None:
    sim = HidBarcodeSimulator(link=tmp_path / "event-kbd")
    sim.start()
    try:
        reader = HidBarcodeReader(f"file://{tmp_path / 'event-kbd'}")
        assert reader.self_test().state is DeviceState.READY
        sim.scan("CMR-2026/AbZ:42")
        sim.scan("CMR-2026/AbZ:42")
        sim.set_fault("partial")
        sim.scan("second one")
        sim.set_fault("partial", False)
        sim.set_fault("garbage")  # noise before the next records: the decoder gets back in step
        sim.scan("third")
        assert [s.data for s in collect(reader, 3)] == ["CMR-2026/AbZ:42", "second one", "third"]
        assert reader.counters["repeats_dropped"] == 1
        reader.close()
    finally:
        sim.stop()


def test_key_decoder_ignores_other_events_and_handles_split_records() -> None:
    sim_records = bytearray()
    from devices.sim.barcode_reader import _key

    for code in (30, 48):  # a, b
        sim_records += _key(code, 1) + _key(code, 2) + _key(code, 0)
    sim_records += _key(28, 1)
    decoder = KeyEventDecoder()
    out: list[str] = []
    for index in range(0, len(sim_records), 7):
        out += decoder.feed(bytes(sim_records[index : index + 7]))
    assert out == ["ab"]


def test_reader_thread_sees_scans_while_running(serial_sim: SerialBarcodeSimulator) -> None:
    reader = serial_reader(serial_sim)
    got = threading.Event()
    reader.on_scan = lambda scan: got.set()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: [reader.poll(0.05) for _ in iter(stop.is_set, True)])
    thread.start()
    serial_sim.scan("THREADED")
    assert got.wait(5)
    stop.set()
    thread.join()
    reader.close()
