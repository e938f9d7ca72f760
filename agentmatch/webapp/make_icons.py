"""Draws the app icons (PNG) with the standard library only; run after changing the design.

    .venv/bin/python -m agentmatch.webapp.make_icons

A white disc with a green check on the site header's navy: "an agent is available".
Writes agentmatch/webapp/static/webapp/icons/; the PNGs are committed.
"""

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parent / "static" / "webapp" / "icons"
NAVY = (22, 46, 81)
WHITE = (255, 255, 255)
GREEN = (0, 169, 28)
Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[float, float], Pixel]) -> bytes:
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            # Sample the pixel's centre in 0..1 coordinates.
            rows.extend(pixel((x + 0.5) / width, (y + 0.5) / height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _segment_distance(
    px: float, py: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _coverage(distance: float, edge: float, size: int) -> float:
    """1 inside, 0 outside, smooth over one pixel at the edge."""
    return max(0.0, min(1.0, (edge - distance) * size + 0.5))


def _mix(under: tuple[int, ...], over: tuple[int, ...], amount: float) -> tuple[int, ...]:
    return tuple(round(u + (o - u) * amount) for u, o in zip(under, over, strict=True))


def icon(size: int, *, disc: float, background: bool = True) -> Callable[[float, float], Pixel]:
    """`disc`: the white disc's radius as a share of the icon's width."""
    scale = disc / 0.34
    check = [(0.5 - 0.15 * scale, 0.52), (0.5 - 0.04 * scale, 0.63), (0.5 + 0.16 * scale, 0.41)]
    stroke = 0.045 * scale

    def pixel(x: float, y: float) -> Pixel:
        base: tuple[int, ...] = NAVY if background else WHITE
        alpha = 1.0 if background else 0.0
        in_disc = _coverage(math.hypot(x - 0.5, y - 0.5), disc, size)
        colour = _mix(base, WHITE, in_disc)
        if not background:
            alpha = in_disc
        d = min(
            _segment_distance(x, y, check[0], check[1]), _segment_distance(x, y, check[1], check[2])
        )
        in_check = _coverage(d, stroke, size)
        if background:
            colour = _mix(colour, GREEN, in_check)
        else:  # a badge is a silhouette: the check is cut out of the disc
            alpha = alpha * (1 - in_check)
        r, g, b = colour
        return (r, g, b, round(alpha * 255))

    return pixel


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    files = {
        "icon-192.png": (192, icon(192, disc=0.34)),
        "icon-512.png": (512, icon(512, disc=0.34)),
        # Maskable: everything that matters within the central 80% circle (the safe zone).
        "maskable-512.png": (512, icon(512, disc=0.28)),
        "apple-touch-icon.png": (180, icon(180, disc=0.34)),
        "badge-96.png": (96, icon(96, disc=0.46, background=False)),
    }
    for name, (size, pixel) in files.items():
        (OUT / name).write_bytes(png(size, size, pixel))
        print(OUT / name)


if __name__ == "__main__":
    main()
