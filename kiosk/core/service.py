"""The core service: wires store, bus, devices, vision and sync into the kiosk's operations.

Everything that writes to the store runs on the event loop's thread (the single writer); blocking
device I/O and page reading run in executor threads. The local API calls these methods; it never
touches drivers or the store itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from devices.receipt_printer import PrinterUnavailable, Receipt, ReceiptPrinter
from devices.scanner import FeederEmpty, NetworkScanner, ScannerUnavailable
from devices.state import DeviceState, DeviceStatus
from kiosk import __version__
from kiosk.core import audit
from kiosk.core.bus import EventBus
from kiosk.core.config import KioskConfig
from kiosk.core.crashpoints import maybe_crash
from kiosk.core.store import Store, StoreFull
from kiosk.customs.declaration import (
    DRAFT_KIND,
    build_draft,
    make_reference,
    new_declaration_id,
    receipt_qr_payload,
)
from kiosk.flows.cmr_intake import IntakeState, confirmed_values
from sync.messages import make_envelope
from sync.mqtt_link import MqttLink
from sync.outbox import PRIORITY_DECLARATION, Outbox, OutboxFull
from sync.pump import OutboxPump
from sync.topics import ack_topic, declaration_topic
from vision.pipeline import UnreadableImage, read_cmr

log = logging.getLogger(__name__)

PURGE_EVERY_S = 600.0


class DeviceNotReady(RuntimeError):
    """The operation needs a device that cannot serve now; the message says which and why."""


class UnknownSession(KeyError):
    pass


class StorageFull(RuntimeError):
    """The store refused a write for lack of space; nothing was committed, so the driver can retry."""


class CoreService:
    def __init__(self, config: KioskConfig) -> None:
        self.config = config
        self.started = time.monotonic()
        self.store = Store(config.store.path)
        self.bus = EventBus()
        self.outbox = Outbox(self.store.db)
        self.scanner = NetworkScanner(config.devices.scanner_url) if config.devices.scanner_url else None
        self.printer = (
            ReceiptPrinter(config.devices.receipt_printer_url) if config.devices.receipt_printer_url else None
        )
        self._io = ThreadPoolExecutor(max_workers=2, thread_name_prefix="device-io")
        self._vision = ThreadPoolExecutor(max_workers=config.vision.workers, thread_name_prefix="vision")
        self.link = MqttLink(
            config.sync.broker_host,
            config.sync.broker_port,
            client_id=f"cez-{config.kiosk.id}",
            on_connected=lambda: self.pump.on_link_connected(),
            on_disconnected=lambda: self.pump.on_link_disconnected(),
            on_puback=lambda message_id: self.pump.on_link_puback(message_id),
            on_message=lambda topic, payload: self.pump.on_link_message(topic, payload),
        )
        self.pump = OutboxPump(
            self.outbox,
            self.link,
            resend_after_s=config.sync.resend_after_s,
            prefix=config.sync.topic_prefix,
            on_event=self._on_sync_event,
            crash_hook=maybe_crash,
        )

    # -- lifecycle -------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Run the sync pump and housekeeping until `stop` is set."""
        self.link.subscribe(ack_topic(self.config.sync.topic_prefix, self.config.kiosk.id))
        pump = asyncio.create_task(self.pump.run(stop), name="outbox-pump")
        await asyncio.sleep(0)  # let the pump take its loop before the link's first callback
        self.link.start()
        housekeeping = asyncio.create_task(self._housekeeping(stop), name="housekeeping")
        await stop.wait()
        await asyncio.gather(pump, housekeeping)

    def close(self) -> None:
        self.link.stop()
        self._io.shutdown(wait=True)
        self._vision.shutdown(wait=True)
        self.store.close()

    async def _housekeeping(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.purge_pages(datetime.now(UTC))
            try:
                await asyncio.wait_for(stop.wait(), PURGE_EVERY_S)
            except TimeoutError:
                continue

    # -- status ----------------------------------------------------------------------------------

    async def device_statuses(self) -> list[DeviceStatus]:
        loop = asyncio.get_running_loop()
        statuses = []
        for name, kind, driver in (
            ("scanner", "document_scanner", self.scanner),
            ("receipt_printer", "receipt_printer", self.printer),
        ):
            if driver is None:
                statuses.append(DeviceStatus(name, kind, DeviceState.ABSENT, "not configured"))
            else:
                statuses.append(await loop.run_in_executor(self._io, driver.status))
        return statuses

    async def health(self) -> dict[str, Any]:
        devices = [status.to_dict() for status in await self.device_statuses()]
        degraded = any(device["state"] != DeviceState.READY for device in devices)
        return {
            "status": "degraded" if degraded else "ok",
            "version": __version__,
            "kiosk_id": self.config.kiosk.id,
            "uptime_s": round(time.monotonic() - self.started, 1),
            "schema_version": self.store.schema_version,
            "outbox": {"queued": self.outbox.queued_count(), "connected": self.link.connected},
            "devices": devices,
        }

    # -- CMR intake ------------------------------------------------------------------------------

    async def scan_cmr(self) -> dict[str, Any]:
        """Take one page from the scanner, read it, and keep it as an intake session."""
        if self.scanner is None:
            raise DeviceNotReady("no scanner is configured")
        loop = asyncio.get_running_loop()
        session_id = str(uuid.uuid4())
        self.bus.publish("scan.started", {"session_id": session_id})
        try:
            page = await loop.run_in_executor(self._io, self.scanner.scan)
        except FeederEmpty:
            raise DeviceNotReady("the scanner's feeder is empty") from None
        except ScannerUnavailable as exc:
            raise DeviceNotReady(f"the scanner is not available: {exc}") from None
        started = time.monotonic()
        try:
            result = await loop.run_in_executor(
                self._vision, lambda: read_cmr(page, langs=self.config.vision.ocr_languages)
            )
        except UnreadableImage as exc:
            raise DeviceNotReady(f"the scanned page could not be read: {exc}") from None
        reading = result.to_dict()
        page_path = self.store.pages_dir / f"{session_id}.png"
        page_path.write_bytes(page)
        self.store.db.table("intake_sessions").insert(
            {
                "id": session_id,
                "kind": "cmr",
                "state": IntakeState.SCANNED.value,
                "page_path": str(page_path),
                "fields": json.dumps(reading["fields"], ensure_ascii=False),
                "created_at": datetime.now(UTC).isoformat(),
            }
        )
        elapsed_ms = round((time.monotonic() - started) * 1000)
        log.info("page read", extra={"ctx": {"session_id": session_id, "read_ms": elapsed_ms}})
        self.bus.publish("scan.read", {"session_id": session_id, "read_ms": elapsed_ms})
        return {"session_id": session_id, "doc_type": reading["doc_type"], "fields": reading["fields"]}

    async def confirm_cmr(self, session_id: str, corrections: dict[str, str]) -> dict[str, Any]:
        """Commit the driver's confirmed draft to the outbox, then print the receipt.

        The declaration, its outbox message and the audit event are one durable transaction:
        once this returns, a power cut cannot lose the draft.
        """
        row = self.store.db.execute(
            "SELECT state, fields FROM intake_sessions WHERE id = ?", [session_id]
        ).fetchone()
        if row is None:
            raise UnknownSession(session_id)
        values = confirmed_values(IntakeState(row[0]), json.loads(row[1]), corrections)
        now = datetime.now(UTC)
        declaration_id = new_declaration_id()
        reference = make_reference(declaration_id, now)
        draft = build_draft(
            values, declaration_id=declaration_id, reference=reference, kiosk_id=self.config.kiosk.id,
            created_at=now,
        )
        envelope = make_envelope(DRAFT_KIND, self.config.kiosk.id, draft, uuid=declaration_id, created_at=now)
        try:
            self._commit_declaration(session_id, declaration_id, reference, draft, envelope, now, corrections)
        except (OutboxFull, StoreFull) as exc:
            raise StorageFull(str(exc)) from None
        maybe_crash("after_commit")
        log.info("declaration committed", extra={"ctx": {"uuid": declaration_id, "reference": reference}})
        self.bus.publish("declaration.committed", {"uuid": declaration_id, "reference": reference})
        self.pump.wake()
        printed = await self._print_receipt(declaration_id, reference)
        return {"uuid": declaration_id, "reference": reference, "receipt_printed": printed}

    def _commit_declaration(
        self, session_id: str, declaration_id: str, reference: str, draft: dict[str, Any],
        envelope: dict[str, Any], now: datetime, corrections: dict[str, str],
    ) -> None:
        """Declaration, outbox message and audit event: one transaction, synchronous=FULL."""
        topic = declaration_topic(self.config.sync.topic_prefix, self.config.kiosk.id)
        with self.store.durable() as db:
            db.execute(
                "UPDATE intake_sessions SET state = ?, confirmed_at = ? WHERE id = ?",
                [IntakeState.CONFIRMED.value, now.isoformat(), session_id],
            )
            db.table("declarations").insert(
                {
                    "uuid": declaration_id,
                    "reference": reference,
                    "session_id": session_id,
                    "draft": json.dumps(draft, ensure_ascii=False),
                    "created_at": now.isoformat(),
                }
            )
            self.outbox.enqueue(topic, envelope, PRIORITY_DECLARATION)
            audit.append(
                db,
                actor="driver",
                action="declaration.confirmed",
                subject=declaration_id,
                details={"reference": reference, "corrected": sorted(corrections)},
            )

    async def _print_receipt(self, declaration_id: str, reference: str) -> bool:
        if self.printer is None:
            return False
        receipt = Receipt(
            title="CEZ Kiosk",
            lines=[self.config.kiosk.site, "Export declaration draft", f"Kiosk {self.config.kiosk.id}"],
            reference=reference,
            qr_payload=receipt_qr_payload(declaration_id, reference),
        )
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._io, self.printer.print_receipt, receipt)
        except PrinterUnavailable as exc:
            log.warning("receipt not printed", extra={"ctx": {"uuid": declaration_id, "error": str(exc)}})
            self.bus.publish("receipt.failed", {"uuid": declaration_id})
            return False
        with self.store.durable() as db:
            audit.append(db, actor="kiosk", action="receipt.printed", subject=declaration_id, details={})
        self.bus.publish("receipt.printed", {"uuid": declaration_id})
        return True

    def declaration(self, declaration_id: str) -> dict[str, Any]:
        row = self.store.db.execute(
            "SELECT reference, registration_number FROM declarations WHERE uuid = ?", [declaration_id]
        ).fetchone()
        message = self.outbox.get(declaration_id)
        if row is None or message is None:
            raise UnknownSession(declaration_id)
        return {
            "uuid": declaration_id,
            "reference": row[0],
            "state": message.state,
            "broker_acked": message.puback_at is not None,
            "central_acked": message.central_ack_at is not None,
            "registration_number": row[1],
        }

    # -- sync bridge -----------------------------------------------------------------------------

    def _on_sync_event(self, name: str, data: dict[str, Any]) -> None:
        """Runs on the loop thread (the pump marshals paho's callbacks there)."""
        if name == "outbox.central_ack":
            message = self.outbox.get(data["uuid"])
            if message is not None:
                with self.store.durable() as db:
                    db.execute(
                        "UPDATE declarations SET registration_number = ?, central_ack_at = ? WHERE uuid = ?",
                        [message.registration_number, message.central_ack_at, data["uuid"]],
                    )
        self.bus.publish(name, data)

    # -- retention -------------------------------------------------------------------------------

    def purge_pages(self, now: datetime) -> int:
        """Delete page images kept longer than the retention after central's ack (or abandoned)."""
        cutoff = (now - timedelta(hours=self.config.store.page_retention_hours)).isoformat()
        rows = self.store.db.execute(
            """SELECT s.id, s.page_path FROM intake_sessions s
               LEFT JOIN declarations d ON d.session_id = s.id
               WHERE s.page_purged_at IS NULL AND s.page_path IS NOT NULL
                 AND ((d.central_ack_at IS NOT NULL AND d.central_ack_at < ?)
                      OR (d.uuid IS NULL AND s.created_at < ?))""",
            [cutoff, cutoff],
        ).fetchall()
        for session_id, page_path in rows:
            Path(page_path).unlink(missing_ok=True)
            self.store.db.execute(
                "UPDATE intake_sessions SET page_purged_at = ? WHERE id = ?", [now.isoformat(), session_id]
            )
        if rows:
            log.info("page images purged", extra={"ctx": {"count": len(rows)}})
        return len(rows)
