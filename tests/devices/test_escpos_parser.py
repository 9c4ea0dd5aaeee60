import itertools
import os

from escpos.printer import Dummy
from hypothesis import given
from hypothesis import strategies as st

from devices.sim.escpos_parser import EscposEvent, EscposParser
from devices.transport import open_transport


def kinds(events: list[EscposEvent]) -> list[str]:
    return [event.kind for event in events if event.kind not in ("style", "setting")]


def test_python_escpos_output_becomes_events() -> None:
    printer = Dummy()
    printer.hw("INIT")
    printer.set(align="center", bold=True, double_width=True, double_height=True)
    printer.textln("TITLE")
    printer.set(custom_size=True, width=3, height=2)
    printer.textln("BIG")
    printer.qr("https://example.test/d/42", native=True, size=5)
    printer.barcode("{B012345", "CODE128", function_type="B")
    printer.barcode("12345678", "EAN8", function_type="A", check=False)
    printer.cut()
    printer.cut(feed=False)
    events = EscposParser().feed(printer.output)

    assert kinds(events) == ["init", "text", "feed", "text", "feed", "qr", "barcode", "barcode",
                             "feed", "cut", "cut"]
    title, big = (event.data for event in events if event.kind == "text")
    assert title["text"] == "TITLE"
    assert (title["style"].bold, title["style"].align, title["style"].width, title["style"].height) == (
        True, "center", 2, 2)
    assert (big["style"].width, big["style"].height) == (3, 2)
    qr = next(event for event in events if event.kind == "qr")
    assert qr.data == {"payload": "https://example.test/d/42", "model": 2, "module_size": 5, "ec": "L"}
    assert [event.data["data"] for event in events if event.kind == "barcode"] == ["{B012345", "12345678"]
    cuts = [event.data for event in events if event.kind == "cut"]
    assert cuts == [{"partial": False, "feed": 0}, {"partial": True, "feed": 0}]


def test_esc_bang_modes_and_raster_image_are_understood() -> None:
    header = b"\x1dv0\x00\x02\x00\x03\x00"  # 2 bytes (16 dots) wide, 3 dots high
    data = b"\x1b!\x38A\n" + header + b"\x0a" * 6 + b"after\n"
    events = EscposParser().feed(data)
    text = [event.data for event in events if event.kind == "text"]
    assert text[0]["text"] == "A"
    assert (text[0]["style"].bold, text[0]["style"].width, text[0]["style"].height) == (True, 2, 2)
    image = next(event for event in events if event.kind == "image")
    assert (image.data["width"], image.data["height"]) == (16, 3)
    assert text[1]["text"] == "after"  # the 6 image bytes (even ones that look like LF) were skipped
    assert kinds(events) == ["text", "feed", "image", "text", "feed"]


def test_status_request_and_unknown_commands() -> None:
    events = EscposParser().feed(b"\x10\x04\x01\x07\x1bZok\n\x10\x04\x09")
    expected = ["status_request", "unknown", "unknown", "text", "feed", "unknown"]
    assert [event.kind for event in events] == expected
    assert events[0].data == {"n": 1}
    assert events[2].data["bytes"] == "1b 5a"


# Garbage leans towards command introducers so the fuzzing reaches deep into the command paths.
command_bytes = st.sampled_from([b"\x1b", b"\x1d", b"\x10\x04", b"(k", b"(L", b"v0", b"V", b"k", b"!",
                                 b"\x00", b"\n", b"\x031P0", b"\x031Q0", b"\x1b@", b"\x1b*\x21"])
garbage = st.lists(command_bytes | st.binary(max_size=6), max_size=80).map(b"".join)


@given(garbage)
def test_garbage_never_raises(data: bytes) -> None:
    events = EscposParser().feed(data)
    assert all(isinstance(event, EscposEvent) for event in events)


@given(st.binary(max_size=600))
def test_random_bytes_never_raise(data: bytes) -> None:
    EscposParser().feed(data)


@given(garbage, st.lists(st.integers(min_value=0, max_value=1000), max_size=8))
def test_chunking_does_not_change_the_events(data: bytes, cuts: list[int]) -> None:
    whole = EscposParser().feed(data)
    chunked_parser = EscposParser()
    chunked: list[EscposEvent] = []
    bounds = [0, *sorted(cut % (len(data) + 1) for cut in cuts), len(data)]
    for start, end in itertools.pairwise(bounds):
        chunked += chunked_parser.feed(data[start:end])
    assert chunked == whole


@given(st.lists(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40),
                min_size=1, max_size=10))
def test_ascii_lines_round_trip_through_python_escpos(lines: list[str]) -> None:
    printer = Dummy()
    for line in lines:
        printer.textln(line)
    events = EscposParser().feed(printer.output)
    printed, current = [], ""
    for event in events:
        if event.kind == "text":
            current += str(event.data["text"])
        elif event.kind == "feed":
            printed.append(current)
            current = ""
    assert printed == lines


def test_parses_across_a_pty(pty_pair: tuple[int, str]) -> None:
    master_fd, slave_path = pty_pair
    printer = Dummy()
    printer.hw("INIT")
    printer.textln("Over the serial line")
    printer.qr("CEZ-2025-000042", native=True)
    printer.cut()

    parser = EscposParser()
    events: list[EscposEvent] = []
    with open_transport(f"serial://{slave_path}?baudrate=9600", timeout=2) as transport:
        os.write(master_fd, printer.output)  # after opening: pyserial flushes input on open, like a real port
        while not any(event.kind == "cut" for event in events):
            chunk = transport.read(64, timeout=2)
            assert chunk, "the pty delivered less than was written"
            events += parser.feed(chunk)
    assert [event.data["text"] for event in events if event.kind == "text"] == ["Over the serial line"]
    assert [event.data["payload"] for event in events if event.kind == "qr"] == ["CEZ-2025-000042"]
