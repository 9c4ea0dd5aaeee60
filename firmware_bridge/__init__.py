"""The host <-> MCU framed protocol for the kiosk's mechanics: host side, MCU simulator, C peer.

See docs/firmware-protocol.md for the frames, the message table and the timing rules.
"""
