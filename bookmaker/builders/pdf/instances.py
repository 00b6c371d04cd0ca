"""Static instances of variable fonts: made with HarfBuzz's subsetter, kept by content.

Why: the book faces come as variable TTFs, and bookmaker gives WeasyPrint static
instances of them (see :func:`..fonts.plan_static_fonts`). fontTools' instancer
takes 3.5 to 6 s a face on this kind of machine; HarfBuzz's subset library
(``libharfbuzz-subset``, which WeasyPrint already loads to subset what it embeds)
pins the axes of the same face in about 0.02 s. So:

- an instance is made with HarfBuzz where its library has what is needed
  (``hb_subset_input_pin_axis_location``, HarfBuzz 6.0), keeping every glyph,
  name, feature and table (the equivalent of ``hb_subset_input_keep_everything``,
  spelt out for HarfBuzz 6, which lacks it); else with fontTools' instancer;
- an instance is named by a hash of the font's *bytes*, the axis locations and
  the instancer with its version: a new virtual environment that installs the
  same font package finds the instance it made before. The content hash of a
  file is remembered by its path, size and modification time, so an unchanged
  file is not read again; the content hash is the key.

HarfBuzz 6 applies the ``gvar``, ``HVAR`` and ``GPOS``/``GDEF`` deltas of a pin
away from the axes' defaults, but not ``MVAR`` (x-height, strikeout position)
and it does not recompute ``head``'s bounds: that came in HarfBuzz 7.0. So below
7.0 only pins at the default location go to HarfBuzz; at the default location
both instancers give the same font (a test compares them, glyphs and rendering).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bookmaker.atomic import write_atomically

Location = dict[str, float]
"""Axis tag → value, e.g. ``{"wght": 400}``; axes not named are pinned at their default."""

RECIPE = 3
"""Bump when what bookmaker asks of an instancer changes: the keys change with it."""

VARIATION_TABLES = ("fvar", "gvar", "avar", "cvar", "HVAR", "VVAR", "MVAR")
"""Tables an instance must not keep: WeasyPrint would take it for a variable font."""

# The names WeasyPrint 70 tries for the library (weasyprint/text/ffi.py), in its order,
# so that this module loads the library WeasyPrint itself uses.
HARFBUZZ_NAMES = ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0",
                  "libharfbuzz.0.dylib", "libharfbuzz-0.dll")
SUBSET_NAMES = ("libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0",
                "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib",
                "libharfbuzz-subset-0.dll")

# hb-subset.h: the flags and sets hb_subset_input_keep_everything (HarfBuzz 7) sets,
# and the overlap flag fontTools' instancer sets too (OverlapMode.KEEP_AND_SET_FLAGS):
# a static font's rasteriser needs it where a variable font's contours overlap.
FLAGS_SET_OVERLAPS_FLAG = 0x10
FLAGS_PASSTHROUGH_UNRECOGNIZED = 0x20
FLAGS_NOTDEF_OUTLINE = 0x40
FLAGS_GLYPH_NAMES = 0x80
FLAGS_NO_PRUNE_UNICODE_RANGES = 0x100
SETS_GLYPH_INDEX, SETS_UNICODE, SETS_DROP_TABLE_TAG = 0, 1, 3
SETS_NAME_ID, SETS_NAME_LANG_ID, SETS_LAYOUT_FEATURE_TAG, SETS_LAYOUT_SCRIPT_TAG = 4, 5, 6, 7
KEEP_ALL_SETS = (SETS_UNICODE, SETS_GLYPH_INDEX, SETS_NAME_ID, SETS_NAME_LANG_ID,
                 SETS_LAYOUT_FEATURE_TAG, SETS_LAYOUT_SCRIPT_TAG)
KEEP_EVERYTHING_FLAGS = (FLAGS_NOTDEF_OUTLINE | FLAGS_GLYPH_NAMES
                         | FLAGS_NO_PRUNE_UNICODE_RANGES | FLAGS_PASSTHROUGH_UNRECOGNIZED)
HB_MEMORY_MODE_READONLY = 1
DSIG = int.from_bytes(b"DSIG", "big")  # as fontTools' instancer, which deletes it


@dataclass(frozen=True)
class Instancer:
    """Which library makes an instance, and its version: part of the instance's key."""

    name: str
    """'harfbuzz' or 'fonttools'."""
    version: str


class _AxisInfo(ctypes.Structure):
    """hb_ot_var_axis_info_t (hb-ot-var.h, HarfBuzz ≥ 2.2)."""

    _fields_ = [("axis_index", ctypes.c_uint), ("tag", ctypes.c_uint32),
                ("name_id", ctypes.c_uint), ("flags", ctypes.c_int),
                ("min_value", ctypes.c_float), ("default_value", ctypes.c_float),
                ("max_value", ctypes.c_float), ("reserved", ctypes.c_uint)]


class HarfBuzz:
    """ctypes bindings to the few HarfBuzz functions instancing needs."""

    def __init__(self, hb: ctypes.CDLL, subset: ctypes.CDLL) -> None:
        vp, uint, p_uint = ctypes.c_void_p, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint)
        signatures = {
            (hb, "hb_version_string"): (ctypes.c_char_p, []),
            (hb, "hb_blob_create"): (vp, [ctypes.c_char_p, uint, ctypes.c_int, vp, vp]),
            (hb, "hb_blob_create_from_file_or_fail"): (vp, [ctypes.c_char_p]),
            (hb, "hb_blob_destroy"): (None, [vp]),
            (hb, "hb_blob_get_data"): (ctypes.c_void_p, [vp, p_uint]),
            (hb, "hb_face_create"): (vp, [vp, uint]),
            (hb, "hb_face_destroy"): (None, [vp]),
            (hb, "hb_face_reference_blob"): (vp, [vp]),
            (hb, "hb_face_get_glyph_count"): (uint, [vp]),
            (hb, "hb_face_get_table_tags"): (uint, [vp, uint, p_uint,
                                                     ctypes.POINTER(ctypes.c_uint32)]),
            (hb, "hb_ot_var_get_axis_infos"): (uint, [vp, uint, p_uint,
                                                       ctypes.POINTER(_AxisInfo)]),
            (hb, "hb_set_clear"): (None, [vp]),
            (hb, "hb_set_invert"): (None, [vp]),
            (hb, "hb_set_add"): (None, [vp, ctypes.c_uint32]),
            (subset, "hb_subset_input_create_or_fail"): (vp, []),
            (subset, "hb_subset_input_destroy"): (None, [vp]),
            (subset, "hb_subset_input_set"): (vp, [vp, ctypes.c_int]),
            (subset, "hb_subset_input_set_flags"): (None, [vp, uint]),
            (subset, "hb_subset_input_pin_axis_location"): (ctypes.c_int, [
                vp, vp, ctypes.c_uint32, ctypes.c_float]),
            (subset, "hb_subset_or_fail"): (vp, [vp, vp]),
        }
        for (library, name), (restype, argtypes) in signatures.items():
            function = getattr(library, name)  # AttributeError: an older HarfBuzz
            function.restype, function.argtypes = restype, argtypes
            setattr(self, name, function)
        self.version = self.hb_version_string().decode()
        major, minor, micro = (int(part) for part in self.version.split(".")[:3])
        self.version_info = (major, minor, micro)

    @property
    def exact_away_from_default(self) -> bool:
        """Whether pins away from the default apply MVAR and recompute bounds (≥ 7.0)."""
        return self.version_info >= (7, 0, 0)

    # ---------------------------------------------------------------- faces
    def face(self, data: bytes):
        """A face over ``data`` (which must outlive it) and its blob, for :meth:`close`."""
        blob = self.hb_blob_create(data, len(data), HB_MEMORY_MODE_READONLY, None, None)
        return self.hb_face_create(blob, 0), blob

    def face_from_file(self, path: Path):
        """A face over the file at ``path`` (mapped, not read), and its blob; None, None
        when the file cannot be opened."""
        blob = self.hb_blob_create_from_file_or_fail(os.fsencode(path))
        if not blob:
            return None, None
        return self.hb_face_create(blob, 0), blob

    def close(self, face, blob=None) -> None:
        self.hb_face_destroy(face)
        if blob is not None:
            self.hb_blob_destroy(blob)

    def axes(self, face) -> list[_AxisInfo]:
        count = ctypes.c_uint(64)
        infos = (_AxisInfo * 64)()
        self.hb_ot_var_get_axis_infos(face, 0, ctypes.byref(count), infos)
        return list(infos[:count.value])

    def table_tags(self, face) -> set[str]:
        count = ctypes.c_uint(256)
        tags = (ctypes.c_uint32 * 256)()
        self.hb_face_get_table_tags(face, 0, ctypes.byref(count), tags)
        return {tag_string(tag) for tag in tags[:count.value]}

    def data(self, face) -> bytes:
        blob = self.hb_face_reference_blob(face)
        try:
            length = ctypes.c_uint()
            pointer = self.hb_blob_get_data(blob, ctypes.byref(length))
            return ctypes.string_at(pointer, length.value) if pointer else b""
        finally:
            self.hb_blob_destroy(blob)

    # ------------------------------------------------------------ instancing
    def instance(self, data: bytes, location: Location) -> bytes | None:
        """``data`` with every axis pinned (at ``location``, else at its default) and all
        else kept; None when HarfBuzz fails, drops glyphs or leaves a variation table."""
        face, blob = self.face(data)
        source = self.hb_subset_input_create_or_fail()
        result = None
        try:
            if not source:
                return None
            # hb_subset_input_keep_everything, which HarfBuzz 6 lacks.
            for kind in KEEP_ALL_SETS:
                kept = self.hb_subset_input_set(source, kind)
                self.hb_set_clear(kept)
                self.hb_set_invert(kept)
            dropped = self.hb_subset_input_set(source, SETS_DROP_TABLE_TAG)
            self.hb_set_clear(dropped)
            self.hb_set_add(dropped, DSIG)  # a signature of the variable font: void now
            self.hb_subset_input_set_flags(source, KEEP_EVERYTHING_FLAGS
                                           | FLAGS_SET_OVERLAPS_FLAG)
            for axis in self.axes(face):  # all axes must be pinned
                value = location.get(tag_string(axis.tag), axis.default_value)
                if not self.hb_subset_input_pin_axis_location(source, face, axis.tag, value):
                    return None
            result = self.hb_subset_or_fail(face, source)
            if not result or self.table_tags(result) & set(VARIATION_TABLES):
                return None
            glyphs = self.hb_face_get_glyph_count(face)
            if not glyphs or self.hb_face_get_glyph_count(result) != glyphs:
                return None
            return self.data(result) or None
        finally:
            if result:
                self.hb_face_destroy(result)
            if source:
                self.hb_subset_input_destroy(source)
            self.close(face, blob)


def tag_string(tag: int) -> str:
    return tag.to_bytes(4, "big").decode("latin-1")


def _load(names: tuple[str, ...]) -> ctypes.CDLL | None:
    """The first of ``names`` that loads, looked up as cffi's ``dlopen`` (which WeasyPrint
    uses) looks them up: a bare name through ``find_library``, others as given.

    On Linux the sonames are tried first, as :func:`.render.import_weasyprint` has
    WeasyPrint do: ``find_library`` runs ``ldconfig`` and ``gcc`` for each bare name
    (30 ms of a build), and the loader finds the same library by its soname."""
    if sys.platform.startswith("linux"):
        for name in names:
            if ".so" in name:
                with contextlib.suppress(OSError):
                    return ctypes.CDLL(name)
    for name in names:
        path = name
        if "." not in name and "/" not in name:
            path = ctypes.util.find_library(name)
            if path is None:
                continue
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


@functools.cache
def harfbuzz() -> HarfBuzz | None:
    """HarfBuzz's main and subset libraries, or None when either, or a function instancing
    needs, is missing (HarfBuzz < 6.0: fontTools makes the instances)."""
    main, subset = _load(HARFBUZZ_NAMES), _load(SUBSET_NAMES)
    if main is None or subset is None:
        return None
    try:
        return HarfBuzz(main, subset)
    except (AttributeError, ValueError):
        return None


def fonttools_instancer() -> Instancer:
    from fontTools import version

    return Instancer("fonttools", version)


def choose_instancer(source: Path, location: Location) -> Instancer:
    """HarfBuzz when it can make the instance of ``source`` exactly, else fontTools."""
    hb = harfbuzz()
    if hb is None:
        return fonttools_instancer()
    if not hb.exact_away_from_default:
        face, blob = hb.face_from_file(source)
        if face is None:
            return fonttools_instancer()
        try:
            axes = {tag_string(axis.tag): axis.default_value for axis in hb.axes(face)}
        finally:
            hb.close(face, blob)
        if any(tag in axes and value != axes[tag] for tag, value in location.items()):
            return fonttools_instancer()
    return Instancer("harfbuzz", hb.version)


def make_instance(data: bytes, location: Location, instancer: Instancer) -> bytes:
    """The static instance of the font ``data`` at ``location``, made by ``instancer``
    (fontTools when HarfBuzz fails on this font)."""
    if instancer.name == "harfbuzz" and (hb := harfbuzz()) is not None:
        made = hb.instance(data, location)
        if made is not None:
            return made
    return fonttools_instance(data, location)


def fonttools_instance(data: bytes, location: Location) -> bytes:
    import io

    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(io.BytesIO(data))
    if "fvar" not in font:
        return data
    axes = {axis.axisTag for axis in font["fvar"].axes}
    pins = {tag: value for tag, value in location.items() if tag in axes}
    font = instancer.instantiateVariableFont(font, pins, static=True)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- the key

def content_hash(path: Path, memo: Path | None = None) -> str:
    """The SHA-256 of the file's bytes, remembered in ``memo`` (a folder) by the file's
    path, size and modification time, so that an unchanged file is hashed once."""
    stat = path.stat()
    stamp = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    kept = None
    if memo is not None:
        kept = memo / f"{hashlib.sha256(stamp.encode()).hexdigest()[:32]}.sha256"
        try:
            known = kept.read_text().strip()
            if len(known) == 64:
                return known
        except OSError:
            pass
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if kept is not None:
        with contextlib.suppress(OSError):  # not kept: hashed again next time
            memo.mkdir(parents=True, exist_ok=True)
            write_atomically(kept, digest.encode())
    return digest


def instance_key(font_hash: str, location: Location, instancer: Instancer) -> str:
    """What an instance is made of: the font's bytes, the pins, the instancer."""
    pins = ",".join(f"{tag}={float(value):g}" for tag, value in sorted(location.items()))
    made_of = f"{font_hash}|{pins}|{instancer.name}-{instancer.version}|{RECIPE}"
    return hashlib.sha256(made_of.encode()).hexdigest()[:24]


def write_instance(source: Path, target: Path, location: Location,
                   instancer: Instancer | None = None) -> Path:
    """Make the instance of ``source`` at ``location`` and save it at ``target``."""
    instancer = instancer or choose_instancer(source, location)
    made = make_instance(source.read_bytes(), location, instancer)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, made)  # concurrent builds: whole files only
    return target
