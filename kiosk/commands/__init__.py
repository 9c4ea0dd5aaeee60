"""Command groups of `cez-kiosk`, one module per group; kiosk/cli.py registers them."""
