"""`cez-kiosk models` over a temporary registry (tiny real bundles) and the repository's factory bundles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edge_models.hs.texts import default_data_dir
from edge_models.registry import FACTORY_DIR
from kiosk.cli import main
from tests.edge_models.tiny import write_bundle


@pytest.fixture()
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    registry = tmp_path / "registry"
    write_bundle(registry, "tiny", "1.0.0", scale=1.0)
    write_bundle(registry, "tiny", "1.1.0", scale=2.0)
    monkeypatch.setenv("CEZ_MODELS__REGISTRY_DIR", str(registry))
    monkeypatch.delenv("CEZ_CONFIG", raising=False)
    return registry


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["models", *args])
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_installed_and_factory_models(root: Path) -> None:
    code, out, _ = run("list", "--json")
    assert code == 0
    models = {line["name"]: line for line in map(json.loads, out.splitlines())}
    assert models["tiny"]["active"] == "1.1.0"
    assert [v["version"] for v in models["tiny"]["versions"]] == ["1.0.0", "1.1.0"]
    assert "hs-minilm" in models and models["hs-minilm"]["versions"][0]["factory"] is True


def test_list_names_a_model_without_a_readable_bundle(root: Path) -> None:
    broken = root / "broken" / "1.0.0"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text("{not json")
    code, out, _ = run("list", "--json")
    models = {line["name"]: line for line in map(json.loads, out.splitlines())}
    assert code == 1 and models["broken"] == {"name": "broken", "error": "model 'broken' has no readable bundle"}
    assert models["tiny"]["active"] == "1.1.0"


def test_show_counts_labels(root: Path) -> None:
    code, out, _ = run("show", "tiny", "--json")
    document = json.loads(out)
    assert code == 0 and document["labels"] == 3 and document["manifest"]["task"] == "classification"
    assert "labels" not in document["manifest"]


def test_activate_and_rollback_persist(root: Path) -> None:
    code, out, _ = run("activate", "tiny", "1.0.0", "--json")
    assert code == 0 and json.loads(out) == {"name": "tiny", "active": "1.0.0", "previous": "1.1.0"}
    assert json.loads((root / "tiny" / "state.json").read_text())["active"] == "1.0.0"
    code, out, _ = run("rollback", "tiny", "--json")
    assert code == 0 and json.loads(out)["active"] == "1.1.0"
    code, _, err = run("rollback", "tiny", "--json")
    assert code == 2 and "no earlier version" in err and err.count("\n") == 1


def test_refused_activation_exits_2_and_changes_nothing(root: Path) -> None:
    write_bundle(root, "tiny", "2.0.0", sha256="0" * 64)
    run("activate", "tiny", "1.0.0")
    state = (root / "tiny" / "state.json").read_text()
    code, out, err = run("activate", "tiny", "2.0.0", "--json")
    assert code == 2 and out == "" and "does not match the manifest" in err
    assert (root / "tiny" / "state.json").read_text() == state
    code, _, err = run("activate", "nothing", "1.0.0")
    assert code == 2 and "no model named 'nothing'" in err


def test_eval_of_a_task_without_evaluator_is_refused(root: Path) -> None:
    code, _, err = run("eval", "tiny", "--json")
    assert code == 2 and "no evaluator for task 'classification'" in err


@pytest.mark.skipif(not (default_data_dir() / "harmonized-system.csv").is_file(),
                    reason="shared data ../shared/data/hs is not beside the checkout")
def test_eval_reproduces_the_figures_measured_at_training(root: Path) -> None:
    """The int8 bundle is compared with a second bundle (here the same files, standing in for the fp32
    twin that only the training command builds) and the FTS5 baseline on the same queries."""
    bundle = FACTORY_DIR / "hs-minilm" / "1.0.0"
    code, out, err = run("eval", "hs-minilm", "--fp32", str(bundle), "--json")
    assert code == 0, err
    document = json.loads(out)
    manifest = json.loads((bundle / "manifest.json").read_text())
    for level in ("chapter", "heading", "subheading"):
        assert document[level] == manifest["metrics"][level]
        assert document["fp32"][level] == document[level]
    assert document["top5"] == document["subheading"]["top5"]
    assert document["queries"] >= 300 and document["baseline_fts5"]["queries"] == document["queries"]
    assert set(document["latency_ms"]) == {"p50", "p99"}
    assert document["size_bytes"] == sum(p.stat().st_size for p in bundle.iterdir())
    assert sum(row["queries"] for row in document["per_class"].values()) == document["queries"]
    misses = sum(sum(row.values()) for row in document["confusion"].values())
    assert misses == round((1 - document["chapter"]["top1"]) * document["queries"])
