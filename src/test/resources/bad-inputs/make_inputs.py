#!/usr/bin/env python3
"""Writes the small binary files of the bad-inputs corpus (run from this folder; stdlib only).

Every file is a few hundred bytes at most; the "huge" ones only declare huge sizes in their headers.
FIFOs, symbolic links and folders named like images cannot live in git: BadInputsTest makes them.
"""
import os
import struct
import zlib


def png(width, height, rows=None):
    """An 8-bit grayscale PNG; rows=None writes a tiny IDAT that does not match the header."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes(r) for r in rows) if rows is not None else b"\x00" * 16
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def tiff(pages):
    """A little-endian TIFF whose IFDs declare (width, height) per page, each with one 16-byte strip."""
    out = bytearray(b"II*\x00" + struct.pack("<I", 0))
    strip = len(out)
    out += b"\x00" * 16
    first = None
    prev_next = None
    for w, h in pages:
        ifd = len(out)
        if first is None:
            first = ifd
        if prev_next is not None:
            struct.pack_into("<I", out, prev_next, ifd)
        tags = [(256, 4, w), (257, 4, h), (258, 3, 8), (259, 3, 1), (262, 3, 1),
                (273, 4, strip), (277, 3, 1), (278, 4, h), (279, 4, 16)]
        out += struct.pack("<H", len(tags))
        for tag, typ, val in tags:
            out += struct.pack("<HHI", tag, typ, 1) + (struct.pack("<HH", val, 0) if typ == 3 else struct.pack("<I", val))
        prev_next = len(out)
        out += struct.pack("<I", 0)
    struct.pack_into("<I", out, 4, first)
    return bytes(out)


def idx3(n, rows, cols, values):
    return struct.pack(">IIII", 0x803, n, rows, cols) + bytes(values)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


ok = [[(x * 16 + y) % 256 for x in range(8)] for y in range(8)]
write("images/ok.png", png(8, 8, ok))
write("paired/images/ok.png", png(8, 8, ok))
write("paired/masks/ok.png", png(8, 8, [[255 if x > 3 else 0 for x in range(8)] for _ in range(8)]))
write("paired/images/fifo-mask.png", png(8, 8, ok))  # its mask becomes a FIFO at test time
write("paired/images/dangling-mask.png", png(8, 8, ok))  # its mask becomes a dangling link at test time
write("images/huge-header.png", png(20000, 20000))
write("images/huge-header.tif", tiff([(20000, 20000)]))
write("images/huge-stack.tif", tiff([(6000, 6000)] * 3))
full = png(8, 8, ok)
write("images/truncated.png", full[: len(full) // 2])
write("images/not-an-image.png", b"this is text, not an image\n")
write("images/empty.png", b"")
write("idx/huge-images-idx3-ubyte", idx3(20000, 100, 100, range(16)))
write("idx/truncated-images-idx3-ubyte", idx3(1000, 28, 28, range(100)))
