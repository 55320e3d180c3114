# SPDX-License-Identifier: GPL-2.0-only
"""png.py --- read the 8-bit RGB(A) PNGs GTK saves (test pictures).

png(path) -> (width, height, bytes per pixel, rows of bytes), filters undone.
As a command: `python3 png.py text-rows FILE` prints how many pixel rows of
FILE hold a pixel brighter than 64 in some channel (a text screen's lines).
"""
import struct
import sys
import zlib


def png(path):
    d = open(path, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", path + ": not a PNG"
    i, idat = 8, b""
    while i < len(d):
        n, t = struct.unpack(">I4s", d[i:i + 8])
        if t == b"IHDR":
            w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", d[i + 8:i + 21])
        elif t == b"IDAT":
            idat += d[i + 8:i + 8 + n]
        i += 12 + n
    assert depth == 8 and ctype in (2, 6) and not lace, path + ": not 8-bit RGB"
    bpp = 3 if ctype == 2 else 4
    raw, st = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(st)
    for y in range(h):
        f = raw[y * (st + 1)]
        ln = bytearray(raw[y * (st + 1) + 1:(y + 1) * (st + 1)])
        for x in range(st):
            a = ln[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                ln[x] = (ln[x] + a) & 255
            elif f == 2:
                ln[x] = (ln[x] + b) & 255
            elif f == 3:
                ln[x] = (ln[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                ln[x] = (ln[x] + (a if pa <= pb and pa <= pc else
                                  b if pb <= pc else c)) & 255
        rows.append(ln)
        prev = ln
    return w, h, bpp, rows


def text_rows(path):
    w, h, bpp, rows = png(path)
    return sum(1 for ln in rows
               if any(ln[x] > 64 for x in range(0, w * bpp) if x % bpp < 3))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "text-rows":
        print(text_rows(sys.argv[2]))
    else:
        sys.exit("usage: png.py text-rows FILE")
