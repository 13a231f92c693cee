"""Writes src-tauri/icons/icon.png: a 256x256 RGBA knot-like ring, no dependencies."""
import math, struct, zlib, pathlib

SIZE = 256

def pixel(x, y):
    cx = cy = SIZE / 2
    d = math.hypot(x - cx, y - cy)
    a = math.atan2(y - cy, x - cx)
    r = 70 + 22 * math.sin(3 * a)          # a trefoil-like ring
    if abs(d - r) < 14:
        return (64, 120, 220, 255)
    if d < 118:
        return (235, 240, 250, 255)
    return (0, 0, 0, 0)

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(SIZE)) for y in range(SIZE))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
out = pathlib.Path(__file__).with_name("icon.png")
out.write_bytes(png)
print(out, len(png), "bytes")
