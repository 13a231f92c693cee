"""Writes the app icons: src-tauri/icons/icon.png (256x256, the one the app embeds) and
32x32.png, 64x64.png, 128x128.png, 512x512.png for the package's hicolor theme; an RGBA
knot-like ring drawn at each size, no dependencies."""
import math, struct, zlib, pathlib

def pixel(x, y, size):
    # The 256-pixel design, scaled: sample at the pixel's centre.
    s = 256 / size
    px, py = (x + 0.5) * s - 0.5, (y + 0.5) * s - 0.5
    cx = cy = 128
    d = math.hypot(px - cx, py - cy)
    a = math.atan2(py - cy, px - cx)
    r = 70 + 22 * math.sin(3 * a)          # a trefoil-like ring
    if abs(d - r) < 14:
        return (64, 120, 220, 255)
    if d < 118:
        return (235, 240, 250, 255)
    return (0, 0, 0, 0)

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

def png(size):
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y, size)) for x in range(size)) for y in range(size))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")

here = pathlib.Path(__file__).parent
for name, size in [("icon.png", 256), ("32x32.png", 32), ("64x64.png", 64), ("128x128.png", 128), ("512x512.png", 512)]:
    data = png(size)
    (here / name).write_bytes(data)
    print(here / name, len(data), "bytes")
