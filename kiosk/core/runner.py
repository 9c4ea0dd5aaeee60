"""`cez-kiosk core`: run the service and its local API in one asyncio loop until SIGTERM.

Shutdown order matters for "nothing lost": stop taking requests (uvicorn finishes the ones in
flight), stop the sync pump, then close the store. Every record was committed before any caller
was answered, so a SIGTERM at any moment leaves nothing half-done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn

from kiosk.api.app import create_app
from kiosk.core.config import KioskConfig
from kiosk.core.service import CoreService
from kiosk.core.systemd_notify import notify, watchdog_interval_s

log = logging.getLogger(__name__)


class _ApiServer(uvicorn.Server):
    """uvicorn, minus its own signal handling: the core owns SIGTERM and shuts down in its order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _watchdog(interval: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        notify("WATCHDOG=1")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


async def serve(config: KioskConfig) -> None:
    service = CoreService(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    server = _ApiServer(
        uvicorn.Config(
            create_app(service), host=config.api.host, port=config.api.port, log_config=None,
            lifespan="off", ws="websockets-sansio",
        )
    )
    tasks = [
        asyncio.create_task(service.run(stop), name="service"),
        asyncio.create_task(server.serve(), name="api"),
    ]
    while not server.started:
        if tasks[1].done():  # the port was taken, or similar: report it and stop
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            service.close()
            raise SystemExit(f"the local API could not listen on {config.api.host}:{config.api.port}")
        await asyncio.sleep(0.02)
    notify("READY=1")
    if interval := watchdog_interval_s():
        tasks.append(asyncio.create_task(_watchdog(interval, stop), name="watchdog"))
    log.info("core ready", extra={"ctx": {"port": config.api.port, "schema": service.store.schema_version}})

    await stop.wait()
    notify("STOPPING=1")
    log.info("core stopping")
    service.bus.close()
    server.should_exit = True
    await asyncio.gather(*tasks)
    service.close()
    log.info("core stopped")
