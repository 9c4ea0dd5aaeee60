"""Kiosk configuration: one TOML file, validated by pydantic, overridable by environment.

Unknown keys are refused (a typo in a kiosk's config must not silently fall back to a default),
and every setting carries a description, which `cez-kiosk config schema` prints.
Environment variables override the file: `CEZ_<SECTION>__<KEY>`, e.g. `CEZ_API__PORT=9000`.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from kiosk.core.command_key import load_command_key

DEFAULT_CONFIG_PATH = Path("/etc/cez-kiosk/kiosk.toml")
"""Where `cez-kiosk core` looks when no `--config` is given (and `CEZ_CONFIG` is unset)."""

Language = Literal["ka", "en", "ru"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KioskSection(_Section):
    id: str = Field(
        "kiosk-001",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
        description="This kiosk's identity: MQTT client id and topic segment. Letters, digits, '-' and '_'.",
    )
    site: str = Field("CEZ", description="The customs site or zone the kiosk stands in (shown on receipts).")
    office: str = Field("GE-CEZ-01", min_length=1, max_length=20,
                        description="The customs office of the kiosk's zone: box A of its declaration drafts.")


class StoreSection(_Section):
    path: Path = Field(
        Path("/var/lib/cez-kiosk/kiosk.db"),
        description="The SQLite database (WAL mode). Page images are kept in a 'pages' folder beside it.",
    )
    page_retention_hours: float = Field(
        72.0,
        ge=0,
        description="Hours a page image is kept after central acknowledged its submission, then purged.",
    )


class ApiSection(_Section):
    host: str = Field("127.0.0.1", description="Address the local API listens on. Keep it on loopback.")
    port: int = Field(8765, ge=1, le=65535, description="Port of the local API and its /events WebSocket.")


class LogSection(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the JSON log lines written to stderr."
    )


DeviceName = Literal["barcode_reader", "scanner", "camera", "receipt_printer", "a4_printer", "mcu_board"]
_BYTE_TRANSPORTS = ("serial", "socket", "usb", "file", "sim", "loop")
URL_SCHEMES: dict[str, tuple[str, ...]] = {
    "barcode_reader_url": _BYTE_TRANSPORTS,
    "scanner_url": ("sane", "camera", *_BYTE_TRANSPORTS),
    "camera_url": ("camera",),
    "receipt_printer_url": _BYTE_TRANSPORTS,
    "a4_printer_url": ("cups",),
    "mcu_board_url": ("serial",),
}
"""The URL schemes each device's driver understands (see devices/inventory.py)."""


class DevicesSection(_Section):
    barcode_reader_url: str | None = Field(
        None,
        description="Barcode reader: serial:///dev/cez-barcode?baudrate=9600 (serial reader) or "
        "file:///dev/input/by-id/...-event-kbd (keyboard wedge). None: no reader.",
    )
    scanner_url: str | None = Field(
        None,
        description="Document scanner: sane:DEVICE (e.g. sane:fujitsu:fi-7160:1234), camera:SOURCE, or "
        "socket://HOST:PORT for the network line protocol. None: no scanner.",
    )
    camera_url: str | None = Field(
        None, description="Document camera: camera:/dev/video0 (or an image, a folder of images, a video). None: none."
    )
    receipt_printer_url: str | None = Field(
        None,
        description="Receipt printer transport URL (socket://host:9100, serial:///dev/ttyUSB0). None: none.",
    )
    a4_printer_url: str | None = Field(
        None, description="A4 printer: cups:QUEUE or cups:QUEUE?server=/run/cups/cups.sock. None: none."
    )
    mcu_board_url: str | None = Field(
        None, description="Mechanics board (MCU): serial:///dev/cez-mcu. None: no board."
    )
    optional: list[DeviceName] = Field(
        default_factory=list,
        description="Configured devices the kiosk can work without: their faults show in /devices but do not "
        "make /health degraded. Every other configured device is required.",
    )
    check_interval_s: float = Field(
        5.0, gt=0, le=300, description="Seconds between status checks of printers, scanners and cameras."
    )
    receipt_wait_s: float = Field(
        5.0,
        ge=0,
        le=8,
        description="Seconds a confirmation waits for its receipt to print before answering; a receipt "
        "not printed by then stays queued and prints once the printer can (e.g. paper is back). At most 8: the "
        "touchscreen gives up on an answer after 10 s.",
    )

    @field_validator(*URL_SCHEMES)
    @classmethod
    def _known_scheme(cls, url: str | None, info: ValidationInfo) -> str | None:
        if url is not None:
            scheme = url.split(":", 1)[0] if ":" in url else ""
            allowed = URL_SCHEMES[str(info.field_name)]
            if scheme not in allowed:
                raise ValueError(f"the URL must start with one of {', '.join(s + ':' for s in allowed)}")
        return url


class VisionSection(_Section):
    ocr_languages: str = Field("eng", description="Tesseract languages for field reading, e.g. 'eng+rus'.")
    workers: int = Field(2, ge=1, le=8, description="Pages read in parallel (one Tesseract per zone).")


class SyncSection(_Section):
    broker_host: str = Field("127.0.0.1", description="MQTT broker host.")
    broker_port: int = Field(1883, ge=1, le=65535, description="MQTT broker port.")
    topic_prefix: str = Field("cez/v1", description="Prefix of every MQTT topic of the topic contract.")
    resend_after_s: float = Field(
        30.0, gt=0, description="Seconds without central's acknowledgement before a message is sent again."
    )
    heartbeat_interval_s: float = Field(
        60.0, gt=0, le=3600, description="Seconds between heartbeats (outbox depth, evictions, device faults)."
    )
    outbox_quota_bytes: int | None = Field(
        None,
        gt=0,
        description="Payload bytes the unacknowledged outbox may hold; beyond it the oldest telemetry is "
        "dropped (and counted), never declarations, certificates or audit events. None: no quota.",
    )
    command_public_key: Path | None = Field(
        None,
        description="Central's Ed25519 public key (PEM) that signs commands. None: every command is refused.",
    )
    lookup_timeout_s: float = Field(
        5.0, gt=0, le=60, description="Seconds a lookup (e.g. a certificate by application number) waits for central."
    )

    @field_validator("command_public_key")
    @classmethod
    def _usable_key(cls, path: Path | None) -> Path | None:
        if path is not None:
            load_command_key(path)  # a key the inbox could not use would refuse every command
        return path


class UiSection(_Section):
    api_url: str = Field("http://127.0.0.1:8765", description="The core's local API as the UI reaches it.")
    language: Language = Field("ka", description="The language the touchscreen starts in: ka, en or ru.")


class ModelsSection(_Section):
    registry_dir: Path = Field(
        Path("/var/lib/cez-kiosk/models"),
        description="Writable model registry: installed bundles and the persisted active versions.",
    )
    intra_op_threads: int = Field(1, ge=1, le=8, description="onnxruntime threads inside one operator.")
    inter_op_threads: int = Field(1, ge=1, le=8, description="onnxruntime threads across operators.")
    hs_data_dir: Path | None = Field(
        None, description="HS and CN nomenclature CSVs. None: ../shared/data/hs beside the checkout."
    )


_config_path: ContextVar[Path | None] = ContextVar("_config_path", default=None)


class KioskConfig(BaseSettings):
    """Everything a kiosk can be told; see each field's description."""

    model_config = SettingsConfigDict(env_prefix="CEZ_", env_nested_delimiter="__", extra="forbid")

    kiosk: KioskSection = Field(default_factory=KioskSection, description="Identity of this kiosk.")
    store: StoreSection = Field(default_factory=StoreSection, description="Local durable storage.")
    api: ApiSection = Field(default_factory=ApiSection, description="The local API.")
    log: LogSection = Field(default_factory=LogSection, description="Logging.")
    devices: DevicesSection = Field(default_factory=DevicesSection, description="Peripherals.")
    vision: VisionSection = Field(default_factory=VisionSection, description="Document reading.")
    sync: SyncSection = Field(default_factory=SyncSection, description="The MQTT link to central.")
    ui: UiSection = Field(default_factory=UiSection, description="The touchscreen app.")
    models: ModelsSection = Field(default_factory=ModelsSection, description="On-box models and the HS data.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _config_path.get()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


class ConfigError(Exception):
    """A config that cannot be used; the message is one line naming the file and the key."""


def resolve_config_path(explicit: Path | None) -> Path | None:
    """`--config` wins, then `CEZ_CONFIG`, then the default path if it exists (else built-in defaults)."""
    if explicit is not None:
        return explicit
    if env := os.environ.get("CEZ_CONFIG"):
        return Path(env)
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None


def load_config(path: Path | None) -> KioskConfig:
    """Load and validate; raise ConfigError with one readable line on the first problem."""
    if path is not None and not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    token = _config_path.set(path)
    try:
        return KioskConfig()
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
    except ValueError as exc:  # TOML syntax errors arrive as tomllib.TOMLDecodeError (a ValueError)
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    finally:
        _config_path.reset(token)


def _describe(exc: ValidationError, path: Path | None) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    where = str(path) if path is not None else "environment"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    elif "input" in first and not isinstance(first["input"], dict):
        message = f"{message} (got {first['input']!r})"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {key}: {message}{more}"
