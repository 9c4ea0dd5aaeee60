import os
import socket

import pytest

from devices.transport import StreamReader, TransportError, TransportTimeout, open_transport


@pytest.mark.parametrize("url", ["ftp://host/x", "usb://04b8:0202", "socket://127.0.0.1", "serial://relative",
                                 "serial:///dev/null?parity=E", "serial:///dev/null?baudrate=fast"])
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
