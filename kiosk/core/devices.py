"""The core's peripherals: every configured device built through the inventory and kept up by the
supervisor, and receipts printed through the durable print queue.

Device facts arrive on driver, supervisor and spooler threads; `DeviceHub` hops each onto the core's
event loop with `call_soon_threadsafe` and hands it to one callback there, so the store, the bus and
presence are only touched from the loop. `devices` never learns about `kiosk`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from sqlite_utils import Database

from devices import wire_log
from devices.barcode import BarcodeScan
from devices.inventory import KINDS, DeviceSpec, build
from devices.mcu_board import BoardEvent, McuBoard
from devices.print_queue import PrintJob, PrintQueue, PrintSpooler
from devices.receipt_printer import ReceiptPrinter
from devices.state import DeviceState, DeviceStatus
from devices.supervisor import Device, DeviceEvent, Supervisor
from kiosk.core.config import DevicesSection
from kiosk.core.store import open_database

log = logging.getLogger(__name__)

RECEIPT_PRINTER = "receipt_printer"
NOT_CONFIGURED = "not configured"

DeviceCallback = Callable[[str, dict[str, Any]], None]
"""(event type, data) on the loop thread: device.state, barcode.scanned, board.event, receipt.printed,
receipt.waiting."""


class UnknownDevice(KeyError):
    """No device of that name is configured."""


@runtime_checkable
class PageSource(Protocol):
    """What the intake needs from a scanner driver (network, SANE or camera)."""

    def scan(self, timeout: float = 30) -> bytes: ...


def device_specs(config: DevicesSection) -> list[DeviceSpec]:
    """One spec per device kind, from its `<name>_url`; configured devices are required unless optional."""
    specs = []
    for name in KINDS:
        url = getattr(config, f"{name}_url")
        specs.append(DeviceSpec(name, url, required=url is not None and name not in config.optional))
    return specs


class HeldBoard:
    """The MCU board held connected (its bridge keeps the link up by itself, events flow meanwhile);
    a board that could not be reached is tried again at the supervisor's next status check."""

    def __init__(self, board: McuBoard) -> None:
        self.board = board
        self.name = board.name
        self.url = board.url

    def status(self) -> DeviceStatus:
        status = self.board.status()
        return self.board.start() if status.state is DeviceState.ABSENT else status

    def self_test(self) -> DeviceStatus:
        return self.status()

    def stop(self) -> None:
        self.board.stop()


class DeviceHub:
    """Builds the configured devices, supervises them and spools receipts; `start` on the loop."""

    def __init__(self, config: DevicesSection, db_path: Path, on_event: DeviceCallback) -> None:
        self.specs = device_specs(config)
        self._on_event = on_event
        self._loop: asyncio.AbstractEventLoop | None = None
        self.supervisor = Supervisor(on_event=self._device_event, check_interval_s=config.check_interval_s)
        self._check_interval_s = config.check_interval_s
        self._board: HeldBoard | None = None
        for spec in self.specs:
            driver = self._build(spec)
            if driver is not None:
                self.supervisor.add(driver, spec.kind, path=spec.path, required=spec.required)
        self.spooler: PrintSpooler | None = None
        self._spool_db: Database | None = None
        self._spool_stop = threading.Event()
        self._spool_thread: threading.Thread | None = None
        printer = self.driver(RECEIPT_PRINTER)
        if isinstance(printer, ReceiptPrinter):
            # The spooler drains from its own thread, so it gets its own connection to the store's file:
            # the loop's connection may be inside a transaction at any moment.
            self._spool_db = open_database(db_path)
            self.spooler = PrintSpooler(PrintQueue(self._spool_db), RECEIPT_PRINTER, printer.send,
                                        on_printed=self._job_printed, on_failed=self._job_failed)

    def _build(self, spec: DeviceSpec) -> Device | None:
        if spec.name == "mcu_board" and spec.url is not None:
            self._board = HeldBoard(McuBoard(spec.url, spec.name, on_event=self._board_event))
            return self._board
        return build(spec)

    # -- lifecycle (loop thread) ----------------------------------------------------------------

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.supervisor.start()
        if self.spooler is not None:
            spooler = self.spooler
            self._spool_thread = threading.Thread(
                target=lambda: spooler.serve(self._spool_stop, self._check_interval_s), name="receipt-spooler",
                daemon=True,
            )
            self._spool_thread.start()

    def stop(self) -> None:
        self._loop = None
        self._spool_stop.set()
        if self.spooler is not None:
            self.spooler.wake()
        if self._spool_thread is not None:
            self._spool_thread.join(timeout=15)
        self.supervisor.stop()
        if self._board is not None:
            self._board.stop()
        if self._spool_db is not None:
            self._spool_db.close()

    # -- queries --------------------------------------------------------------------------------

    def driver(self, name: str) -> Device | None:
        try:
            return self.supervisor.device(name)
        except KeyError:
            return None

    def statuses(self) -> list[dict[str, Any]]:
        """Every device kind: the supervisor's status of configured ones, 'not configured' for the rest."""
        supervised = {status.name: status for status in self.supervisor.statuses()}
        result = []
        for spec in self.specs:
            status = supervised.get(spec.name) or DeviceStatus(spec.name, spec.kind, DeviceState.ABSENT, NOT_CONFIGURED)
            result.append({**status.to_dict(), "required": spec.required})
        return result

    def set_wire_log(self, name: str, on: bool) -> None:
        """Record (or stop recording) a device's traffic; ValueError when it has no byte transport."""
        if self.driver(name) is None:
            raise UnknownDevice(name)
        self.supervisor.set_wire_log(name, on)

    def wire_log(self, name: str) -> dict[str, Any]:
        """What the wire log holds for a device (in memory only: scans may be personal data)."""
        if self.driver(name) is None:
            raise UnknownDevice(name)
        records = self.supervisor.wire_records(name)
        url = getattr(self.driver(name), "url", None)
        return {"name": name, "on": isinstance(url, str) and wire_log.enabled(url),
                "records": [record.to_dict() for record in records]}

    def wake_spooler(self) -> None:
        if self.spooler is not None:
            self.spooler.wake()

    # -- bridges from device threads onto the loop ----------------------------------------------

    def _hop(self, event_type: str, data: dict[str, Any]) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed under us: shutting down
            loop.call_soon_threadsafe(self._on_event, event_type, data)

    def _device_event(self, event: DeviceEvent) -> None:
        if event.type == "state":
            if event.name == RECEIPT_PRINTER and event.data["state"] in (DeviceState.READY, DeviceState.DEGRADED):
                self.wake_spooler()  # paper back (or low but printing): queued receipts go now
            self._hop("device.state", dict(event.data))
        elif isinstance(event.data, BarcodeScan):
            scan = event.data  # personal data at times: onto the bus for the UI, never into a log
            self._hop("barcode.scanned", {"reader": scan.reader, "data": scan.data, "symbology": scan.symbology})

    def _board_event(self, event: BoardEvent) -> None:
        self._hop("board.event", {"name": event.name, "value": event.value})

    def _job_printed(self, job: PrintJob) -> None:
        self._hop("receipt.printed", {"job_id": job.id})

    def _job_failed(self, job: PrintJob, error: str) -> None:
        self._hop("receipt.waiting", {"job_id": job.id, "error": error})
