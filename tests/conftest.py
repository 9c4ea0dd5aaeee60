"""Shared fixtures live in tests/fixtures/, one module per real part they start."""

pytest_plugins = [
    "tests.fixtures.broker",
    "tests.fixtures.core",
    "tests.fixtures.cupsd",
    "tests.fixtures.kivy",
    "tests.fixtures.pty",
    "tests.fixtures.sane",
    "tests.fixtures.store",
]
