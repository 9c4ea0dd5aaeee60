"""`cez-kiosk models`: the on-box model registry (docs/models.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.commands.common import CONFIG_OPTION, emit, emit_line, fail, load

if TYPE_CHECKING:
    from edge_models.bundle import LoadedModel
    from edge_models.registry import Registry
    from kiosk.core.config import KioskConfig

FP32_BUILD_DIR = Path(__file__).resolve().parents[2] / "build" / "models"
"""Where the training command leaves fp32 bundles (kept out of the repository)."""


def open_registry(config: KioskConfig) -> Registry:
    from edge_models.bundle import Threads
    from edge_models.registry import Registry

    threads = Threads(config.models.intra_op_threads, config.models.inter_op_threads)
    return Registry(config.models.registry_dir, threads=threads)


def _guarded(action: Any) -> Any:
    """Run a registry action; a refused bundle or an unknown model is bad input (exit 2, one line)."""
    from edge_models.bundle import BundleError
    from edge_models.registry import RegistryError

    try:
        return action()
    except (BundleError, RegistryError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"model registry: {exc}")


@click.group()
def models() -> None:
    """List, inspect, activate, roll back and evaluate on-box models."""


@models.command("list")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per model.")
def list_models(config_path: Path | None, as_json: bool) -> None:
    """Every model with its active version and the versions on disk; a model none of whose bundles can
    be read is listed with its error, and the exit code is then 1."""
    from edge_models.bundle import BundleError
    from edge_models.registry import RegistryError

    registry = open_registry(load(config_path))
    broken = 0
    for name in registry.names():
        try:
            document = registry.describe(name)
        except (BundleError, RegistryError) as exc:
            broken += 1
            document = {"name": name, "error": str(exc)}
        if as_json:
            emit_line(document)
        elif "error" in document:
            click.echo(f"{name}: {document['error']}")
        else:
            versions = ", ".join(v["version"] for v in document["versions"])
            click.echo(f"{name}: active {document['active']} (versions: {versions})")
    if broken:
        raise SystemExit(1)


@models.command("show")
@click.argument("name")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True)
def show(name: str, config_path: Path | None, as_json: bool) -> None:
    """One model: its versions, history and the active version's manifest (labels counted, not listed)."""
    registry = open_registry(load(config_path))
    document = _guarded(lambda: registry.describe(name))
    info = _guarded(lambda: registry.version(name, document["active"]))
    manifest = info.manifest.model_dump(mode="json", exclude={"labels"})
    emit({**document, "manifest": manifest, "labels": len(info.manifest.labels)}, as_json)


@models.command("activate")
@click.argument("name")
@click.argument("version")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True)
def activate(name: str, version: str, config_path: Path | None, as_json: bool) -> None:
    """Check, load and warm up VERSION, then make it the active one (nothing changes if it is refused)."""
    registry = open_registry(load(config_path))
    before = _guarded(lambda: registry.state(name))["active"]
    model = _guarded(lambda: registry.activate(name, version))
    emit({"name": name, "active": model.version, "previous": before}, as_json)


@models.command("rollback")
@click.argument("name")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True)
def rollback(name: str, config_path: Path | None, as_json: bool) -> None:
    """Make the previously active version active again."""
    registry = open_registry(load(config_path))
    before = _guarded(lambda: registry.state(name))["active"]
    model = _guarded(lambda: registry.rollback(name))
    emit({"name": name, "active": model.version, "previous": before}, as_json)


@models.command("eval")
@click.argument("name")
@CONFIG_OPTION
@click.option("--fp32", "fp32_dir", type=click.Path(path_type=Path), default=None,
              help="The fp32 bundle to compare (default: NAME-fp32 in the registry, then build/models).")
@click.option("--json", "as_json", is_flag=True)
def evaluate(name: str, config_path: Path | None, fp32_dir: Path | None, as_json: bool) -> None:
    """Accuracy, latency and size of the active version, beside its fp32 twin on the same test set."""
    from edge_models.evaluation import evaluate_model

    config = load(config_path)
    registry = open_registry(config)
    model = _guarded(lambda: registry.active(name))
    fp32 = _guarded(lambda: _fp32_twin(registry, model, fp32_dir))
    if fp32 is None:
        click.echo(f"cez-kiosk: no fp32 bundle for {name} {model.version}; run the training command "
                   "(docs/models.md) or pass --fp32", err=True)
    try:
        document = evaluate_model(model, fp32)
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    emit(document, as_json)


def _fp32_twin(registry: Registry, model: LoadedModel, explicit: Path | None) -> LoadedModel | None:
    from edge_models.bundle import load_bundle
    from edge_models.registry import RegistryError

    if explicit is not None:
        return load_bundle(explicit, registry.threads)
    twin = f"{model.name}-fp32"
    try:
        return load_bundle(registry.version(twin, model.version).directory, registry.threads)
    except RegistryError:
        pass
    built = FP32_BUILD_DIR / twin / model.version
    return load_bundle(built, registry.threads) if built.is_dir() else None
