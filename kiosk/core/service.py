"""The core service: wires store, bus, devices, vision and sync into the kiosk's operations.

Everything that writes to the store runs on the event loop's thread (the single writer; only the
receipt spooler marks its print jobs done, over a connection of its own). Devices run under the
supervisor (`kiosk/core/devices.py`), sync over one MQTT link (`kiosk/core/uplink.py`); both hand
their events to this loop. Scans and page reading run in executor threads. The local API calls these
methods; it never touches drivers or the store itself.
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

from devices.camera import CameraError
from devices.print_queue import PrintQueue
from devices.receipt_printer import Receipt, render_receipt
from devices.scanner import FeederEmpty, ScannerError
from devices.state import DeviceState
from edge_models.bundle import Threads
from edge_models.registry import Registry
from kiosk import __version__
from kiosk.core import audit
from kiosk.core.bus import EventBus
from kiosk.core.central_commands import CommandHandler
from kiosk.core.config import KioskConfig
from kiosk.core.consignments import Consignments
from kiosk.core.crashpoints import maybe_crash
from kiosk.core.devices import RECEIPT_PRINTER, DeviceHub, PageSource
from kiosk.core.store import Store, StoreFull
from kiosk.core.uplink import Uplink
from kiosk.customs.declaration import (
    DRAFT_KIND,
    build_draft,
    make_reference,
    new_declaration_id,
    receipt_qr_payload,
)
from kiosk.flows.cmr_intake import IntakeState, confirmed_values
from sync.lookups import LookupTimeout
from sync.messages import make_envelope
from sync.outbox import PRIORITY_DECLARATION, Eviction, Outbox, OutboxFull
from sync.topics import declaration_topic
from vision.pipeline import UnreadableImage, read_cmr

log = logging.getLogger(__name__)

PURGE_EVERY_S = 600.0
FAULT_STATES = frozenset({DeviceState.ABSENT, DeviceState.DEGRADED, DeviceState.ERROR})


class DeviceNotReady(RuntimeError):
    """The operation needs a device that cannot serve now; the message says which and why."""


class UnknownSession(KeyError):
    pass


class StorageFull(RuntimeError):
    """The store refused a write for lack of space; nothing was committed, so the driver can retry."""


class LookupFailed(RuntimeError):
    """Central did not answer a lookup in time (or the link is down); the user may try later."""


class CoreService:
    def __init__(self, config: KioskConfig) -> None:
        self.config = config
        self.started = time.monotonic()
        self.store = Store(config.store.path)
        self.bus = EventBus()
        self.outbox = Outbox(self.store.db, quota_bytes=config.sync.outbox_quota_bytes, on_evicted=self._on_evicted)
        self.print_queue = PrintQueue(self.store.db)  # the loop's side: jobs join the declaration's transaction
        self.models = Registry(config.models.registry_dir,
                               threads=Threads(config.models.intra_op_threads, config.models.inter_op_threads))
        self.commands = CommandHandler(self.store, self.models)
        self.device_faults = 0
        self._receipts_waiting: dict[int, asyncio.Future[bool]] = {}
        self.devices = DeviceHub(config.devices, config.store.path, self._on_device_event)
        self._io = ThreadPoolExecutor(max_workers=2, thread_name_prefix="device-io")
        self._vision = ThreadPoolExecutor(max_workers=config.vision.workers, thread_name_prefix="vision")
        self.consignments = Consignments(self.store, config, self.models, self._vision, self.record_declaration)
        self.uplink = Uplink(
            config.sync, config.kiosk.id, self.outbox, self.store.db,
            on_event=self._on_sync_event, apply_command=self._apply_command, counters=self.counters,
            crash_hook=maybe_crash,
        )

    # -- lifecycle -------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Run the devices, the sync link and housekeeping until `stop` is set."""
        self.devices.start(asyncio.get_running_loop())
        uplink = asyncio.create_task(self.uplink.run(stop), name="uplink")
        housekeeping = asyncio.create_task(self._housekeeping(stop), name="housekeeping")
        await stop.wait()
        await asyncio.gather(uplink, housekeeping)

    def close(self) -> None:
        self.devices.stop()
        self.uplink.stop()
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

    def device_statuses(self) -> list[dict[str, Any]]:
        """The supervisor's view of every device kind (configured or not), with `required`."""
        return self.devices.statuses()

    def counters(self) -> dict[str, int]:
        """The key counters central watches (heartbeats) and /health shows."""
        evictions = self.outbox.eviction_counts()
        return {
            "outbox_depth": self.outbox.queued_count(),
            "evicted_expired": evictions.get("expired", 0),
            "evicted_quota": evictions.get("quota", 0),
            "device_faults": self.device_faults,
            "devices_not_ready": sum(
                1 for d in self.device_statuses() if d["required"] and d["state"] != DeviceState.READY
            ),
            "receipts_queued": self.print_queue.pending(RECEIPT_PRINTER),
            "commands_applied": self.commands.outcomes["applied"],
            "commands_refused": self.commands.outcomes["refused"] + sum(self.uplink.commands_refused.values()),
        }

    async def health(self) -> dict[str, Any]:
        devices = self.device_statuses()
        degraded = any(device["required"] and device["state"] != DeviceState.READY for device in devices)
        return {
            "status": "degraded" if degraded else "ok",
            "version": __version__,
            "kiosk_id": self.config.kiosk.id,
            "uptime_s": round(time.monotonic() - self.started, 1),
            "schema_version": self.store.schema_version,
            "outbox": {"queued": self.outbox.queued_count(), "connected": self.uplink.link.connected},
            "counters": self.counters(),
            "commands_refused": self.uplink.commands_refused,
            "devices": devices,
        }

    # -- CMR intake ------------------------------------------------------------------------------

    async def scan_cmr(self) -> dict[str, Any]:
        """Take one page from the scanner, read it, and keep it as an intake session."""
        scanner = self.devices.driver("scanner")
        if scanner is None:
            raise DeviceNotReady("no scanner is configured")
        assert isinstance(scanner, PageSource)
        loop = asyncio.get_running_loop()
        session_id = str(uuid.uuid4())
        self.bus.publish("scan.started", {"session_id": session_id})
        try:
            page = await loop.run_in_executor(self._io, scanner.scan)
        except FeederEmpty:
            raise DeviceNotReady("the scanner's feeder is empty") from None
        except (ScannerError, CameraError) as exc:
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
        """Commit the driver's confirmed draft and its receipt job, then wait a little for the receipt.

        The declaration, its outbox message, the audit event and the receipt's print job are one
        durable transaction: once this returns, a power cut can lose neither the draft nor its
        receipt. A receipt that cannot print now (paper out) stays queued and prints, whole, later.
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
        return await self.record_declaration(session_id, IntakeState.CONFIRMED.value, declaration_id, reference,
                                             draft, now, sorted(corrections))

    async def record_declaration(self, session_id: str, session_state: str, declaration_id: str, reference: str,
                                 body: dict[str, Any], now: datetime, corrected: list[str]) -> dict[str, Any]:
        """The one durable path of every declaration (the CMR skeleton's and a consignment's): the session's new
        state, the declaration, its outbox message, the audit event and the receipt's print job in one
        transaction; then the sync is woken and the receipt awaited a little. StorageFull: nothing recorded."""
        envelope = make_envelope(DRAFT_KIND, self.config.kiosk.id, body, uuid=declaration_id, created_at=now)
        receipt = self._receipt_bytes(declaration_id, reference)
        try:
            job_id = self._commit_declaration(
                session_id, session_state, declaration_id, reference, body, envelope, now, corrected, receipt
            )
        except (OutboxFull, StoreFull) as exc:
            raise StorageFull(str(exc)) from None
        maybe_crash("after_commit")
        log.info("declaration committed", extra={"ctx": {"uuid": declaration_id, "reference": reference}})
        self.bus.publish("declaration.committed", {"uuid": declaration_id, "reference": reference})
        self.uplink.pump.wake()
        printed = await self._await_receipt(job_id) if job_id is not None else False
        return {"uuid": declaration_id, "reference": reference, "receipt_printed": printed,
                "receipt_job": job_id}

    def _receipt_bytes(self, declaration_id: str, reference: str) -> bytes | None:
        """The receipt's ESC/POS job (None without a receipt printer)."""
        if self.devices.driver(RECEIPT_PRINTER) is None:
            return None
        return render_receipt(Receipt(
            title="CEZ Kiosk",
            lines=[self.config.kiosk.site, "Export declaration draft", f"Kiosk {self.config.kiosk.id}"],
            reference=reference,
            qr_payload=receipt_qr_payload(declaration_id, reference),
        ))

    def _commit_declaration(
        self, session_id: str, session_state: str, declaration_id: str, reference: str, draft: dict[str, Any],
        envelope: dict[str, Any], now: datetime, corrected: list[str], receipt: bytes | None,
    ) -> int | None:
        """Declaration, outbox message, audit event and receipt job: one transaction, synchronous=FULL."""
        topic = declaration_topic(self.config.sync.topic_prefix, self.config.kiosk.id)
        job_id = None
        with self.store.durable() as db:
            db.execute(
                "UPDATE intake_sessions SET state = ?, confirmed_at = ? WHERE id = ?",
                [session_state, now.isoformat(), session_id],
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
                details={"reference": reference, "corrected": corrected},
            )
            if receipt is not None:
                job_id = self.print_queue.submit(RECEIPT_PRINTER, receipt)
                db.execute("INSERT INTO receipts (job_id, declaration_uuid) VALUES (?, ?)", [job_id, declaration_id])
        return job_id

    async def _await_receipt(self, job_id: int) -> bool:
        """True when the job printed within `receipt_wait_s`; False when it waits (it prints later)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._receipts_waiting[job_id] = future
        self.devices.wake_spooler()
        try:
            return await asyncio.wait_for(future, self.config.devices.receipt_wait_s)
        except TimeoutError:
            return False
        finally:
            self._receipts_waiting.pop(job_id, None)

    def _receipt_printed(self, job_id: int) -> None:
        row = self.store.db.execute("SELECT declaration_uuid FROM receipts WHERE job_id = ?", [job_id]).fetchone()
        declaration_id = str(row[0]) if row is not None else None
        with self.store.durable() as db:
            db.execute("UPDATE receipts SET printed_at = ? WHERE job_id = ?", [datetime.now(UTC).isoformat(), job_id])
            audit.append(db, actor="kiosk", action="receipt.printed", subject=declaration_id or str(job_id),
                         details={"job_id": job_id})
        self.bus.publish("receipt.printed", {"job_id": job_id, "uuid": declaration_id})
        future = self._receipts_waiting.get(job_id)
        if future is not None and not future.done():
            future.set_result(True)

    def _receipt_waiting(self, job_id: int, error: str) -> None:
        """The spooler stopped at `job_id` (paper out, cover open, unplugged): every waiting receipt waits."""
        log.warning("receipt waits for the printer", extra={"ctx": {"job_id": job_id, "error": error}})
        self.bus.publish("receipt.waiting", {"job_id": job_id, "error": error})
        for future in self._receipts_waiting.values():
            if not future.done():
                future.set_result(False)

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

    # -- device bridge (loop thread) -------------------------------------------------------------

    def _on_device_event(self, event_type: str, data: dict[str, Any]) -> None:
        """Device facts, already on the loop thread (DeviceHub hops them here)."""
        if event_type == "device.state":
            if data["state"] in FAULT_STATES:
                self.device_faults += 1
            self.uplink.device_state(data["name"], data["kind"], data["state"], data["detail"])
        elif event_type == "receipt.printed":
            self._receipt_printed(int(data["job_id"]))
            return
        elif event_type == "receipt.waiting":
            self._receipt_waiting(int(data["job_id"]), str(data["error"]))
            return
        self.bus.publish(event_type, data)

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

    def _on_evicted(self, eviction: Eviction) -> None:
        self.bus.publish("outbox.evicted", {"uuid": eviction.uuid, "kind": eviction.kind, "reason": eviction.reason})

    def _apply_command(self, command_type: str, body: dict[str, Any]) -> None:
        """The inbox's apply: runs on the loop thread for a verified, recorded, first-seen command."""
        current = self.uplink.inbox.current if self.uplink.inbox is not None else None
        assert current is not None, "the inbox applies commands only inside receive/resume"
        command_id, issued_at = current
        outcome = self.commands.apply(command_id, issued_at, command_type, body)
        self.bus.publish(f"command.{outcome}", {"id": command_id, "type": command_type})

    async def lookup(self, name: str, query: dict[str, Any]) -> dict[str, Any]:
        """Ask central (e.g. a certificate by application number); LookupFailed without an answer."""
        try:
            return await self.uplink.lookup(name, query)
        except LookupTimeout as exc:
            raise LookupFailed(str(exc)) from None

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
