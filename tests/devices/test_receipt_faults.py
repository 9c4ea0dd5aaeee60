"""Every scripted printer fault: the driver reports the right state, recovers, and loses no job."""

import io
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image
from sqlite_utils import Database

from devices.print_queue import PrintQueue, PrintSpooler
from devices.receipt_printer import PrinterUnavailable, Receipt, ReceiptPrinter, render_receipt
from devices.sim.escpos_printer import EscposPrinterSimulator
from devices.sim.receipt_png import render_png
from devices.state import DeviceState
from devices.transport import open_transport

RECEIPT = Receipt(title="CEZ Kiosk", lines=[f"line {n}" for n in range(8)], reference="CEZ-1",
                  qr_payload="https://cez.example/v/1")


@pytest.fixture
def queue(tmp_path: Path) -> PrintQueue:
    return PrintQueue(Database(sqlite3.connect(tmp_path / "jobs.db", check_same_thread=False)))


def test_paper_out_mid_job_prints_one_complete_receipt_after_paper_is_back(
    printer_sim: EscposPrinterSimulator, queue: PrintQueue
) -> None:
    printer = ReceiptPrinter(printer_sim.url)
    spooler = PrintSpooler(queue, "receipt", printer.send)
    job = queue.submit("receipt", render_receipt(RECEIPT))
    printer_sim.run_out_after(lines=4)  # the roll ends in the middle of this receipt

    assert spooler.drain() == 0
    assert queue.state(job) == "queued"
    status = printer.status()
    assert (status.state, status.detail) == (DeviceState.DEGRADED, "out of paper")
    assert spooler.drain() == 0  # still no paper: nothing sent, nothing lost

    printer_sim.paper = "ok"
    assert spooler.drain() == 1
    assert queue.state(job) == "printed"
    printed = printer_sim.wait_for_receipt(timeout=5)
    assert printed is not None and printed.cut
    assert printed.lines == ["CEZ Kiosk", *RECEIPT.lines, "CEZ-1"]
    assert printed.qr_payloads == [RECEIPT.qr_payload]
    assert len(printer_sim.receipts) == 1  # one complete receipt, no partial one beside it
    assert len(printer_sim.spoiled) == 1 and not printer_sim.spoiled[0].cut
    assert spooler.drain() == 0  # printed once
    pixels = np.asarray(Image.open(io.BytesIO(render_png(printed.events))).convert("L"))
    assert [code.text for code in zxingcpp.read_barcodes(pixels)] == [RECEIPT.qr_payload]


def test_spooler_thread_prints_a_waiting_job_once_the_paper_is_back(
    printer_sim: EscposPrinterSimulator, queue: PrintQueue
) -> None:
    printer_sim.paper = "out"
    spooler = PrintSpooler(queue, "receipt", ReceiptPrinter(printer_sim.url).send)
    stop = threading.Event()
    worker = threading.Thread(target=spooler.serve, args=(stop, 0.05))
    worker.start()
    try:
        job = queue.submit("receipt", render_receipt(RECEIPT))
        spooler.wake()
        assert printer_sim.wait_for_receipt(timeout=0.5) is None
        printer_sim.paper = "ok"  # no wake: the periodic drain finds the paper back
        printed = printer_sim.wait_for_receipt(timeout=5)
        assert printed is not None and printed.qr_payloads == [RECEIPT.qr_payload]
    finally:
        stop.set()
        spooler.wake()
        worker.join(timeout=5)
    assert queue.state(job) == "printed" and queue.pending("receipt") == 0


def test_jobs_survive_a_restart_and_print_in_order(printer_sim: EscposPrinterSimulator, tmp_path: Path) -> None:
    printer_sim.paper = "out"
    first = PrintQueue(Database(tmp_path / "jobs.db"))
    for reference in ("A-1", "A-2"):
        first.submit("receipt", render_receipt(Receipt("CEZ", [], reference, reference)))
    assert PrintSpooler(first, "receipt", ReceiptPrinter(printer_sim.url).send).drain() == 0

    printer_sim.paper = "ok"
    reopened = PrintQueue(Database(tmp_path / "jobs.db"))  # the kiosk restarted
    assert PrintSpooler(reopened, "receipt", ReceiptPrinter(printer_sim.url).send).drain() == 2
    assert [r.qr_payloads for r in printer_sim.receipts] == [["A-1"], ["A-2"]]


def test_cover_open_degrades_blocks_printing_and_recovers(printer_sim: EscposPrinterSimulator) -> None:
    printer = ReceiptPrinter(printer_sim.url)
    printer_sim.set_fault("cover_open")
    status = printer.status()
    assert (status.state, status.detail) == (DeviceState.DEGRADED, "cover open")
    with pytest.raises(PrinterUnavailable, match="cover open"):
        printer.print_receipt(RECEIPT)
    printer_sim.set_fault("cover_open", False)
    assert printer.status().state is DeviceState.READY
    printer.print_receipt(RECEIPT)
    assert printer_sim.wait_for_receipt(timeout=5) is not None
    assert len(printer_sim.receipts) == 1


def test_paper_low_still_prints(printer_sim: EscposPrinterSimulator) -> None:
    printer_sim.set_fault("paper_low")
    printer = ReceiptPrinter(printer_sim.url)
    assert printer.report().can_print and printer.status().detail == "paper low"
    printer.print_receipt(RECEIPT)
    assert printer_sim.wait_for_receipt(timeout=5) is not None


@pytest.mark.parametrize("over", ["socket", "pty"])
def test_garbage_reply_is_an_error_then_recovers(printer_sim: EscposPrinterSimulator, over: str) -> None:
    url = printer_sim.url if over == "socket" else str(printer_sim.serial_url)
    printer = ReceiptPrinter(url, timeout=0.5)
    printer_sim.set_fault("garbage")
    status = printer.status()
    assert status.state is DeviceState.ERROR and "no valid reply" in status.detail
    assert printer.status().state is DeviceState.READY  # the junk was drained, the next answer is sane
    printer.print_receipt(RECEIPT)
    assert printer_sim.wait_for_receipt(timeout=5) is not None


def test_slow_replies_within_the_timeout_are_fine_and_beyond_it_an_error(
    printer_sim: EscposPrinterSimulator,
) -> None:
    printer_sim.set_fault("slow")
    assert ReceiptPrinter(printer_sim.url, timeout=2).status().state is DeviceState.READY
    assert ReceiptPrinter(printer_sim.url, timeout=0.1).status().state is DeviceState.ERROR
    printer_sim.set_fault("slow", False)
    assert ReceiptPrinter(printer_sim.url, timeout=0.1).status().state is DeviceState.READY


def test_replies_in_pieces_are_reassembled(printer_sim: EscposPrinterSimulator) -> None:
    printer_sim.set_fault("partial")
    printer = ReceiptPrinter(str(printer_sim.serial_url))
    printer.print_receipt(RECEIPT)
    printed = printer_sim.wait_for_receipt(timeout=5)
    assert printed is not None and printed.qr_payloads == [RECEIPT.qr_payload]


def test_unplug_makes_it_absent_and_queued_jobs_print_after_replug(tmp_path: Path, queue: PrintQueue) -> None:
    sim = EscposPrinterSimulator(link=tmp_path / "printer")
    sim.start()
    try:
        printer = ReceiptPrinter(f"serial://{tmp_path / 'printer'}", timeout=0.5)
        spooler = PrintSpooler(queue, "receipt", printer.send)
        sim.set_fault("unplug")
        assert not (tmp_path / "printer").exists()
        assert printer.status().state is DeviceState.ABSENT
        queue.submit("receipt", render_receipt(RECEIPT))
        assert spooler.drain() == 0
        sim.set_fault("unplug", False)
        assert printer.status().state is DeviceState.READY
        assert spooler.drain() == 1
        assert sim.wait_for_receipt(timeout=5) is not None
    finally:
        sim.stop()


def test_a_printer_port_held_elsewhere_is_busy_not_absent(printer_sim: EscposPrinterSimulator) -> None:
    url = str(printer_sim.serial_url)
    with open_transport(url):  # e.g. the core prints while a technician runs `devices check`
        status = ReceiptPrinter(url).status()
        assert (status.state, "in use" in status.detail) == (DeviceState.BUSY, True)
        with pytest.raises(PrinterUnavailable, match="busy"):
            ReceiptPrinter(url).print_receipt(RECEIPT)
    assert ReceiptPrinter(url).status().state is DeviceState.READY
