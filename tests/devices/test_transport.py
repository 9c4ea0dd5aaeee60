import os
import socket
from pathlib import Path

import pytest

from devices.transport import (
    StreamReader,
    TransportBusy,
    TransportError,
    TransportTimeout,
    find_usb_node,
    open_transport,
)


@pytest.mark.parametrize("url", ["ftp://host/x", "usb://04b8", "usb://printer", "sim://", "socket://127.0.0.1", "serial://relative",
                                 "serial:///dev/null?parity=E", "serial:///dev/null?baudrate=fast",
                                 "serial:///dev/null?baudrate=0", "file://relative",
                                 "sim://receipt_printer/extra"])
def test_bad_urls_are_rejected_clearly(url: str) -> None:
    with pytest.raises(ValueError, match=r"URL|option|baudrate"):
        open_transport(url)


def test_loop_reads_back_what_was_written() -> None:
    with open_transport("loop://", timeout=0.5) as transport:
        transport.write(b"ping\n")
        assert StreamReader(transport).read_line(16, timeout=1) == b"ping"
        assert transport.read(1, timeout=0.05) == b""


def test_unreachable_socket_names_the_url(dead_url: str) -> None:
    with pytest.raises(TransportError, match=f"cannot connect to {dead_url}"):
        open_transport(dead_url, timeout=0.5)


def test_missing_serial_device_is_a_transport_error() -> None:
    with pytest.raises(TransportError, match="cannot open"):
        open_transport("serial:///dev/does-not-exist?baudrate=9600")


def test_serial_url_over_a_pty_carries_bytes_both_ways(pty_pair: tuple[int, str]) -> None:
    master_fd, slave_path = pty_pair
    with open_transport(f"serial://{slave_path}?baudrate=115200", timeout=1) as transport:
        os.write(master_fd, b"\x00\x1b\n\r\xff")  # raw mode: no translation of control bytes
        assert StreamReader(transport).read_exactly(5, timeout=2) == b"\x00\x1b\n\r\xff"
        transport.write(b"back")
        assert os.read(master_fd, 16) == b"back"


def test_bare_device_path_opens_as_serial(pty_pair: tuple[int, str]) -> None:
    master_fd, slave_path = pty_pair
    with open_transport(slave_path, timeout=1) as transport:
        transport.write(b"x")
        assert os.read(master_fd, 1) == b"x"


def test_socket_transport_reports_a_closed_peer_and_a_silent_one() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        url = f"socket://127.0.0.1:{server.getsockname()[1]}"
        transport = open_transport(url, timeout=1)
        peer, _ = server.accept()
        reader = StreamReader(transport)
        with pytest.raises(TransportTimeout):
            reader.read_exactly(1, timeout=0.05)
        peer.sendall(b"ab")
        peer.close()
        assert reader.read_exactly(2, timeout=1) == b"ab"
        with pytest.raises(TransportError, match="closed the connection"):
            reader.read_exactly(1, timeout=1)
        transport.close()


def _usb_tree(sysfs: Path, device_class: str, node: str, ids: tuple[str, str]) -> None:
    """A sysfs layout as the kernel makes it: class/<cls>/<node>/device -> the interface, whose parent
    USB device holds idVendor/idProduct."""
    usb_device = sysfs / "devices" / "pci0000:00" / "usb1" / "1-1"
    interface = usb_device / "1-1:1.0"
    interface.mkdir(parents=True)
    (usb_device / "idVendor").write_text(ids[0] + "\n")
    (usb_device / "idProduct").write_text(ids[1] + "\n")
    (sysfs / "class" / device_class / node).mkdir(parents=True)
    (sysfs / "class" / device_class / node / "device").symlink_to(interface)


def test_usb_ids_are_found_in_sysfs(tmp_path: Path) -> None:
    _usb_tree(tmp_path / "a", "usbmisc", "lp0", ("04b8", "0e28"))
    _usb_tree(tmp_path / "b", "tty", "ttyACM0", ("2e8a", "000a"))
    assert find_usb_node("04B8", "0e28", tmp_path / "a") == "/dev/usb/lp0"
    assert find_usb_node("2e8a", "000a", tmp_path / "b") == "/dev/ttyACM0"
    assert find_usb_node("2e8a", "0001", tmp_path / "b") is None


def test_unplugged_usb_device_is_a_transport_error() -> None:
    with pytest.raises(TransportError, match="no USB device dead:beef"):
        open_transport("usb://dead:beef")


def test_sim_url_opens_the_named_simulator_pty(
    tmp_path: Path, pty_pair: tuple[int, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    master_fd, slave_path = pty_pair
    monkeypatch.setenv("CEZ_SIM_DIR", str(tmp_path))
    (tmp_path / "receipt_printer").symlink_to(slave_path)
    with open_transport("sim://receipt_printer", timeout=1) as transport:
        transport.write(b"hi")
        assert os.read(master_fd, 2) == b"hi"


def test_a_serial_port_held_by_one_process_is_busy_for_another(pty_pair: tuple[int, str]) -> None:
    _, slave_path = pty_pair
    with open_transport(f"serial://{slave_path}", timeout=0.5), pytest.raises(TransportBusy, match="in use"):
        open_transport(f"serial://{slave_path}", timeout=0.5)
    open_transport(f"serial://{slave_path}", timeout=0.5).close()  # free again once released
