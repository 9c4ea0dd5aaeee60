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

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

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


class DevicesSection(_Section):
    scanner_url: str | None = Field(
        None, description="Document scanner transport URL (e.g. socket://127.0.0.1:9200). None: no scanner."
    )
    receipt_printer_url: str | None = Field(
        None,
        description="Receipt printer transport URL (socket://host:9100, serial:///dev/ttyUSB0). None: none.",
    )


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


class UiSection(_Section):
    api_url: str = Field("http://127.0.0.1:8765", description="The core's local API as the UI reaches it.")
    language: Language = Field("ka", description="The language the touchscreen starts in: ka, en or ru.")


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
