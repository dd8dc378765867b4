"""A corpus of hostile and careless command lines, made at test time in a scratch folder.

Each ``Case`` makes its inputs in a fresh folder (``setup(folder) -> argv``) and says what the
CLI must do with them: exit 0 (odd but valid input that must work) or 2 (bad input: a line
``error: ...`` naming the problem). Whatever the input, ``judge`` holds the CLI to the same
invariants: no traceback, no exit 1, no partial output set, no input overwritten, no hang.
Nothing here is committed as a file: the bytes are generated.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import resource
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from speedlines.segment.model import DEFAULT_MODEL
from tests.drawn_maps import CAL, family, map_image

SHAPE = (140, 240)  # rows, cols of the drawn map: 3 speedlines the ink method finds
# Data segment of a subprocess (heap and anonymous maps): a memory blow-up fails fast. Not the
# address space: the torch libraries alone map more than 3 GB of it.
MEMORY_LIMIT = 3 << 30
DIGITIZE = (".overlay.png", ".mask.png", ".csv", ".json", ".map")
PREDICT = (".mask.png", ".prob.png", ".overlay.png")


@dataclass(frozen=True)
class Case:
    family: str
    name: str
    setup: Callable[[Path], list[str]]  # makes the inputs in a folder, returns the argv
    expect: tuple[int, ...]  # allowed exit codes; (0, 2) only where either is right
    isolate: bool = False  # may hang, read without end or exhaust memory: own process
    writes: tuple[str, ...] = ()  # input stems whose full output set must be written
    may_write: tuple[str, ...] = ()  # stems whose full set may be written
    mention: tuple[str, ...] = ()  # text the error lines must hold (the file's name)
    forbid: tuple[str, ...] = ()  # text stderr must not hold (a wrong diagnosis)
    check: Callable[[Path], str | None] | None = None  # a further check of the results
    heavy: bool = False  # benchmark only (more sizes of the same thing)
    fsize: int | None = None  # RLIMIT_FSIZE of the run: a full disk
    any_files: bool = False  # new files are not judged (a training run's folder)
    skip: str | None = None  # why it cannot run here

    @property
    def id(self) -> str:
        return f"{self.family}-{self.name}"


# -- bytes of hostile files -------------------------------------------------------------------


def map_rgb() -> np.ndarray:
    return map_image(family(tilt=0.05), SHAPE)


def encode(rgb: np.ndarray, ext: str = ".png") -> bytes:
    bgr = rgb[..., ::-1] if rgb.ndim == 3 else rgb
    ok, buf = cv2.imencode(ext, np.ascontiguousarray(bgr))
    assert ok
    return buf.tobytes()


def pil_bytes(image, fmt: str = "PNG", **kw) -> bytes:
    b = io.BytesIO()
    image.save(b, fmt, **kw)
    return b.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_1bit(width: int, height: int, ztxt: int = 0, idat: bool = True) -> bytes:
    """A white 1-bit PNG of any declared size, tiny on disk; ``ztxt`` bytes of text before the
    image data make Pillow give up on the header (OpenCV still decodes it)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
    if ztxt:
        out += _chunk(b"zTXt", b"note\0\0" + zlib.compress(b"\0" * ztxt, 9))
    if idat:
        row = b"\0" + b"\xff" * ((width + 7) // 8)
        c = zlib.compressobj(9)
        out += _chunk(b"IDAT", b"".join(c.compress(row) for _ in range(height)) + c.flush())
    return out + _chunk(b"IEND", b"")


def radiance_hdr(width: int, height: int) -> bytes:
    """A white Radiance .hdr (run-length coded, so small on disk); Pillow cannot read it."""
    head = f"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y {height} +X {width}\n".encode()
    runs, n = [], width
    while n:
        k = min(n, 127)
        runs.append(bytes([128 + k]))
        n -= k

    def channel(v: int) -> bytes:
        return b"".join(r + bytes([v]) for r in runs)

    row = bytes([2, 2, width >> 8, width & 255]) + channel(128) * 3 + channel(129)
    return head + row * height


def jpeg_huge_header(width: int, height: int) -> bytes:
    """A JPEG whose frame header declares width x height (the pixel data is missing)."""
    data = bytearray(encode(map_rgb(), ".jpg"))
    i = data.find(b"\xff\xc0")
    data[i + 5 : i + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def exif_rotated_jpeg() -> bytes:
    """The map stored turned a quarter left, with EXIF orientation 6: viewers show it upright."""
    from PIL import Image

    im = Image.fromarray(map_rgb()).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    return pil_bytes(im, "JPEG", quality=95, exif=exif.tobytes())


def image_variant(kind: str) -> bytes:
    """The drawn map in an odd but valid form."""
    import tifffile
    from PIL import Image

    rgb = map_rgb()
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if kind == "16bit":
        return encode(rgb.astype(np.uint16) * 257)
    if kind == "grey":
        return encode(grey)
    if kind == "palette":
        return pil_bytes(Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE))
    if kind == "1bit":
        return pil_bytes(
            Image.fromarray(np.where(grey > 160, 255, 0).astype(np.uint8)).convert("1")
        )
    if kind == "rgba":
        # Black but transparent paper: only compositing on white shows the map as a viewer does.
        alpha = np.where(grey > 200, 0, 255).astype(np.uint8)
        rgba = np.dstack([np.where(alpha[..., None] > 0, rgb, 0), alpha]).astype(np.uint8)
        return pil_bytes(Image.fromarray(rgba, "RGBA"))
    if kind == "float_tiff":
        b = io.BytesIO()
        tifffile.imwrite(b, rgb.astype(np.float32) / 255.0)
        return b.getvalue()
    if kind == "int32_tiff":
        b = io.BytesIO()
        tifffile.imwrite(b, grey.astype(np.int32) * 1000)
        return b.getvalue()
    if kind == "hdr":
        _, buf = cv2.imencode(".hdr", rgb[..., ::-1].astype(np.float32) / 255.0)
        return buf.tobytes()
    raise ValueError(kind)


# -- setups -----------------------------------------------------------------------------------


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def calibration_file(folder: Path, text: str | bytes | None = None) -> Path:
    if text is None:
        text = json.dumps(CAL.to_dict())
    return write(folder / "cal.json", text)


def good_map(folder: Path, name: str = "map.png") -> Path:
    return write(folder / name, encode(map_rgb()))


def digitize(folder: Path, *inputs, extra=(), cal: Path | None = None, method="ink") -> list[str]:
    cal = cal or calibration_file(folder)
    return ["digitize", *map(str, inputs), "--calibration", str(cal), "--out", str(folder / "out"),
            "--method", method, *map(str, extra)]  # fmt: skip


def image_case(name, make, expect, **kw) -> Case:
    """digitize FILE, where ``make(folder)`` returns the file."""
    return Case("images", name, lambda f: digitize(f, make(f)), expect, **kw)


def bytes_image(filename: str, data: Callable[[], bytes]):
    return lambda f: write(f / filename, data())


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _link(path: Path, target: str) -> Path:
    path.symlink_to(target)
    return path


def _size_check(expected: tuple[int, int]):
    def check(folder: Path) -> str | None:
        a = cv2.imread(str(folder / "out" / "map.overlay.png"))
        if a is None or a.shape[:2] != expected:
            return f"overlay is {None if a is None else a.shape[:2]}, not {expected} as shown"
        return None

    return check


# A blank image over the pixel limit that reaches the tracing was decoded: the limit did not hold.
_DECODED = ("no speedline",)


def image_cases() -> list[Case]:
    bad = dict(expect=(2,))
    ok = dict(expect=(0,), writes=("map",))
    return [
        image_case("valid_png", good_map, **ok),
        image_case("corrupt_bytes", bytes_image("map.png", lambda: os.urandom(3000)), **bad,
                   mention=("map.png",)),
        image_case("png_signature_then_junk",
                   bytes_image("map.png", lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(500)), **bad,
                   mention=("map.png",)),
        image_case("truncated_png", bytes_image("map.png", lambda: encode(map_rgb())[:900]),
                   **bad, mention=("map.png",)),
        # libjpeg shows what it has of a cut JPEG, as viewers do: refusing or using it are right.
        image_case("truncated_jpeg",
                   bytes_image("map.jpg", lambda: encode(map_rgb(), ".jpg")[:4000]),
                   expect=(0, 2), may_write=("map",)),
        image_case("zero_size", bytes_image("map.png", lambda: b""), **bad, mention=("map.png",)),
        image_case("png_header_100000x100000",
                   bytes_image("map.png", lambda: png_1bit(100_000, 100_000, idat=False)), **bad,
                   mention=("map.png",)),
        image_case("jpeg_header_65000x65000",
                   bytes_image("map.jpg", lambda: jpeg_huge_header(65000, 65000)), **bad,
                   mention=("map.jpg",)),
        image_case("png_ztxt_before_idat_101mp",
                   bytes_image("map.png", lambda: png_1bit(10_100, 10_000, ztxt=2_000_000)), **bad,
                   isolate=True, mention=("map.png",), forbid=_DECODED),
        image_case("hdr_101mp", bytes_image("map.hdr", lambda: radiance_hdr(10_100, 10_000)),
                   **bad, isolate=True, mention=("map.hdr",), forbid=_DECODED),
        # A small Radiance file is a real image; reading or refusing its format are both clear.
        image_case("hdr_small", bytes_image("map.hdr", lambda: image_variant("hdr")),
                   expect=(0, 2), may_write=("map",)),
        *(image_case(kind, bytes_image("map.png", lambda k=kind: image_variant(k)), **ok)
          for kind in ("16bit", "grey", "palette", "1bit", "rgba")),
        image_case("float_tiff", bytes_image("map.tif", lambda: image_variant("float_tiff")), **ok),
        image_case("int32_tiff", bytes_image("map.tif", lambda: image_variant("int32_tiff")),
                   **bad, mention=("map.tif",)),
        image_case("exif_rotated_jpeg", bytes_image("map.jpg", exif_rotated_jpeg), **ok,
                   check=_size_check(SHAPE)),
        image_case("png_named_jpg", bytes_image("map.jpg", lambda: encode(map_rgb())), **ok),
        image_case("jpeg_named_png",
                   bytes_image("map.png", lambda: encode(map_rgb(), ".jpg")), **ok),
        image_case("directory_named_png", lambda f: (f / "x.png").mkdir() or f / "x.png", **bad,
                   mention=("x.png",)),
        image_case("dangling_symlink", lambda f: _link(f / "map.png", str(f / "gone.png")), **bad,
                   mention=("map.png",)),
        image_case("fifo", lambda f: _fifo(f / "map.png"), **bad, isolate=True,
                   mention=("map.png",), forbid=("no such file",)),
        image_case("dev_zero_link", lambda f: _link(f / "map.png", "/dev/zero"), **bad,
                   isolate=True, mention=("map.png",), forbid=("no such file",)),
    ]  # fmt: skip


def _cal_dict(**change) -> dict:
    d = CAL.to_dict()
    for path, value in change.items():
        keys = path.split("__")
        node = d
        for k in keys[:-1]:
            node = node[k]
        if value is _DROP:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return d


_DROP = object()


def cal_case(name, text, expect=(2,), extra=(), **kw) -> Case:
    """digitize the good map with ``text`` (str, bytes or a dict) as the calibration file."""

    def setup(folder: Path) -> list[str]:
        body = text() if callable(text) else text
        if isinstance(body, dict | list):
            body = json.dumps(body)
        cal = calibration_file(folder, body)
        return digitize(folder, good_map(folder), extra=extra, cal=cal)

    if expect == (2,):
        kw.setdefault("mention", ("cal.json",))
    else:
        kw.setdefault("writes", ("map",))
    return Case("calibration", name, setup, expect, **kw)


def cal_folder_case(name, text, expect) -> Case:
    """--calibration FOLDER with map.json in it."""

    def setup(folder: Path) -> list[str]:
        write(folder / "cals" / "map.json", text)
        return digitize(folder, good_map(folder), cal=folder / "cals")

    ok = {"writes": ("map",)} if expect == (0,) else {"mention": ("map.json",)}
    return Case("calibration", name, setup, expect, **ok)


def calibration_cases() -> list[Case]:
    good = json.dumps(CAL.to_dict())
    speeds = ("--speeds", "60000,80000,100000")
    deep_list = "[" * 100_000 + "]" * 100_000
    deep_object = '{"x":' * 100_000 + "1" + "}" * 100_000
    return [
        cal_case("valid", good, (0,)),
        cal_case("utf8_bom", "\ufeff" + good, (0,)),
        cal_case("not_json", "this is not json"),
        cal_case("empty_file", ""),
        cal_case("latin1_bytes", good.replace('"kg/s"', '"kg/s\xb5"').encode("latin-1")),
        cal_case("nested_list_100000", deep_list),
        cal_case("nested_object_100000", deep_object),
        cal_case("int_400_digits", good.replace("200.0", "1" + "0" * 400, 1)),
        cal_case("int_5000_digits", good.replace("200.0", "1" + "0" * 5000, 1)),
        cal_case("values_1e308", _cal_dict(x__value=[-1e308, 1e308])),
        cal_case("pixel_span_1e-310", _cal_dict(x__pixel=[0.0, 1e-310])),
        cal_case("nan", good.replace("200.0", "NaN", 1)),
        cal_case("infinity", good.replace("200.0", "Infinity", 1)),
        cal_case("coinciding_pixels", _cal_dict(x__pixel=[50.0, 50.0])),
        cal_case("coinciding_values", _cal_dict(y__value=[2.0, 2.0])),
        cal_case("log_axis_zero", _cal_dict(y__scale="log", y__value=[0.0, 4.0])),
        cal_case("log_axis_negative", _cal_dict(y__scale="log", y__value=[-1.0, 4.0])),
        cal_case("newline_in_unit", _cal_dict(units__x="kg/s\n[SPEED 1]"), extra=speeds),
        cal_case("escape_in_unit", _cal_dict(units__y="\x1b[2J-"), extra=speeds),
        cal_case("nul_in_unit", _cal_dict(units__x="kg\x00s"), extra=speeds),
        cal_case("pixel_as_string", _cal_dict(x__pixel="0,200")),
        cal_case("axis_as_list", _cal_dict(x=[0, 200])),
        cal_case("scale_as_number", _cal_dict(y__scale=5)),
        cal_case("units_as_list", _cal_dict(units=["kg/s", "-"])),
        cal_case("pixels_as_booleans", _cal_dict(x__pixel=[True, False])),
        cal_case("plot_area_as_string", _cal_dict(plot_area="0,0,239,139")),
        cal_case("top_level_list", [1, 2]),
        cal_case("top_level_null", "null"),
        cal_case("empty_object", {}),
        cal_case("missing_y", _cal_dict(y=_DROP)),
        cal_case("missing_x_value", _cal_dict(x__value=_DROP)),
        cal_case("newer_format", {**CAL.to_dict(), "format": "speedlines-calibration/99"}),
        cal_case("plot_area_outside", _cal_dict(plot_area=[0, 0, 900, 139]), mention=("map.png",)),
        cal_folder_case("folder_nested_100000", deep_list, (2,)),
        cal_folder_case("folder_utf8_bom", "\ufeff" + good, (0,)),
        Case("calibration", "fifo",
             lambda f: digitize(f, good_map(f), cal=_fifo(f / "cal.json")), (2,), isolate=True,
             mention=("cal.json",)),
        Case("calibration", "dev_zero_link",
             lambda f: digitize(f, good_map(f), cal=_link(f / "cal.json", "/dev/zero")), (2,),
             isolate=True, mention=("cal.json",), forbid=("not found",)),
    ]  # fmt: skip


def option_case(name, extra, expect, **kw) -> Case:
    """digitize the good map with extra options."""
    kw.setdefault("writes", ("map",) if expect == (0,) else ())
    return Case("options", name, lambda f: digitize(f, good_map(f), extra=extra), expect, **kw)


def axis_case(name, x_axis, expect=(2,), extra=()) -> Case:
    def setup(folder: Path) -> list[str]:
        return ["digitize", str(good_map(folder)), "--x-axis", x_axis, "--y-axis", "140:1,0:4",
                "--out", str(folder / "out"), "--method", "ink", *extra]  # fmt: skip

    return Case("options", name, setup, expect, writes=("map",) if expect == (0,) else ())


def model_run(folder: Path, *extra) -> list[str]:
    return ["predict", str(good_map(folder)), "--out", str(folder / "out"), *extra]


def _out_is_input_folder(command: str):
    """DIR --out DIR, with an input named like the output of another (map.overlay.png,
    map.mask.png): writing it would destroy an input."""

    def setup(folder: Path) -> list[str]:
        maps = folder / "maps"
        good_map(maps)
        if command == "digitize":
            good_map(maps, "map.overlay.png")
            return [*digitize(folder, maps)[:-4], "--out", str(maps), "--method", "ink"]
        good_map(maps, "map.mask.png")
        return ["predict", str(maps), "--out", str(maps)]

    return setup


def _out_equals_input_plain(folder: Path) -> list[str]:
    good_map(folder / "maps")
    maps = str(folder / "maps")
    return [*digitize(folder, folder / "maps")[:-4], "--out", maps, "--method", "ink"]


def option_cases() -> list[Case]:
    speeds = ("--speeds", "60000,80000,100000")
    cases = [
        option_case("valid_speeds", speeds, (0,)),
        option_case("points_2000", ("--points", "2000"), (0,)),
        option_case("points_2001", ("--points", "2001"), (2,)),
        option_case("points_10000000", ("--points", "10000000"), (2,), isolate=True),
        option_case("points_0", ("--points", "0"), (2,)),
        option_case("points_1", ("--points", "1"), (2,)),
        option_case("points_negative", ("--points", "-5"), (2,)),
        option_case("betas_200", ("--betas", "200", *speeds), (0,)),
        option_case("betas_201", ("--betas", "201", *speeds), (2,)),
        option_case("betas_10000000", ("--betas", "10000000", *speeds), (2,), isolate=True),
        option_case("betas_0", ("--betas", "0"), (2,)),
        option_case("betas_1", ("--betas", "1"), (2,)),
        option_case("threshold_0", ("--threshold", "0"), (2,)),
        option_case("threshold_1", ("--threshold", "1"), (2,)),
        option_case("threshold_nan", ("--threshold", "nan"), (2,)),
        option_case("threshold_inf", ("--threshold", "inf"), (2,)),
        Case("options", "threshold_1e-9_model",
             lambda f: digitize(f, good_map(f), extra=("--threshold", "1e-9"), method="model"),
             (2,), isolate=True),
        Case("options", "threads_0", lambda f: model_run(f, "--threads", "0"), (2,), isolate=True),
        Case("options", "threads_1000", lambda f: model_run(f, "--threads", "1000"), (2,),
             isolate=True),
        Case("options", "threads_1", lambda f: model_run(f, "--threads", "1"), (0,),
             isolate=True, writes=("map",)),
        option_case("speeds_letters", ("--speeds", "a,b,c"), (2,)),
        option_case("speeds_decreasing", ("--speeds", "3,2,1"), (2,)),
        option_case("speeds_count_mismatch", ("--speeds", "1,2"), (2,)),
        option_case("speeds_overflow", ("--speeds", "1e400,2,3"), (2,)),
        option_case("speeds_nan", ("--speeds", "nan,1,2"), (2,)),
        # pasted from a table: whitespace around a number is harmless
        option_case("speeds_newline", ("--speeds", "60000\n,80000,100000"), (0,)),
        option_case("speeds_escape", ("--speeds", "60000,80000,100000\x1b[2J"), (2,)),
        option_case("speeds_tab_cr", ("--speeds", "60000\t,80000\r,100000"), (0,)),
        option_case("decimal_semicolon", ("--decimal", ";"), (2,)),
        option_case("decimal_comma", ("--decimal", ","), (0,)),
        axis_case("axis_valid", "0:0,200:2", (0,)),
        axis_case("axis_value_1e400", "0:0,200:1e400"),
        axis_case("axis_value_nan", "0:0,200:nan"),
        axis_case("axis_unit_newline", "0:0,200:2", extra=("--x-unit", "kg/s\n[SPEED 9]")),
        axis_case("plot_area_nan", "0:0,200:2", extra=("--plot-area", "0,0,nan,100")),
        Case("options", "out_empty_string",
             lambda f: [*digitize(f, good_map(f))[:-4], "--out", "", "--method", "ink"], (2,)),
        Case("options", "out_is_a_file",
             lambda f: [*digitize(f, good_map(f))[:-4], "--out", str(write(f / "o.txt", "x")),
                        "--method", "ink"], (2,)),
        Case("options", "out_is_input_folder", _out_equals_input_plain, (0,), writes=("map",)),
        Case("options", "out_overwrites_input_digitize", _out_is_input_folder("digitize"), (2,),
             may_write=("map", "map.overlay")),
        Case("options", "out_overwrites_input_predict", _out_is_input_folder("predict"), (2,),
             isolate=True, may_write=("map", "map.mask")),
        *(generate_case(n, a, e, **k) for n, a, e, k in (
            ("count_100000000", ("--count", "100000000"), (2,), {"isolate": True}),
            ("count_0", ("--count", "0"), (2,), {}),
            ("count_negative", ("--count", "-1"), (2,), {}),
            ("seed_negative", ("--count", "1", "--seed", "-1"), (2,), {}),
            ("style_unknown", ("--count", "1", "--style", "zigzag"), (2,), {}),
        )),
    ]  # fmt: skip
    for n in (10_000, 100_000, 1_000_000):
        cases.append(
            option_case(f"points_{n}", ("--points", str(n)), (2,), isolate=True, heavy=True)
        )
        cases.append(option_case(f"betas_{n}", ("--betas", str(n), *speeds), (2,), isolate=True,
                                 heavy=True))  # fmt: skip
    for t in ("1e-6", "1e-3"):
        cases.append(Case("options", f"threshold_{t}_model",
                          lambda f, t=t: digitize(f, good_map(f), extra=("--threshold", t),
                                                  method="model"),
                          (0, 2), isolate=True, heavy=True, may_write=("map",)))  # fmt: skip
    cases.append(Case("options", "threads_64", lambda f: model_run(f, "--threads", "64"), (0, 2),
                      isolate=True, heavy=True, may_write=("map",)))  # fmt: skip
    return cases


def generate_case(name, extra, expect, **kw) -> Case:
    return Case("options", f"generate_{name}",
                lambda f: ["generate", str(f / "data"), *extra], expect, **kw)  # fmt: skip


def batch_cases() -> list[Case]:
    """A bad input among good ones: the others are still done, and the exit code is 2."""

    def with_good(bad: Callable[[Path], Path]):
        return lambda f: digitize(f, good_map(f), bad(f))

    long_name = "m" * 241 + ".png"  # 245 characters; NAME.overlay.png is 253, legal
    return [
        Case("batch", "corrupt_among_good", with_good(bytes_image("bad.png", lambda: b"junk")),
             (2,), writes=("map",), mention=("bad.png",)),
        Case("batch", "empty_folder_among_inputs", with_good(lambda f: (f / "empty").mkdir() or
             f / "empty"), (2,), writes=("map",), mention=("empty",)),
        Case("batch", "same_name_twice", lambda f: digitize(f, good_map(f), good_map(f / "b")),
             (2,), writes=("map",)),
        Case("batch", "unreadable_file", with_good(
             lambda f: (good_map(f, "locked.png").chmod(0), f / "locked.png")[1]), (2,),
             writes=("map",), mention=("locked.png",),
             skip="root reads any file" if os.geteuid() == 0 else None),
        Case("batch", "name_245_characters", lambda f: digitize(f, good_map(f, long_name)), (0,),
             writes=(long_name[:-4],)),
        # A full disk: no image's set of files is left half-written, and it is one clear line.
        Case("batch", "file_size_limit", lambda f: digitize(f, good_map(f), good_map(f, "two.png")),
             (2,), isolate=True, fsize=12_000),
    ]  # fmt: skip


def _model_folder(folder: Path, config=None, weights: bytes | None = None) -> Path:
    """A model folder: the shipped config changed by ``config`` (a dict of changes, or the
    text itself), the shipped weights linked unless ``weights`` are given."""
    m = folder / "model"
    m.mkdir()
    shipped = json.loads((DEFAULT_MODEL / "config.json").read_text())
    if isinstance(config, dict):
        shipped.update(config)
        for k in [k for k, v in config.items() if v is _DROP]:
            del shipped[k]
        config = json.dumps(shipped)
    elif config is None:
        config = json.dumps(shipped)
    write(m / "config.json", config)
    if weights is None:
        (m / "model.safetensors").symlink_to(DEFAULT_MODEL / "model.safetensors")
    else:
        write(m / "model.safetensors", weights)
    return m


def model_case(name, config=None, weights=None, expect=(2,), **kw) -> Case:
    def setup(folder: Path) -> list[str]:
        w = weights() if callable(weights) else weights
        # PyTorch: an ONNX export of each changed model would take longer than the case.
        model = str(_model_folder(folder, config, w))
        return model_run(folder, "--model", model, "--engine", "torch")

    if expect == (2,):
        kw.setdefault("mention", ("model",))
    return Case("model", name, setup, expect, **kw)


def _head(n: int) -> Callable[[], bytes]:
    return lambda: (DEFAULT_MODEL / "model.safetensors").open("rb").read(n)


def _truncated_checkpoint() -> bytes:
    import torch

    b = io.BytesIO()
    torch.save({"state_dict": {"w": torch.zeros(1000)}, "epoch": 3}, b)
    return b.getvalue()[: len(b.getvalue()) // 2]


def _resume(folder: Path) -> list[str]:
    ckpt = write(folder / "run" / "checkpoints" / "last.ckpt", _truncated_checkpoint())
    return ["train", "--out", str(folder / "run"), "--resume", str(ckpt), "--data", "generated",
            "--train-size", "2", "--val-size", "2", "--img-size", "64", "--batch-size", "2",
            "--epochs", "1", "--encoder", "resnet18"]  # fmt: skip


def model_cases() -> list[Case]:
    return [
        model_case("config_a_list", "[1, 2, 3]"),
        model_case("config_not_json", "{not json"),
        model_case("config_empty_file", ""),
        # Keys left out fall back to the defaults; using them or refusing are both clear.
        model_case("config_missing_keys", {"architecture": _DROP, "encoder": _DROP}, None, (0, 2),
                   may_write=("map",)),
        model_case("config_wrong_types", {"input_size": "big"}),
        model_case("std_zero", {"std": [0, 0, 0]}),
        # One value for three channels: broadcasting it or refusing are both clear.
        model_case("std_one_value", {"std": [0.2]}, None, (0, 2), may_write=("map",)),
        model_case("scale_1000", {"scale": 1000.0}, isolate=True),
        model_case("scale_1e-9", {"scale": 1e-9}),
        model_case("input_size_2pow20", {"input_size": 1 << 20, "view": "resize"}, isolate=True),
        model_case("tile_size_huge", {"tile_size": 32 * 100_000, "tile_max": 32 * 100_000},
                   isolate=True),
        model_case("truncated_weights", None, _head(1 << 20)),
        model_case("empty_weights", None, b""),
        model_case("other_encoder_weights", {"encoder": "resnet18"}),
        model_case("newer_format", {"format": "speedlines-model/99"}),
        Case("model", "config_dev_zero_link", lambda f: model_run(
             f, "--model", str(_link(_model_folder(f).joinpath("config.json").unlink() or
                                     f / "model" / "config.json", "/dev/zero").parent)),
             (2,), isolate=True, mention=("config.json",)),
        Case("model", "missing_folder", lambda f: model_run(f, "--model", str(f / "nowhere")),
             (2,), mention=("nowhere",)),
        Case("model", "resume_truncated_checkpoint", _resume, (2,), any_files=True,
             mention=("last.ckpt",)),
    ]  # fmt: skip


_HELD: dict[str, socket.socket] = {}


def _busy_port(folder: Path) -> list[str]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    _HELD[str(folder)] = s
    return ["serve", "--port", str(s.getsockname()[1])]


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def serve_cases() -> list[Case]:
    """serve must check what it needs before it says it runs (a valid serve never ends)."""
    return [
        Case("serve", "unknown_engine",
             lambda f: ["serve", "--engine", "bogus", "--port", _free_port()], (2,), isolate=True,
             mention=("bogus",)),
        Case("serve", "missing_model", lambda f: ["serve", "--model", str(f / "nowhere"),
             "--port", _free_port()], (2,), isolate=True, mention=("nowhere",)),
        Case("serve", "model_config_a_list", lambda f: ["serve", "--model",
             str(_model_folder(f, "[]")), "--port", _free_port()], (2,), isolate=True),
        Case("serve", "port_busy", _busy_port, (2,), isolate=True),
        Case("serve", "port_70000", lambda f: ["serve", "--port", "70000"], (2,), isolate=True),
    ]  # fmt: skip


def release(folder: Path) -> None:
    """Free what a setup holds (a listening socket)."""
    s = _HELD.pop(str(folder), None)
    if s is not None:
        s.close()


def cases(heavy: bool = True) -> list[Case]:
    every = [*image_cases(), *calibration_cases(), *option_cases(), *batch_cases(),
             *model_cases(), *serve_cases()]  # fmt: skip
    return [c for c in every if heavy or not c.heavy]


# -- running and judging ----------------------------------------------------------------------


@dataclass
class Run:
    rc: int | None  # None: killed at the time limit
    out: str
    err: str
    seconds: float


@dataclass
class Verdict:
    kind: str  # hang | traceback | exit-N | partial | refused | accepted
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every regular file (links, FIFOs and devices are never opened)."""
    found = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            p = Path(root, name)
            if p.is_symlink() or not p.is_file():
                continue
            found[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


def _limits(fsize: int | None):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_LIMIT, MEMORY_LIMIT))
        if fsize:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return apply


def run_subprocess(case: Case, folder: Path, argv: list[str], timeout: float) -> Run:
    """``python -m speedlines ARGV`` in ``folder`` with a memory limit; killed at ``timeout``."""
    start = time.monotonic()
    p = subprocess.Popen(
        [sys.executable, "-m", "speedlines", *argv], cwd=folder, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
        preexec_fn=_limits(case.fsize), start_new_session=True,
    )  # fmt: skip
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        rc = None
    return Run(rc, out, err, time.monotonic() - start)


_RAW = re.compile(r"^([A-Za-z_][\w.]*\.)?[A-Z]\w*(Error|Exception|Warning)\b|\[Errno \d+\]")


def _output_problems(case: Case, argv: list[str], folder: Path, before: dict) -> list[str]:
    problems = []
    after = snapshot(folder)
    for path, digest in before.items():
        if after.get(path) != digest and not case.any_files:
            problems.append(f"input {path} was overwritten or removed")
    new = sorted(set(after) - set(before))
    if case.any_files:
        return problems
    command = argv[0] if argv else ""
    suffixes = {"digitize": DIGITIZE, "predict": PREDICT}.get(command, ())
    want = set()
    if command == "digitize":
        want = {".csv", ".json", ".overlay.png"}
        if "--speeds" in argv and argv[argv.index("--speeds") + 1].strip():
            want.add(".map")
        if "--mask" in argv:
            want.add(".mask.png")
    elif command == "predict":
        optional = ((".prob.png", "--prob"), (".overlay.png", "--overlay"))
        want = {".mask.png"} | {s for s, o in optional if o in argv}
    groups: dict[str, set[str]] = {}
    for rel in new:
        name = Path(rel).name
        suffix = next((s for s in suffixes if name.endswith(s) and len(name) > len(s)), None)
        if suffix is None:
            problems.append(f"stray file {rel}")
            continue
        groups.setdefault(name[: -len(suffix)], set()).add(suffix)
    for stem, got in groups.items():
        if got != want:
            problems.append(f"partial output set of {stem[:40]}: {sorted(got)}")
        elif stem not in case.writes and stem not in case.may_write:
            problems.append(f"outputs written for {stem[:40]}, which should be refused")
    for stem in case.writes:
        if stem not in groups:
            problems.append(f"no outputs for {stem[:40]}")
    return problems


def judge(case: Case, argv: list[str], folder: Path, run: Run, before: dict) -> Verdict:
    """The invariants every case must hold, then the case's own expectation."""
    text = run.out + run.err
    problems: list[str] = []
    if run.rc is None:
        return Verdict("hang", [f"no answer within {run.seconds:.0f} s"])
    if "Traceback (most recent call last)" in text:
        problems.append("traceback")
    if run.rc not in (0, 2):
        problems.append(f"exit {run.rc}: {_last_error(run.err)}")
    elif run.rc not in case.expect:
        problems.append(f"exit {run.rc}, expected {case.expect}: {_last_error(run.err)}")
    errors = [line[len("error:") :].strip() for line in run.err.splitlines()
              if line.startswith("error:")]  # fmt: skip
    usage = "Usage:" in run.err  # Click's own refusal of an out-of-range option
    if run.rc == 2:
        if not errors and not usage:
            problems.append("refusal without an 'error:' line")
        for msg in errors:
            if len(msg) < 8 or _RAW.search(msg):
                problems.append(f"unclear error line: {msg[:80]!r}")
        for needed in case.mention:
            if not any(needed in m for m in errors) and not (usage and needed in run.err):
                problems.append(f"no error line names {needed!r}")
    elif run.rc == 0 and errors:
        problems.append(f"exit 0 with an error line: {errors[0][:80]!r}")
    for wrong in case.forbid:
        if wrong in run.err:
            problems.append(f"stderr says {wrong!r}")
    output = _output_problems(case, argv, folder, before)
    problems += output
    if run.rc == 0 and case.check and not output:
        extra = case.check(folder)
        if extra:
            problems.append(extra)
    if "traceback" in problems:
        kind = "traceback"
    elif run.rc not in (0, 2):
        kind = f"exit-{run.rc}"
    elif any(p.startswith(("partial", "stray", "input ")) for p in output):
        kind = "partial"
    else:
        kind = "refused" if run.rc == 2 else "accepted"
    return Verdict(kind, problems)


def _last_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    return lines[-1][:100] if lines else "(no stderr)"
