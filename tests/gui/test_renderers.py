"""Both renderers draw the same screens (platform/renderer.h): the same walk through the
kiosk (start, language, promise, a question with an answer chosen, the free-text keyboard,
and a right-to-left question in Arabic) once with `[screen] renderer = "software"` and once
with "opengl" (Mesa under Xvfb), each screen captured by the app's own screenshot hook.
The screenshots must agree: no more than 0.1 % of the pixels may differ by more than 8 of
255 in any channel (OpenGL interpolates and blends in floating point, the software
renderer in integers). The kiosk's log names the renderer that drew."""
import os
import struct
import zlib

from kiosk_driver import Kiosk, KioskError, fresh_dir, run, write_config

TOLERANCE = 8         # of 255, per channel
MAX_DIFFERENT = 0.001  # of the pixels


def read_png(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB PNG, as the screenshot hook writes them."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise KioskError(f"{path} is not a PNG")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour != 2:
                raise KioskError(f"{path}: expected 8-bit RGB, got depth {depth} colour type {colour}")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 0:  # the screenshot hook writes unfiltered rows
            rows.append(bytes(line))
            previous = line
            continue
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = previous[i]
            c = previous[i - 3] if i >= 3 else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def differing(first, second):
    """Pixels whose channels differ by more than TOLERANCE, and the pixel count."""
    w1, h1, rows1 = read_png(first)
    w2, h2, rows2 = read_png(second)
    if (w1, h1) != (w2, h2):
        raise KioskError(f"{first} is {w1}x{h1}, {second} is {w2}x{h2}")
    count = 0
    for r1, r2 in zip(rows1, rows2):
        if r1 == r2:
            continue
        for x in range(0, len(r1), 3):
            if (abs(r1[x] - r2[x]) > TOLERANCE or abs(r1[x + 1] - r2[x + 1]) > TOLERANCE
                    or abs(r1[x + 2] - r2[x + 2]) > TOLERANCE):
                count += 1
    return count, w1 * h1


def walk(args, renderer):
    """The same screens with one renderer; returns the screenshot folder."""
    work = fresh_dir(os.path.join(args.out, renderer, "work"))
    shots = fresh_dir(os.path.join(args.out, renderer, "screens"))
    config = write_config(work, args.source, ["tillit"], languages=("sv", "en", "ar"), renderer=renderer)
    with Kiosk(args.app, config, work, shots) as k:
        k.tap_screen("start", "language")
        k.tap_screen("lang_sv", "promise")
        k.tap_screen("begin", "question")
        k.tap("scale_4")
        # On to the first free-text question: its keyboard is the busiest screen.
        for _ in range(40):
            if k.state["screen"] == "freetext":
                break
            options = [w["id"] for w in k.state["widgets"] if w["id"].startswith(("scale_", "option_"))]
            if options and not k.selected():
                k.tap(options[0])
            k.tap("next")
        if k.state["screen"] != "freetext":
            raise KioskError(f"no free-text question reached; last screen {k.state['key']}")
        k.type_text("Bra")
        k.tap_screen("language", "language")
        k.tap_screen("lang_ar", "freetext")
        if not k.state["mirrored"]:
            raise KioskError("Arabic did not mirror the screen")
    with open(os.path.join(work, "kiosk.log"), encoding="utf-8", errors="replace") as f:
        log = f.read()
    if f"drawing with the {renderer} renderer" not in log:
        raise KioskError(f"the kiosk log does not say it drew with the {renderer} renderer:\n{log[-2000:]}")
    return shots


def test(args):
    software = walk(args, "software")
    opengl = walk(args, "opengl")
    names = sorted(n for n in os.listdir(software) if n.endswith(".png"))
    if sorted(n for n in os.listdir(opengl) if n.endswith(".png")) != names:
        raise KioskError(f"the renderers captured different screens: {names} vs {sorted(os.listdir(opengl))}")
    if len(names) < 5:
        raise KioskError(f"only {len(names)} screens captured: {names}")
    report = []
    for name in names:
        count, total = differing(os.path.join(software, name), os.path.join(opengl, name))
        report.append(f"{name}: {count} of {total} pixels differ")
        if count > MAX_DIFFERENT * total:
            raise KioskError(f"{name}: {count} of {total} pixels differ by more than {TOLERANCE}/255 "
                             f"between the software and OpenGL renderers")
    print("\n".join(report))


if __name__ == "__main__":
    run(test)
