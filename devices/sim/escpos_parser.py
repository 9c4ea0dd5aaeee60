"""Incremental ESC/POS parser: turns the byte stream a receipt printer receives into events.

It models what the kiosk's receipts use (initialise, text and its styles, feeds, native QR codes,
1D barcodes, raster images, cuts, real-time status requests) and skips, with their parameters, the
common settings python-escpos emits, so their bytes never leak into the text. Anything else becomes
an ``unknown`` event. Bytes may arrive in any chunking: a command cut in half waits for its rest, and
the events are the same however the stream was split. Garbage never raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

ESC, GS, DLE = 0x1B, 0x1D, 0x10
LF, CR, HT, FF, NUL = 0x0A, 0x0D, 0x09, 0x0C, 0x00

QR_SYMBOL = 0x31  # cn '1' in GS ( k
QR_EC_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}
MAX_NUL_TERMINATED = 255  # longest GS k (function A) or ESC D payload we wait for before calling it garbage
UNKNOWN_SHOWN = 32  # bytes of an unknown command kept in its event
MAX_RASTER_WIDTH_BYTES = 256  # 2048 dots: wider than any roll printer
MAX_RASTER_BYTES = 4 * 1024 * 1024

# ESC t code pages that have a Python codec; other pages decode their upper half as U+FFFD.
CODEPAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252", 17: "cp866",
             18: "cp852", 19: "cp858"}

# ESC and GS commands taken as settings: command byte -> number of parameter bytes.
ESC_SETTINGS = {
    ord("-"): 1, ord("!"): 1, ord("E"): 1, ord("a"): 1, ord("M"): 1, ord("t"): 1, ord("G"): 1,
    ord("2"): 0, ord("3"): 1, ord("A"): 1, ord("+"): 1, ord("{"): 1, ord("r"): 1, ord("="): 1,
    ord("V"): 1, ord(" "): 1, ord("U"): 1, ord("R"): 1, ord("T"): 1, ord("$"): 2, ord("\\"): 2,
    ord("p"): 3, ord("B"): 2, ord("c"): 2, ord("S"): 0, ord("L"): 0, ord("W"): 8,
}
GS_SETTINGS = {
    ord("!"): 1, ord("B"): 1, ord("b"): 1, ord("|"): 1, ord("h"): 1, ord("w"): 1, ord("f"): 1,
    ord("H"): 1, ord("L"): 2, ord("W"): 2, ord("P"): 2, ord("a"): 1, ord("$"): 2, ord("\\"): 2,
}
_ParamHandler = Callable[[bytes], None]
ALIGNMENTS = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}


@dataclass(frozen=True)
class TextStyle:
    """How text prints: what ESC E, ESC -, ESC !, ESC a, ESC M, GS ! and GS B have set."""

    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    align: str = "left"
    font: int = 0
    invert: bool = False


@dataclass(frozen=True)
class EscposEvent:
    """One thing the printer did. `kind` is one of: init, text, style, feed, setting, qr, barcode,
    image, cut, status_request, unknown; `data` holds its details."""

    kind: str
    data: dict[str, object] = field(default_factory=dict)


@dataclass
class _QrState:
    model: int = 2
    module_size: int = 3
    ec: str = "L"
    stored: bytes | None = None


class EscposParser:
    """Feed bytes with `feed`; it returns the events that the bytes so far complete."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._skip = 0  # image data still to discard
        self._text = bytearray()
        self._style = TextStyle()
        self._codepage = 0
        self._qr = _QrState()

    def feed(self, data: bytes) -> list[EscposEvent]:
        self._buffer += data
        events: list[EscposEvent] = []
        while True:
            if self._skip:
                dropped = min(self._skip, len(self._buffer))
                del self._buffer[:dropped]
                self._skip -= dropped
                if self._skip:
                    break
            if not self._buffer:
                break
            consumed = self._step(events)
            if not consumed:
                break  # an incomplete command: wait for more bytes
            del self._buffer[:consumed]
        return events

    # --- one command at the start of the buffer; returns bytes consumed, 0 when incomplete ---

    def _step(self, events: list[EscposEvent]) -> int:
        buf = self._buffer
        first = buf[0]
        if _is_text(first):
            end = 1
            while end < len(buf) and _is_text(buf[end]):
                end += 1
            self._text += buf[:end]
            return end
        self._flush_text(events)
        if first == LF:
            events.append(EscposEvent("feed", {"lines": 1}))
            return 1
        if first == FF:
            events.append(EscposEvent("feed", {"lines": 1, "form_feed": True}))
            return 1
        if first == CR:
            return 1  # carriage return only matters with auto line feed, which receipt printers leave off
        if first == ESC:
            return self._esc(events)
        if first == GS:
            return self._gs(events)
        if first == DLE:
            return self._dle(events)
        return self._unknown(events, 1)

    def _esc(self, events: list[EscposEvent]) -> int:
        buf = self._buffer
        if len(buf) < 2:
            return 0
        command = buf[1]
        if command == ord("@"):
            self._style, self._codepage, self._qr = TextStyle(), 0, _QrState()
            events.append(EscposEvent("init"))
            return 2
        if command in (ord("i"), ord("m")):
            events.append(EscposEvent("cut", {"partial": command == ord("m"), "feed": 0}))
            return 2
        if command == ord("d"):
            return self._with_params(2, 1, lambda p: events.append(EscposEvent("feed", {"lines": p[0]})))
        if command == ord("J"):
            return self._with_params(2, 1, lambda p: events.append(EscposEvent("feed", {"dots": p[0]})))
        if command == ord("D"):
            return self._nul_terminated(events, 2, lambda _: None)
        if command == ord("*"):
            return self._column_image(events)
        if command in ESC_SETTINGS:
            count = ESC_SETTINGS[command]
            return self._with_params(2, count, lambda p: self._esc_setting(events, command, p))
        return self._unknown(events, 2)

    def _esc_setting(self, events: list[EscposEvent], command: int, params: bytes) -> None:
        style, n = self._style, params[0] if params else 0
        if command == ord("E"):
            style = replace(style, bold=bool(n & 1))
        elif command == ord("-"):
            style = replace(style, underline=n % 48 if n % 48 <= 2 else style.underline)
        elif command == ord("!"):
            style = replace(style, font=n & 1, bold=bool(n & 0x08), height=2 if n & 0x10 else 1,
                            width=2 if n & 0x20 else 1, underline=1 if n & 0x80 else 0)
        elif command == ord("a"):
            style = replace(style, align=ALIGNMENTS.get(n, style.align))
        elif command == ord("M"):
            style = replace(style, font=n % 48)
        else:
            if command == ord("t"):
                self._codepage = n
            events.append(EscposEvent("setting", {"command": f"ESC {chr(command)}", "params": params.hex()}))
            return
        self._set_style(events, style)

    def _gs(self, events: list[EscposEvent]) -> int:
        buf = self._buffer
        if len(buf) < 2:
            return 0
        command = buf[1]
        if command == ord("V"):
            return self._cut(events)
        if command == ord("k"):
            return self._barcode(events)
        if command == ord("("):
            return self._gs_paren(events)
        if command == ord("v"):
            return self._raster_image(events)
        if command in GS_SETTINGS:
            return self._with_params(2, GS_SETTINGS[command], lambda p: self._gs_setting(events, command, p))
        return self._unknown(events, 2)

    def _gs_setting(self, events: list[EscposEvent], command: int, params: bytes) -> None:
        if command == ord("!"):
            self._set_style(events, replace(self._style, width=(params[0] >> 4 & 7) + 1,
                                            height=(params[0] & 7) + 1))
        elif command == ord("B"):
            self._set_style(events, replace(self._style, invert=bool(params[0] & 1)))
        else:
            events.append(EscposEvent("setting", {"command": f"GS {chr(command)}", "params": params.hex()}))

    def _cut(self, events: list[EscposEvent]) -> int:
        buf = self._buffer
        if len(buf) < 3:
            return 0
        mode = buf[2]
        if mode in (0, 1, 48, 49):
            events.append(EscposEvent("cut", {"partial": mode in (1, 49), "feed": 0}))
            return 3
        if mode in (65, 66, 97, 98, 103, 104):
            if len(buf) < 4:
                return 0
            events.append(EscposEvent("cut", {"partial": mode in (66, 98, 104), "feed": buf[3]}))
            return 4
        return self._unknown(events, 3)

    def _barcode(self, events: list[EscposEvent]) -> int:
        buf = self._buffer
        if len(buf) < 3:
            return 0
        symbology = buf[2]

        def emit(data: bytes) -> None:
            text = data.decode("ascii", errors="replace")
            events.append(EscposEvent("barcode", {"symbology": symbology, "data": text}))

        if symbology <= 6:  # function A: data up to NUL
            return self._nul_terminated(events, 3, emit)
        if 65 <= symbology <= 79:  # function B: length byte, then data
            if len(buf) < 4:
                return 0
            return self._with_params(4, buf[3], emit)
        return self._unknown(events, 3)

    def _gs_paren(self, events: list[EscposEvent]) -> int:
        buf = self._buffer
        if len(buf) < 5:
            return 0
        length = buf[3] | buf[4] << 8
        if len(buf) < 5 + length:
            return 0
        function, body = buf[2], bytes(buf[5 : 5 + length])
        if function == ord("k") and len(body) >= 2 and body[0] == QR_SYMBOL:
            self._qr_function(events, body[1], body[2:], bytes(buf[: 5 + length]))
        elif function == ord("L") and len(body) >= 10 and body[1] == ord("p"):
            width, height = body[6] | body[7] << 8, body[8] | body[9] << 8
            events.append(EscposEvent("image", {"width": width, "height": height, "command": "GS ( L"}))
        else:
            events.append(_unknown_event(bytes(buf[: 5 + length])))
        return 5 + length

    def _qr_function(self, events: list[EscposEvent], function: int, params: bytes, raw: bytes) -> None:
        qr = self._qr
        if function == 65 and params:  # function 165: model
            qr.model = params[0] - 48
        elif function == 67 and params:  # function 167: module size
            qr.module_size = params[0]
        elif function == 69 and params:  # function 169: error correction level
            qr.ec = QR_EC_LEVELS.get(params[0], qr.ec)
        elif function == 80 and params:  # function 180: store data (after the m byte)
            qr.stored = params[1:]
        elif function == 81 and qr.stored is not None:  # function 181: print what was stored
            payload = qr.stored.decode("utf-8", errors="replace")
            events.append(EscposEvent("qr", {"payload": payload, "model": qr.model,
                                             "module_size": qr.module_size, "ec": qr.ec}))
            return
        else:
            events.append(_unknown_event(raw))
            return
        events.append(EscposEvent("setting", {"command": f"GS ( k {function + 100}", "params": params.hex()}))

    def _raster_image(self, events: list[EscposEvent]) -> int:
        buf = self._buffer
        if len(buf) < 3:
            return 0
        if buf[2] != ord("0"):
            return self._unknown(events, 3)
        if len(buf) < 8:
            return 0
        width_bytes, height = buf[4] | buf[5] << 8, buf[6] | buf[7] << 8
        size = width_bytes * height
        if width_bytes > MAX_RASTER_WIDTH_BYTES or size > MAX_RASTER_BYTES:
            return self._unknown(events, 8)  # no receipt printer is this wide: garbage, not a bitmap
        if len(buf) < 8 + size:
            return 0  # keep the bitmap whole: the receipt renderer draws it
        events.append(EscposEvent("image", {"width": width_bytes * 8, "height": height, "command": "GS v 0",
                                            "mode": buf[3], "raster": bytes(buf[8 : 8 + size])}))
        return 8 + size

    def _column_image(self, events: list[EscposEvent]) -> int:
        buf = self._buffer
        if len(buf) < 5:
            return 0
        mode, columns = buf[2], buf[3] | buf[4] << 8
        if mode not in (0, 1, 32, 33):
            return self._unknown(events, 3)
        dots = 24 if mode >= 32 else 8
        events.append(EscposEvent("image", {"width": columns, "height": dots, "command": "ESC *"}))
        self._skip = columns * dots // 8
        return 5

    def _dle(self, events: list[EscposEvent]) -> int:
        buf = self._buffer
        if len(buf) < 2:
            return 0
        if buf[1] != 0x04:  # only DLE EOT is modelled
            return self._unknown(events, 1)
        if len(buf) < 3:
            return 0
        if buf[2] in (1, 2, 3, 4):
            events.append(EscposEvent("status_request", {"n": buf[2]}))
            return 3
        return self._unknown(events, 3)

    # --- helpers ---

    def _with_params(self, start: int, count: int, handle: _ParamHandler) -> int:
        if len(self._buffer) < start + count:
            return 0
        handle(bytes(self._buffer[start : start + count]))
        return start + count

    def _nul_terminated(self, events: list[EscposEvent], start: int, handle: _ParamHandler) -> int:
        end = self._buffer.find(NUL, start, start + MAX_NUL_TERMINATED + 1)
        if end >= 0:
            handle(bytes(self._buffer[start:end]))
            return end + 1
        if len(self._buffer) > start + MAX_NUL_TERMINATED:
            return self._unknown(events, start)
        return 0

    def _unknown(self, events: list[EscposEvent], length: int) -> int:
        events.append(_unknown_event(bytes(self._buffer[:length])))
        return length

    def _set_style(self, events: list[EscposEvent], style: TextStyle) -> None:
        if style != self._style:
            self._style = style
            events.append(EscposEvent("style", {"style": style}))

    def _flush_text(self, events: list[EscposEvent]) -> None:
        if self._text:
            text = bytes(self._text).decode(CODEPAGES.get(self._codepage, "ascii"), errors="replace")
            events.append(EscposEvent("text", {"text": text, "style": self._style}))
            self._text.clear()


def _is_text(byte: int) -> bool:
    return (byte >= 0x20 and byte != 0x7F) or byte == HT


def _unknown_event(raw: bytes) -> EscposEvent:
    return EscposEvent("unknown", {"bytes": raw[:UNKNOWN_SHOWN].hex(" "), "length": len(raw)})

