"""The on-box model registry: versioned bundles, one active version per model, atomic swaps, rollback.

Layout (docs/models.md): `<root>/<name>/<version>/{model.onnx,manifest.json,...}` for installed bundles,
`<root>/<name>/state.json` for the active version and its history. The repository's own bundles form
a read-only factory registry searched after `<root>`. Readers take a reference to the active
`LoadedModel` and keep it for their whole request; activation builds and warms the new session
first, then replaces that one reference, so no request in flight is dropped.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from edge_models.bundle import (
    ONE_THREAD,
    BundleError,
    LoadedModel,
    Threads,
    load_bundle,
    read_bundle_manifest,
    verify_files,
)
from edge_models.manifest import NAME_PATTERN, VERSION_PATTERN, Manifest, version_key

FACTORY_DIR = Path(__file__).resolve().parent / "bundles"
LOG = logging.getLogger(__name__)
STATE_FILE = "state.json"
StateStamp = tuple[int, int, int] | None
"""(inode, mtime, size) of a model's state file, None without one: a rename-replace always changes it."""
HISTORY_KEPT = 10


class RegistryError(Exception):
    """A registry request that cannot be done (unknown model or version, nothing to roll back to)."""


@dataclass(frozen=True)
class VersionInfo:
    name: str
    version: str
    directory: Path
    factory: bool
    manifest: Manifest

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "task": self.manifest.task, "quantization": self.manifest.quantization,
                "factory": self.factory, "path": str(self.directory)}


def installed_app_version() -> str:
    try:
        return metadata.version("cez-kiosk")
    except metadata.PackageNotFoundError:
        return "0.0.0"


class Registry:
    """Bundles under a writable root plus the read-only factory folder; one active session per model."""

    def __init__(self, root: Path, *, factory: Path | None = FACTORY_DIR, threads: Threads = ONE_THREAD,
                 app_version: str | None = None) -> None:
        self.root = root
        self.factory = factory
        self.threads = threads
        self.app_version = app_version or installed_app_version()
        self._active: dict[str, LoadedModel] = {}
        self._seen: dict[str, StateStamp] = {}
        """The state file each active model was loaded under: another registry over the same root (the
        core's, after a `model.activate` from central) changes it, and this one follows on its next `active`."""
        self._lock = threading.Lock()

    # -- what is on disk ---------------------------------------------------------------------------

    def names(self) -> list[str]:
        found: set[str] = set()
        for base in self._bases():
            if base.is_dir():
                found.update(entry.name for entry in base.iterdir() if entry.is_dir() and _valid_name(entry.name))
        return sorted(found)

    def versions(self, name: str) -> list[VersionInfo]:
        """Every readable version of a model, oldest first; a writable copy hides the factory one."""
        _check_name(name)
        found: dict[str, VersionInfo] = {}
        for base in reversed(self._bases()):
            model_dir = base / name
            if not model_dir.is_dir():
                continue
            for entry in model_dir.iterdir():
                if not entry.is_dir() or not _valid_version(entry.name):
                    continue
                try:
                    manifest = read_bundle_manifest(entry)
                except BundleError:
                    continue
                found[entry.name] = VersionInfo(name, entry.name, entry, base == self.factory, manifest)
        return [found[version] for version in sorted(found, key=version_key)]

    def version(self, name: str, version: str) -> VersionInfo:
        """One version; a bundle whose manifest is invalid raises BundleError saying why."""
        _check_name(name)
        if _valid_version(version):
            for base in self._bases():
                directory = base / name / version
                if directory.is_dir():
                    return VersionInfo(name, version, directory, base == self.factory,
                                       read_bundle_manifest(directory))
        raise RegistryError(f"model {name!r} has no version {version!r}")

    def state(self, name: str) -> dict[str, Any]:
        """The persisted state: {"active": version, "history": [older active versions, newest last]}."""
        path = self.root / name / STATE_FILE
        if path.is_file():
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(state, dict) and isinstance(state.get("active"), str):
                    return {"active": state["active"], "history": list(state.get("history", []))}
            except (OSError, ValueError):
                pass
        versions = self.versions(name)
        if not versions:
            if any((base / name).is_dir() for base in self._bases()):
                raise RegistryError(f"model {name!r} has no readable bundle")
            raise RegistryError(f"no model named {name!r}")
        return {"active": versions[-1].version, "history": []}

    def describe(self, name: str) -> dict[str, Any]:
        state = self.state(name)
        return {"name": name, "active": state["active"], "history": state["history"],
                "versions": [info.to_dict() for info in self.versions(name)]}

    # -- serving -----------------------------------------------------------------------------------

    def active(self, name: str) -> LoadedModel:
        """The active model, loaded on first use and again when the persisted state changed (one stat a call).

        Hold the returned object for a whole request.
        """
        stamp = self._stamp(name)
        model = self._active.get(name)
        if model is not None and self._seen.get(name) == stamp:
            return model
        with self._lock:
            stamp = self._stamp(name)
            model = self._active.get(name)
            if model is None or self._seen.get(name) != stamp:
                try:
                    fresh = self._load(self.version(name, self.state(name)["active"]))
                except (BundleError, RegistryError, OSError):
                    if model is None:
                        raise
                    LOG.exception("model %s: the newly persisted version does not load; %s keeps serving",
                                  name, model.version)
                    fresh = model
                model = fresh
                self._active[name] = model
                self._seen[name] = stamp
            return model

    def predict(self, name: str, feeds: dict[str, np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
        return self.active(name).run(feeds)

    # -- changing what is active -----------------------------------------------------------------

    def activate(self, name: str, version: str) -> LoadedModel:
        """Load, check and warm up `version`, then make it the active one; on any error nothing changes."""
        with self._lock:
            state = self.state(name)
            model = self._load(self.version(name, version))
            history = [*state["history"], state["active"]] if state["active"] != version else state["history"]
            self._write_state(name, {"active": version, "history": history[-HISTORY_KEPT:]})
            self._serve(name, model)
            return model

    def rollback(self, name: str) -> LoadedModel:
        """Go back to the version that was active before the current one."""
        with self._lock:
            state = self.state(name)
            history = list(state["history"])
            while history:
                previous = history.pop()
                if previous == state["active"]:
                    continue
                model = self._load(self.version(name, previous))
                self._write_state(name, {"active": previous, "history": history})
                self._serve(name, model)
                return model
            raise RegistryError(f"model {name!r} has no earlier version to roll back to")

    def install(self, bundle_dir: Path) -> VersionInfo:
        """Copy a verified bundle into the writable root (not activated). An existing version is refused."""
        manifest = read_bundle_manifest(bundle_dir)
        verify_files(bundle_dir, manifest)
        target = self.root / manifest.name / manifest.version
        if target.exists():
            raise RegistryError(f"{manifest.name} {manifest.version} is already installed at {target}")
        if self.versions(manifest.name) and not (self.root / manifest.name / STATE_FILE).exists():
            self._write_state(manifest.name, self.state(manifest.name))  # pin what serves now
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{manifest.version}.", dir=target.parent))
        staging.chmod(0o755)
        for file_name in ["manifest.json", "model.onnx", *manifest.files]:
            shutil.copy2(bundle_dir / file_name, staging / file_name)
        os.replace(staging, target)
        return self.version(manifest.name, manifest.version)

    # -- internals -----------------------------------------------------------------------------------

    def _bases(self) -> list[Path]:
        return [self.root] if self.factory is None else [self.root, self.factory]

    def _stamp(self, name: str) -> StateStamp:
        try:
            info = os.stat(self.root / name / STATE_FILE)
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_size

    def _serve(self, name: str, model: LoadedModel) -> None:
        self._active[name] = model
        self._seen[name] = self._stamp(name)

    def _load(self, info: VersionInfo) -> LoadedModel:
        if version_key(info.manifest.min_app_version) > version_key(_release(self.app_version)):
            raise BundleError(f"{info.directory}: needs cez-kiosk {info.manifest.min_app_version}, "
                              f"this is {self.app_version}")
        if info.manifest.name != info.name or info.manifest.version != info.version:
            raise BundleError(f"{info.directory}: manifest says {info.manifest.name} {info.manifest.version}")
        return load_bundle(info.directory, self.threads)

    def _write_state(self, name: str, state: dict[str, Any]) -> None:
        """Write-then-rename with fsync, so a power cut leaves the old state or the new, never half."""
        directory = self.root / name
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".state.", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(state, file)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, directory / STATE_FILE)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _release(version: str) -> str:
    """'0.1.0.dev3' or '0.1.0+local' -> '0.1.0' for comparison with a manifest's minimum."""
    parts = []
    for part in version.replace("+", ".").split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(digits or "0")
    return ".".join(parts + ["0"] * (3 - len(parts)))


def _valid_name(name: str) -> bool:
    return re.fullmatch(NAME_PATTERN, name) is not None


def _valid_version(version: str) -> bool:
    return re.fullmatch(VERSION_PATTERN, version) is not None


def _check_name(name: str) -> None:
    if not _valid_name(name):
        raise RegistryError(f"bad model name {name!r}")
