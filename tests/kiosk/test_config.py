from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.config import ConfigError, KioskConfig, load_config


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_values_are_read(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[api]\nport = 9001\n[kiosk]\nid = "poti-3"\n'))
    assert config.api.port == 9001
    assert config.kiosk.id == "poti-3"
    assert config.sync.broker_port == 1883  # untouched settings keep their defaults


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CEZ_API__PORT", "9100")
    assert load_config(_write(tmp_path, "[api]\nport = 9001\n")).api.port == 9100


def test_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"kiosk\.toml: store\.pathh: unknown setting"):
        load_config(_write(tmp_path, '[store]\npathh = "/tmp/x"\n'))


def test_unknown_section_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"printer: unknown setting"):
        load_config(_write(tmp_path, "[printer]\nport = 1\n"))


def test_wrong_type_is_named_with_the_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"api\.port: .*valid integer.*'abc'"):
        load_config(_write(tmp_path, '[api]\nport = "abc"\n'))


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[api\nport = 1\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_every_setting_is_documented() -> None:
    schema = KioskConfig.model_json_schema()
    for section_name, section in schema["$defs"].items():
        for key, prop in section["properties"].items():
            assert prop.get("description"), f"{section_name}.{key} has no description"


def test_configuration_reference_is_current() -> None:
    from kiosk.core.config_docs import render_markdown

    reference = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
    assert reference.read_text(encoding="utf-8") == render_markdown(), "run: cez-kiosk config docs"


def test_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "kiosk.example.toml"
    assert load_config(example).kiosk.id == "poti-gate-1"


def test_every_peripheral_has_a_url_and_optional_names_known_devices(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[devices]\nmcu_board_url = "serial:///dev/cez-mcu"\n'
                                          'camera_url = "camera:/dev/video0"\noptional = ["camera"]\n'))
    assert config.devices.mcu_board_url == "serial:///dev/cez-mcu"
    assert config.devices.optional == ["camera"]
    with pytest.raises(ConfigError, match=r"devices\.optional\.0: .*'printer'"):
        load_config(_write(tmp_path, '[devices]\noptional = ["printer"]\n'))


def test_command_key_must_be_an_ed25519_public_key(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    good = tmp_path / "central.pub"
    good.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.PEM,
                                                                            PublicFormat.SubjectPublicKeyInfo))
    assert load_config(_write(tmp_path, f'[sync]\ncommand_public_key = "{good}"\n')).sync.command_public_key == good
    garbage = tmp_path / "garbage.pub"
    garbage.write_text("not a key")
    with pytest.raises(ConfigError, match=r"sync\.command_public_key: .*not a PEM public key"):
        load_config(_write(tmp_path, f'[sync]\ncommand_public_key = "{garbage}"\n'))
    with pytest.raises(ConfigError, match=r"sync\.command_public_key: .*cannot read"):
        load_config(_write(tmp_path, f'[sync]\ncommand_public_key = "{tmp_path / "missing.pub"}"\n'))


def test_outbox_quota_must_be_positive(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, "[sync]\noutbox_quota_bytes = 1000000\n")).sync.outbox_quota_bytes == 1000000
    with pytest.raises(ConfigError, match=r"sync\.outbox_quota_bytes"):
        load_config(_write(tmp_path, "[sync]\noutbox_quota_bytes = 0\n"))


@pytest.mark.parametrize(
    ("line", "allowed"),
    [
        ('mcu_board_url = "socket://127.0.0.1:9"', "serial:"),
        ('a4_printer_url = "/dev/usb/lp0"', "cups:"),
        ('receipt_printer_url = "http://printer"', "socket:"),
    ],
)
def test_a_device_url_its_driver_cannot_use_is_named(tmp_path: Path, line: str, allowed: str) -> None:
    key = line.split(" ", 1)[0]
    with pytest.raises(ConfigError, match=rf"devices\.{key}: .*must start with one of .*{allowed}"):
        load_config(_write(tmp_path, f"[devices]\n{line}\n"))
