"""The registry with real onnxruntime sessions over tiny real ONNX bundles."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from edge_models.bundle import BundleError, Threads
from edge_models.registry import Registry, RegistryError
from tests.edge_models.tiny import expected, model_bytes, write_bundle

X = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)


@pytest.fixture()
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    root, factory = tmp_path / "registry", tmp_path / "factory"
    root.mkdir()
    write_bundle(factory, "tiny", "1.0.0", scale=1.0)
    write_bundle(factory, "tiny", "1.1.0", scale=2.0)
    return root, factory


def registry(dirs: tuple[Path, Path], **kwargs: object) -> Registry:
    root, factory = dirs
    return Registry(root, factory=factory, **kwargs)  # type: ignore[arg-type]


def test_newest_version_is_active_by_default_and_serves(dirs: tuple[Path, Path]) -> None:
    reg = registry(dirs)
    assert reg.names() == ["tiny"]
    assert [info.version for info in reg.versions("tiny")] == ["1.0.0", "1.1.0"]
    assert reg.active("tiny").version == "1.1.0"
    np.testing.assert_allclose(reg.predict("tiny", {"x": X})[0], expected(2.0, X))


def test_activation_is_persisted_and_rollback_returns_to_the_previous(dirs: tuple[Path, Path]) -> None:
    reg = registry(dirs)
    reg.activate("tiny", "1.0.0")
    np.testing.assert_allclose(reg.predict("tiny", {"x": X})[0], expected(1.0, X))
    assert registry(dirs).active("tiny").version == "1.0.0"  # a restarted process reads the state
    assert reg.rollback("tiny").version == "1.1.0"
    assert registry(dirs).state("tiny") == {"active": "1.1.0", "history": []}
    with pytest.raises(RegistryError, match="no earlier version"):
        reg.rollback("tiny")
    assert not [p for p in (dirs[0] / "tiny").iterdir() if p.name.startswith(".")]  # no temporary left


def test_installed_version_waits_for_activation(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    incoming = write_bundle(tmp_path / "incoming", "tiny", "2.0.0", scale=3.0).parent.parent
    reg = registry(dirs)
    info = reg.install(incoming / "tiny" / "2.0.0")
    assert not info.factory and info.directory == dirs[0] / "tiny" / "2.0.0"
    assert reg.active("tiny").version == "1.1.0"  # installing does not activate
    reg.activate("tiny", "2.0.0")
    np.testing.assert_allclose(reg.predict("tiny", {"x": X})[0], expected(3.0, X))
    with pytest.raises(RegistryError, match="already installed"):
        reg.install(incoming / "tiny" / "2.0.0")


def test_thread_settings_reach_the_session(dirs: tuple[Path, Path]) -> None:
    model = registry(dirs, threads=Threads(intra_op=2, inter_op=1)).active("tiny")
    options = model.session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (2, 1)


def _refused(dirs: tuple[Path, Path], version: str, match: str) -> None:
    """Activating `version` fails with `match`, and 1.1.0 still serves and stays persisted."""
    reg = registry(dirs)
    reg.activate("tiny", "1.1.0")
    state = reg.state("tiny")
    with pytest.raises(BundleError, match=match):
        reg.activate("tiny", version)
    assert reg.active("tiny").version == "1.1.0"
    np.testing.assert_allclose(reg.predict("tiny", {"x": X})[0], expected(2.0, X))
    assert registry(dirs).state("tiny") == state


def test_corrupt_model_file_is_refused(dirs: tuple[Path, Path]) -> None:
    garbage = b"this is not an onnx model" * 10
    write_bundle(dirs[1], "tiny", "3.0.0", model=garbage)
    _refused(dirs, "3.0.0", "model.onnx cannot be loaded")


def test_wrong_sha256_is_refused(dirs: tuple[Path, Path]) -> None:
    write_bundle(dirs[1], "tiny", "3.0.0", sha256=hashlib.sha256(b"something else").hexdigest())
    _refused(dirs, "3.0.0", "sha256 .* does not match")


def test_truncated_model_with_its_old_sha256_is_refused(dirs: tuple[Path, Path]) -> None:
    directory = write_bundle(dirs[1], "tiny", "3.0.0")
    model = directory / "model.onnx"
    model.write_bytes(model.read_bytes()[:40])
    _refused(dirs, "3.0.0", "sha256")


def test_wrong_input_shape_is_refused(dirs: tuple[Path, Path]) -> None:
    data = model_bytes(1.0, features=5)  # the graph takes 5 features, the manifest says 4
    write_bundle(dirs[1], "tiny", "3.0.0", model=data)
    _refused(dirs, "3.0.0", r"input x has shape \['batch', 5\], the manifest says \['batch', 4\]")


def test_missing_labels_are_refused(dirs: tuple[Path, Path]) -> None:
    write_bundle(dirs[1], "tiny", "3.0.0", labels=None)
    _refused(dirs, "3.0.0", "labels: Field required")


def test_empty_labels_are_refused(dirs: tuple[Path, Path]) -> None:
    write_bundle(dirs[1], "tiny", "3.0.0", labels=[])
    _refused(dirs, "3.0.0", "labels: List should have at least 1 item")


def test_missing_listed_file_is_refused(dirs: tuple[Path, Path]) -> None:
    write_bundle(dirs[1], "tiny", "3.0.0", files={"index.npy": "0" * 64})
    _refused(dirs, "3.0.0", "index.npy is missing")


def test_model_for_a_newer_app_is_refused(dirs: tuple[Path, Path]) -> None:
    write_bundle(dirs[1], "tiny", "3.0.0", min_app_version="99.0.0")
    _refused(dirs, "3.0.0", "needs cez-kiosk 99.0.0")


def test_unknown_model_version_and_bad_name(dirs: tuple[Path, Path]) -> None:
    reg = registry(dirs)
    with pytest.raises(RegistryError, match=r"no version '9\.9\.9'"):
        reg.activate("tiny", "9.9.9")
    with pytest.raises(RegistryError, match="no model named 'nothing'"):
        reg.active("nothing")
    with pytest.raises(RegistryError, match="bad model name"):
        reg.active("../etc")
    assert reg.state("tiny")["active"] == "1.1.0"


def test_install_refuses_a_bad_bundle_and_leaves_nothing(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    bad = write_bundle(tmp_path / "incoming", "tiny", "2.0.0", sha256="0" * 64)
    with pytest.raises(BundleError, match="does not match"):
        registry(dirs).install(bad)
    assert not (dirs[0] / "tiny").exists()


def test_swap_under_load_drops_no_request(dirs: tuple[Path, Path]) -> None:
    """Two threads predict through 50 activate/rollback cycles: every answer is one version's, none fails."""
    reg = registry(dirs)
    reg.activate("tiny", "1.0.0")
    answers = {expected(1.0, X).tobytes(): "1.0.0", expected(2.0, X).tobytes(): "1.1.0"}
    errors: list[BaseException] = []
    seen: list[set[str]] = [set(), set()]
    stop = threading.Event()

    def reader(index: int) -> None:
        calls = 0
        while not stop.is_set() or calls < 100:
            try:
                output = reg.predict("tiny", {"x": X})[0]
                seen[index].add(answers[output.tobytes()])
            except BaseException as exc:  # every failure is collected and fails the test below
                errors.append(exc)
                return
            calls += 1

    threads = [threading.Thread(target=reader, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for _ in range(50):
        reg.activate("tiny", "1.1.0")
        time.sleep(0.002)  # let the readers in while each version serves
        reg.rollback("tiny")
        time.sleep(0.002)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert reg.active("tiny").version == "1.0.0"
    assert json.loads((dirs[0] / "tiny" / "state.json").read_text())["active"] == "1.0.0"
    assert set.union(*seen) == {"1.0.0", "1.1.0"}


def test_a_second_registry_follows_an_activation_made_by_another(dirs: tuple[Path, Path]) -> None:
    """The core's registry applies central's `model.activate`; vision's own registry in a worker serves it next."""
    core, worker = registry(dirs), registry(dirs)
    assert worker.active("tiny").version == "1.1.0"
    core.activate("tiny", "1.0.0")
    assert worker.active("tiny").version == "1.0.0"
    np.testing.assert_allclose(worker.predict("tiny", {"x": X})[0], expected(1.0, X))
    core.rollback("tiny")
    assert worker.active("tiny").version == "1.1.0"


def test_a_persisted_version_that_does_not_load_leaves_the_serving_one(dirs: tuple[Path, Path]) -> None:
    root = dirs[0]
    reg = registry(dirs)
    assert reg.active("tiny").version == "1.1.0"
    (root / "tiny").mkdir()
    (root / "tiny" / "state.json").write_text(json.dumps({"active": "9.9.9", "history": []}))
    assert reg.active("tiny").version == "1.1.0"
    with pytest.raises(RegistryError, match="no version"):
        registry(dirs).active("tiny")  # a process starting now has nothing to fall back on
