#!/usr/bin/env python3
"""checkpattern.py IMAGE [--size WxH] [--scene 2d|3d]

Compares a screen image (binary PPM "P6" as QEMU's screendump writes it, or an 8-bit
RGB/RGBA PNG as neep's PNG sink writes it) pixel for pixel with the pattern the guest
paints (src/pattern.h; the formulas are repeated below and must stay equal), or with
--scene 3d the scene the 3D guest draws with GLES2 (src/scene3d.h, likewise repeated).
Prints "PATTERN-MATCH WxH" and exits 0, or "PATTERN-MISMATCH ..." naming the first
differing pixels and exits 1. Python standard library only.
"""
import struct
import sys
import zlib

BARS = (b"\xff\xff\xff", b"\xff\xff\x00", b"\x00\xff\xff", b"\x00\xff\x00",
        b"\xff\x00\xff", b"\xff\x00\x00", b"\x00\x00\xff", b"\x00\x00\x00")


def bars_over(w, h, bars, lower):
    """Yields the rows, packed RGB, of a picture with eight bars (index x*8/w) in rows
    y < h/2 and lower(y) below."""
    top = b"".join(bars[x * 8 // w] for x in range(w))
    for y in range(h):
        yield top if y < h // 2 else lower(y)


def pattern_rows(w, h):
    """Yields each row of the pattern as packed RGB bytes."""
    half = h // 2
    red = bytes(x * 255 // (w - 1) if w > 1 else 0 for x in range(w))
    rows = h - half

    def lower(y):
        row = bytearray(3 * w)
        row[0::3] = red
        row[1::3] = bytes([(y - half) * 255 // (rows - 1) if rows > 1 else 0]) * w
        row[2::3] = bytes((x ^ y) & 0xFF for x in range(w))
        return bytes(row)
    return bars_over(w, h, BARS, lower)


BARS_3D = tuple(reversed(BARS))
TEX_3D, TEXELS_3D = 128, 4


def scene3d_rows(w, h):
    """Yields each row of the 3D guest's scene (src/scene3d.h) as packed RGB bytes."""
    red = bytes(x & 0xFF for x in range(w))
    tx0, ty0, cell = w - TEX_3D, h - TEX_3D, TEX_3D // TEXELS_3D

    def lower(y):
        row = bytearray(3 * w)
        row[0::3] = red
        row[1::3] = bytes([y & 0xFF]) * w
        row[2::3] = bytes(0xFF if ((x >> 5) + (y >> 5)) & 1 else 0 for x in range(w))
        if y >= ty0:
            v = (y - ty0) // cell
            for x in range(tx0, w):
                u = (x - tx0) // cell
                row[3 * x:3 * x + 3] = bytes((80 * u + 15, 80 * v + 15, 255 - 30 * (u + v)))
        return bytes(row)
    return bars_over(w, h, BARS_3D, lower)


SCENES = {"2d": pattern_rows, "3d": scene3d_rows}


def read_ppm(data):
    """(w, h, rgb) of a binary PPM with maxval 255; '#' comments allowed in the header."""
    fields, pos = [], 2
    if data[:2] != b"P6":
        raise ValueError("not a binary PPM (P6)")
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while data[end:end + 1].isdigit():
            end += 1
        fields.append(int(data[pos:end]))
        pos = end
    w, h, maxval = fields
    if maxval != 255:
        raise ValueError("PPM maxval %d, only 255 handled" % maxval)
    pos += 1  # the single whitespace byte before the raster
    return w, h, data[pos:pos + 3 * w * h]


def unfilter(line, prev, kind, bpp):
    """Undoes one PNG scanline filter (RFC 2083 section 6) in place."""
    n = len(line)
    if kind == 0:
        return
    if kind == 2:
        for i in range(n):
            line[i] = (line[i] + prev[i]) & 0xFF
        return
    for i in range(n):
        left = line[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            up, corner = prev[i], (prev[i - bpp] if i >= bpp else 0)
            p = left + up - corner
            pl, pu, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[i] = (line[i] + (left if pl <= pu and pl <= pc else up if pu <= pc else corner)) & 0xFF
        else:
            raise ValueError("PNG filter type %d" % kind)


def read_png(data):
    """(w, h, rgb) of a non-interlaced 8-bit RGB or RGBA PNG (alpha dropped)."""
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    w, h, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError("PNG depth %d colour type %d interlace %d not handled" % (depth, colour, interlace))
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride, prev, rgb = w * bpp, bytearray(w * bpp), bytearray()
    for y in range(h):
        start = y * (stride + 1)
        line = bytearray(raw[start + 1:start + 1 + stride])
        unfilter(line, prev, raw[start], bpp)
        prev = line
        if bpp == 4:
            line = bytearray(line)
            del line[3::4]
        rgb += line
    return w, h, bytes(rgb)


def read_image(path):
    with open(path, "rb") as f:
        data = f.read()
    return read_png(data) if data[:8] == b"\x89PNG\r\n\x1a\n" else read_ppm(data)


def compare(w, h, rgb, scene="2d"):
    """None when rgb is the pattern (or the named scene), else a description of the differences."""
    if len(rgb) != 3 * w * h:
        return "truncated image: %d of %d bytes" % (len(rgb), 3 * w * h)
    bad, examples = 0, []
    for y, want in enumerate(SCENES[scene](w, h)):
        got = rgb[3 * w * y:3 * w * (y + 1)]
        if got == want:
            continue
        for x in range(w):
            if got[3 * x:3 * x + 3] != want[3 * x:3 * x + 3]:
                bad += 1
                if len(examples) < 4:
                    examples.append("(%d,%d)=%s want %s" % (x, y, got[3 * x:3 * x + 3].hex(), want[3 * x:3 * x + 3].hex()))
    if bad == 0:
        return None
    return "%d of %d pixels differ, e.g. %s" % (bad, w * h, " ".join(examples))


def check(path, size=None, scene="2d"):
    """(ok, message) for an image file."""
    w, h, rgb = read_image(path)
    if size and (w, h) != size:
        return False, "PATTERN-MISMATCH size %dx%d, want %dx%d" % (w, h, size[0], size[1])
    problem = compare(w, h, rgb, scene)
    if problem:
        return False, "PATTERN-MISMATCH %dx%d %s" % (w, h, problem)
    return True, "PATTERN-MATCH %dx%d" % (w, h)


def parse_size(text):
    w, h = text.split("x")
    return int(w), int(h)


def main(argv):
    options = dict(zip(argv[2::2], argv[3::2]))
    if len(argv) < 2 or len(argv) % 2 != 0 or not set(options) <= {"--size", "--scene"} \
            or options.get("--scene", "2d") not in SCENES:
        print(__doc__, file=sys.stderr)
        return 2
    size = parse_size(options["--size"]) if "--size" in options else None
    ok, message = check(argv[1], size, options.get("--scene", "2d"))
    print(message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
