"""The camera driver with image files and a video standing in for a V4L2 camera."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera import Camera, CameraError, CameraScanner, CameraSettings
from devices.scanner import FeederEmpty
from devices.state import DeviceState


def _page(shade: int) -> np.ndarray:
    image = np.full((300, 400, 3), shade, dtype=np.uint8)
    cv2.putText(image, "CMR", (50, 150), cv2.FONT_HERSHEY_SIMPLEX, 3, (0, 0, 0), 5)
    return image


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for index, shade in enumerate((200, 230)):
        cv2.imwrite(str(folder / f"p{index}.png"), _page(shade))
    return folder


def test_folder_of_images_gives_frames_at_the_configured_resolution(pages: Path) -> None:
    camera = Camera(str(pages), settings=CameraSettings(width=800, height=600))
    assert camera.self_test().state is DeviceState.READY
    first, second = camera.capture(), camera.capture()
    assert first.shape == second.shape == (600, 800, 3)
    assert first.mean() < second.mean()  # in file order
    with pytest.raises(CameraError):
        camera.capture()
    assert camera.status().state is DeviceState.DEGRADED


def test_video_source(tmp_path: Path) -> None:
    video = tmp_path / "doc.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 5, (400, 300))
    for shade in (100, 150, 200):
        writer.write(_page(shade))
    writer.release()
    camera = Camera(str(video), settings=CameraSettings(width=400, height=300))
    frames = [camera.capture() for _ in range(3)]
    assert [frame.shape for frame in frames] == [(300, 400, 3)] * 3
    assert frames[0].mean() < frames[2].mean()


def test_camera_serves_as_the_scanner(pages: Path) -> None:
    scanner = CameraScanner(Camera(str(pages), settings=CameraSettings(width=400, height=300)))
    assert scanner.scan().startswith(b"\x89PNG")
    scanner.scan()
    with pytest.raises(FeederEmpty):
        scanner.scan()


def test_missing_camera_is_absent(tmp_path: Path) -> None:
    camera = Camera(str(tmp_path / "empty"))
    assert camera.self_test().state is DeviceState.ABSENT
    assert Camera("/dev/video99").self_test().state is DeviceState.ABSENT
