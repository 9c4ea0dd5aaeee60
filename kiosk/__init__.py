"""CEZ Kiosk: the application (config, store, service wiring, customs domain, flows, API, UI, CLI)."""

__version__ = "0.1.0"
