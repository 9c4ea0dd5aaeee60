"""The host <-> MCU framed protocol for the kiosk's mechanics (built in the firmware_bridge issue)."""
