"""How a clean page looks after a flatbed scan or a phone-style camera shot, deterministic per seed.

`scan`: a small skew, lowered contrast, sensor noise, JPEG artefacts.
`camera`: a perspective view of the page on a darker desk, uneven light, blur and a glare spot.
Each returns the parameters it drew, including the 3x3 homography that maps a point of the clean
page to the degraded image, so a field's box can be followed onto the degraded page.
"""

from __future__ import annotations

from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image

Level = Literal["none", "scan", "camera"]
LEVELS: tuple[Level, ...] = ("none", "scan", "camera")


def degrade(image: Image.Image, level: Level, seed: int, dpi: int = 300) -> tuple[Image.Image, dict[str, Any]]:
    """The degraded page and the parameters used (`{"level": "none"}` for a clean page).

    Blur is drawn in millimetres' worth of pixels at `dpi`, so a page looks equally sharp at any dpi.
    """
    if level == "none":
        return image, {"level": "none"}
    rng = np.random.default_rng([seed, LEVELS.index(level), 6346])
    pixels = np.asarray(image.convert("RGB"))
    if level == "scan":
        out, params = _scan(pixels, rng)
    elif level == "camera":
        out, params = _camera(pixels, rng, dpi / 300)
    else:
        raise ValueError(f"unknown degradation {level!r}; choose one of {', '.join(LEVELS)}")
    return Image.fromarray(out), {"level": level, **params}


def _round(values: Any) -> Any:
    return np.round(np.asarray(values, dtype=np.float64), 4).tolist()


def _scan(pixels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
    height, width = pixels.shape[:2]
    grey = bool(rng.random() < 0.5)
    if grey:  # many sheet-fed scanners deliver grey pages
        pixels = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    angle = float(rng.uniform(-3.0, 3.0))
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    white_fill = (255,) * (1 if grey else 3)
    out = cv2.warpAffine(pixels, rotation, (width, height), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=white_fill)
    black, white = float(rng.uniform(10, 60)), float(rng.uniform(200, 245))
    out = cv2.convertScaleAbs(out, alpha=(white - black) / 255.0, beta=black)
    out, noise_sigma = _add_noise(out, rng, float(rng.uniform(2.0, 9.0)))
    quality = int(rng.integers(25, 75))
    out = _jpeg(out, quality)
    homography = np.vstack([rotation, [0.0, 0.0, 1.0]])
    return out, {
        "skew_deg": round(angle, 4),
        "contrast": {"black": round(black, 2), "white": round(white, 2)},
        "noise_sigma": round(noise_sigma, 3),
        "jpeg_quality": quality,
        "grey": grey,
        "homography": np.asarray(homography, dtype=np.float64).tolist(),
    }


def _add_noise(pixels: np.ndarray, rng: np.random.Generator, sigma: float) -> tuple[np.ndarray, float]:
    """Sensor noise, the same on every channel of a pixel (as luminance noise is); returns its std.

    The sum of two uniform integers (a triangular distribution, close to Gaussian) costs a fifth
    of Gaussian draws on a 300 dpi page; `half` is chosen so the std comes close to `sigma`.
    """
    half = max(1, round(((1.5 * sigma**2 + 0.25) ** 0.5) - 0.5))
    shape = pixels.shape[:2]
    noise: np.ndarray = rng.integers(-half, half + 1, shape, dtype=np.int16)
    noise = noise + rng.integers(-half, half + 1, shape, dtype=np.int16)
    if pixels.ndim == 3:
        noise = cv2.merge([noise] * pixels.shape[2])
    return cv2.add(pixels, noise, dtype=cv2.CV_8U), (2 * half * (half + 1) / 3) ** 0.5


def _field(small: np.ndarray, width: int, height: int) -> np.ndarray:
    """A smooth field computed coarse and stretched to the page (light varies slowly)."""
    return cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)


def _camera(pixels: np.ndarray, rng: np.random.Generator, scale: float) -> tuple[np.ndarray, dict[str, Any]]:
    height, width = pixels.shape[:2]
    margin = 0.06
    size = np.array([width, height], dtype=np.float64)
    source = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    inward = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float64)
    base = np.array([[margin, margin], [1 - margin, margin], [1 - margin, 1 - margin], [margin, 1 - margin]]) * size
    jitter = rng.uniform(0.0, 0.07, (4, 2)) * size
    outward = rng.uniform(0, margin * 0.6, (4, 1)) * size
    corners = (base + inward * jitter - inward * outward).astype(np.float32)
    homography = cv2.getPerspectiveTransform(source, corners)
    desk = tuple(int(v) for v in rng.integers(40, 120, 3))
    out = cv2.warpPerspective(pixels, homography, (width, height), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=desk)
    # uneven light (a gradient across the frame times a vignette) and a glare spot, on a coarse grid
    step = 8
    ys, xs = np.mgrid[0:height:step, 0:width:step].astype(np.float32)
    direction = rng.uniform(0, 2 * np.pi)
    nx, ny = xs / width - 0.5, ys / height - 0.5
    light_min = float(rng.uniform(0.55, 0.85))
    gradient = 1.0 - (1.0 - light_min) * (0.5 + (nx * np.cos(direction) + ny * np.sin(direction)))
    vignette = 1.0 - float(rng.uniform(0.1, 0.3)) * (nx**2 + ny**2) * 2
    gx, gy = float(rng.uniform(0.2, 0.8)) * width, float(rng.uniform(0.2, 0.8)) * height
    radius = float(rng.uniform(0.05, 0.15)) * width
    strength = float(rng.uniform(60, 160))
    glare = np.exp(-(((xs - gx) ** 2 + ((ys - gy) * 1.4) ** 2) / (2 * radius**2))) * strength
    light = cv2.merge([_field(gradient * vignette, width, height)] * 3)
    shine = cv2.merge([np.clip(_field(glare, width, height), 0, 255).astype(np.uint8)] * 3)
    lit = cv2.add(cv2.multiply(out, light, dtype=cv2.CV_8U), shine)
    blur_sigma = float(rng.uniform(0.6, 2.2)) * scale
    blurred = cv2.GaussianBlur(lit, (0, 0), blur_sigma)
    noisy, noise_sigma = _add_noise(blurred, rng, float(rng.uniform(1.0, 5.0)))
    out = _jpeg(noisy, int(rng.integers(60, 90)))
    return out, {
        "corners": _round(corners),
        "homography": np.asarray(homography, dtype=np.float64).tolist(),
        "light_min": round(light_min, 3),
        "light_direction_deg": round(float(np.degrees(direction)), 2),
        "glare": {"x": round(gx, 1), "y": round(gy, 1), "radius": round(radius, 1), "strength": round(strength, 1)},
        "blur_sigma": round(blur_sigma, 3),
        "noise_sigma": round(noise_sigma, 3),
        "desk_rgb": list(desk),
    }


def _jpeg(pixels: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode as JPEG at `quality`: the block artefacts of a scanner's or phone's output."""
    colour = pixels.ndim == 3
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR) if colour else pixels,
                               [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR if colour else cv2.IMREAD_GRAYSCALE)
    if decoded is None:
        raise RuntimeError("JPEG decoding failed")
    return np.asarray(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB) if colour else decoded)
