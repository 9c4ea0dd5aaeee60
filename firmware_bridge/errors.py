"""Typed errors of the host API: each says whether the command ran, so callers know what to retry."""

from __future__ import annotations

from firmware_bridge.protocol import Status


class McuError(RuntimeError):
    """Base of everything the bridge raises."""


class McuUnavailable(McuError):
    """No synced MCU: the command was not sent (nothing ran)."""


class VersionMismatch(McuUnavailable):
    """The firmware speaks another protocol version; the host will not drive it."""

    def __init__(self, host: int, firmware: int) -> None:
        super().__init__(f"firmware protocol {firmware}, host protocol {host}")
        self.host = host
        self.firmware = firmware


class UnsupportedCommand(McuUnavailable):
    """The firmware's dictionary has no such command (older firmware): nothing was sent."""


class McuLost(McuError):
    """The link went silent or was reset while the command was in flight: it may or may not have run."""


class McuRebooted(McuLost):
    """The MCU rebooted while the command was in flight: it may have run before the reboot, not after."""


class CommandTimeout(McuError):
    """No answer within the caller's timeout; the command may still complete."""


class CommandFailed(McuError):
    """The MCU ran the command and refused or failed it; `status` says why."""

    def __init__(self, command: str, status: Status | int) -> None:
        name = status.name.lower() if isinstance(status, Status) else str(status)
        super().__init__(f"{command}: {name}")
        self.command = command
        self.status = status


class BadArguments(CommandFailed):
    """The MCU rejected the arguments (out of range)."""


class UnknownCommand(CommandFailed):
    """The MCU did not know the command id (a dictionary/firmware mismatch)."""


class FeederJammed(CommandFailed):
    """The feeder reports a jam; a technician must clear it."""


class FeederEmpty(CommandFailed):
    """There is no document in the feeder."""


class EstopActive(CommandFailed):
    """The emergency stop is pressed: motion is refused."""


ERRORS: dict[int, type[CommandFailed]] = {
    Status.BAD_ARGS: BadArguments,
    Status.UNKNOWN_COMMAND: UnknownCommand,
    Status.JAMMED: FeederJammed,
    Status.EMPTY: FeederEmpty,
    Status.ESTOP: EstopActive,
}


def error_for(command: str, status: int) -> CommandFailed:
    """The typed error for a non-OK status (unknown codes become plain CommandFailed)."""
    known = Status(status) if status in Status._value2member_map_ else status
    return ERRORS.get(status, CommandFailed)(command, known)
