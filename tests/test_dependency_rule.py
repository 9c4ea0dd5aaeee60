"""The dependency rule of docs/architecture.md, checked on the source of every package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("devices", "vision", "edge_models", "sync", "firmware_bridge")
# What each library may import from the project, besides itself.
ALLOWED = {
    "devices": {"firmware_bridge"},
    "vision": {"edge_models"},
    "edge_models": set(),
    "sync": set(),
    "firmware_bridge": set(),
}
# Folders allowed more than their library: edge_models' training renders its pages with vision's generator.
ALLOWED_UNDER = {"edge_models/training": {"vision"}}
PROJECT = {"kiosk", *LIBRARIES}
UI_ONLY_FRAMEWORKS = {"kivy", "fastapi", "starlette", "uvicorn"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("library", LIBRARIES)
def test_libraries_import_neither_kiosk_nor_frameworks(library: str) -> None:
    for path in _sources(library):
        relative = path.relative_to(ROOT).as_posix()
        extra = set().union(*(names for folder, names in ALLOWED_UNDER.items() if relative.startswith(f"{folder}/")))
        for name in _imports(path):
            top = name.split(".")[0]
            if top in PROJECT:
                assert top == library or top in ALLOWED[library] | extra, f"{path.relative_to(ROOT)} imports {name}"
            assert top not in UI_ONLY_FRAMEWORKS, f"{path.relative_to(ROOT)} imports {name}"


def test_ui_imports_only_its_api_client() -> None:
    for path in _sources("kiosk/ui"):
        for name in _imports(path):
            if name.split(".")[0] in PROJECT:
                assert name == "kiosk.api.client" or name.startswith("kiosk.ui"), (
                    f"{path.relative_to(ROOT)} imports {name}"
                )


def test_nothing_outside_ui_and_api_imports_kivy_or_fastapi() -> None:
    allowed = {"kivy": ("kiosk/ui",), "fastapi": ("kiosk/api",), "uvicorn": ("kiosk/core/runner.py",)}
    for package in PROJECT:
        for path in _sources(package):
            relative = str(path.relative_to(ROOT))
            for name in _imports(path):
                top = name.split(".")[0]
                if top in allowed:
                    assert relative.startswith(allowed[top]), f"{relative} imports {name}"
