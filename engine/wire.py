"""A safe binary format for messages between NeuroCanvas processes (never pickle).

A message is a tree of None, bool, int, float (NaN and infinities included), str,
list, tuple, dict, NumPy arrays and numbers, and frozen dataclasses defined in
``engine`` (events, datasets, specs, snapshots). It travels as one frame::

    8 bytes   little-endian length of the rest
    4 bytes   little-endian length of the JSON header
    header    UTF-8 JSON: the tree, with arrays replaced by references
    buffers   the arrays' raw bytes, in order, C order

Decoding builds only what the header describes: arrays from raw bytes (never an object
dtype) and dataclasses whose class lives in an ``engine`` module, from their fields.
Nothing in a frame can make the reader run other code, unlike pickle.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import struct
from typing import Any, BinaryIO

import numpy as np

from .errors import NeuroCanvasError

_ALLOWED_PACKAGE = "engine"
_MAX_FRAME = 4 << 30  # a corrupt length must not make the reader allocate terabytes
_CHUNK = 16 << 20  # bytes read (and allocated) at a time


class WireError(NeuroCanvasError):
    """A frame that cannot be read: truncated, malformed, or naming a type not allowed."""


# ---- encoding -------------------------------------------------------------------------
def encode(obj: Any) -> bytes:
    """The frame for ``obj`` (length prefix included)."""
    buffers: list[np.ndarray] = []
    header = json.dumps(_tree(obj, buffers), separators=(",", ":")).encode()
    raw = [b.reshape(-1).view(np.uint8) for b in buffers]  # 1-D bytes, no copies
    size = 4 + len(header) + sum(r.size for r in raw)
    return b"".join([struct.pack("<QI", size, len(header)), header, *raw])


def _tree(obj: Any, buffers: list) -> Any:
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, float)):
        return obj if isinstance(obj, int) or np.isfinite(obj) else {"f": repr(float(obj))}
    if isinstance(obj, np.generic):
        return _tree(obj.item(), buffers)
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise WireError("arrays of Python objects cannot be sent")
        buffers.append(np.ascontiguousarray(obj))
        return {"a": [obj.dtype.str, list(obj.shape)]}
    if isinstance(obj, (list, tuple)):
        items = [_tree(v, buffers) for v in obj]
        return items if isinstance(obj, list) else {"t": items}
    if isinstance(obj, dict):
        return {"d": [[_tree(k, buffers), _tree(v, buffers)] for k, v in obj.items()]}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        cls = type(obj)
        fields = {f.name: _tree(getattr(obj, f.name), buffers)
                  for f in dataclasses.fields(obj) if f.init}
        return {"c": f"{cls.__module__}:{cls.__qualname__}", "v": fields}
    raise WireError(f"a {type(obj).__name__} cannot be sent between processes")


# ---- decoding -------------------------------------------------------------------------
def decode(body: bytes | bytearray | memoryview) -> Any:
    """The object of a frame's body (the bytes after the length prefix)."""
    view = memoryview(body)
    if len(view) < 4:
        raise WireError("truncated frame")
    (hlen,) = struct.unpack_from("<I", view)
    if 4 + hlen > len(view):
        raise WireError("truncated frame header")
    try:
        tree = json.loads(bytes(view[4:4 + hlen]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError(f"malformed frame header: {exc}") from None
    reader = _Buffers(view, 4 + hlen)
    obj = _build(tree, reader)
    if reader.offset != len(view):
        raise WireError("frame has bytes the header does not describe")
    return obj


class _Buffers:
    def __init__(self, view: memoryview, offset: int):
        self.view, self.offset = view, offset

    def take(self, dtype: np.dtype, shape: tuple) -> np.ndarray:
        n = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if n < 0 or self.offset + n > len(self.view):
            raise WireError("frame shorter than its arrays")
        # A copy: writable, aligned, and independent of the frame's buffer.
        arr = np.frombuffer(self.view[self.offset:self.offset + n], dtype=dtype).copy()
        self.offset += n
        return arr.reshape(shape)


def _build(node: Any, buffers: _Buffers) -> Any:
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_build(v, buffers) for v in node]
    if not isinstance(node, dict) or len(node) not in (1, 2):
        raise WireError("malformed frame: unexpected value in the header")
    if "f" in node:
        if not isinstance(node["f"], str):
            raise WireError("malformed frame: bad number")
        return float(node["f"])
    if "a" in node:
        return buffers.take(*_array_description(node["a"]))
    if "t" in node:
        return tuple(_build(v, buffers) for v in node["t"])
    if "d" in node:
        return {_hashable(_build(k, buffers)): _build(v, buffers) for k, v in node["d"]}
    if "c" in node:
        cls = _dataclass(node["c"])
        fields = {k: _build(v, buffers) for k, v in node["v"].items()}
        try:
            return cls(**fields)
        except TypeError as exc:
            raise WireError(f"malformed frame: {node['c']}: {exc}") from None
    raise WireError("malformed frame: unknown tag")


def _array_description(value: Any) -> tuple[np.dtype, tuple[int, ...]]:
    """(dtype, shape) of an array in a header, or WireError: a dtype string NumPy does
    not know or one holding objects, a shape that is not a list of counts."""
    try:
        dtype_str, shape = value
        dtype = np.dtype(dtype_str) if isinstance(dtype_str, str) else None
    except (TypeError, ValueError):
        dtype = shape = None
    if dtype is None or dtype.hasobject or not isinstance(shape, list) or \
            not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
        raise WireError("malformed frame: bad array description")
    return dtype, tuple(shape)


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _dataclass(name: str) -> type:
    module_name, _, qualname = name.partition(":")
    if module_name.split(".")[0] != _ALLOWED_PACKAGE or not qualname.isidentifier():
        raise WireError(f"a frame may not build {name!r}")
    try:
        cls = getattr(importlib.import_module(module_name), qualname)
    except (ImportError, AttributeError):
        raise WireError(f"a frame names an unknown type {name!r}") from None
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise WireError(f"a frame may not build {name!r}")
    return cls


# ---- streams --------------------------------------------------------------------------
def write_frame(stream: BinaryIO, obj: Any) -> None:
    stream.write(encode(obj))
    stream.flush()


def read_frame(stream: BinaryIO) -> Any:
    """The next object on ``stream``; raises EOFError at a clean end of the stream."""
    return decode(read_body(stream))


def read_body(stream: BinaryIO) -> bytearray:
    """The next frame's body, not decoded: a reader that can go on after a body it
    cannot decode (the stream is still in step) decodes it itself. Raises EOFError at a
    clean end, WireError when the stream itself is broken."""
    prefix = _read_exactly(stream, 8, allow_eof=True)
    (size,) = struct.unpack("<Q", prefix)
    if size > _MAX_FRAME:
        raise WireError(f"frame of {size} bytes is larger than allowed")
    return _read_exactly(stream, size)


def _read_exactly(stream: BinaryIO, n: int, allow_eof: bool = False) -> bytearray:
    """``n`` bytes, grown as they arrive (at most _CHUNK more than received so far): a
    frame that claims gigabytes and then stops costs what was sent, not what it claims."""
    buf = bytearray()
    while len(buf) < n:
        chunk = stream.read(min(n - len(buf), _CHUNK))
        if not chunk:
            if not buf and allow_eof:
                raise EOFError
            raise WireError("stream ended inside a frame")
        buf += chunk
    return buf
