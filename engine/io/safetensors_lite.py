"""The safetensors file format in NumPy alone (no ``safetensors`` package needed).

The format (https://github.com/huggingface/safetensors): an 8-byte little-endian
header length, a UTF-8 JSON header ``{name: {"dtype", "shape", "data_offsets"},
"__metadata__": {str: str}}`` padded with spaces to a multiple of 8 bytes, then the
tensors' bytes, little-endian and C-ordered, back to back. Tensors are stored largest
element first, then by name, so each starts aligned to its element size (as the
reference writer does). The tests load every file written here with the
``safetensors`` library itself.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from .common import ExportError

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
          "I16": "<i2", "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1",
          "BOOL": "?"}
_CODES = {np.dtype(v): k for k, v in DTYPES.items()}
MAX_HEADER = 100_000_000  # the reference reader's limit


def to_bytes(arrays: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    """The whole file as bytes."""
    order = sorted(arrays, key=lambda k: (-np.asarray(arrays[k]).dtype.itemsize, k))
    header: dict = {"__metadata__": dict(metadata)} if metadata else {}
    chunks, offset = [], 0
    for name in order:
        arr = np.asarray(arrays[name])
        dtype = arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype
        code = _CODES.get(np.dtype(dtype))
        if code is None:
            raise ExportError(f"Tensor {name!r} has type {arr.dtype}, which safetensors "
                              f"cannot hold")
        data = np.asarray(arr, dtype=dtype).tobytes(order="C")
        header[name] = {"dtype": code, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def load(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """(tensors, metadata) of a .safetensors file; raises ValueError if it is damaged."""
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError("the file is too short to be safetensors")
    (size,) = struct.unpack("<Q", data[:8])
    if size > min(MAX_HEADER, len(data) - 8):
        raise ValueError("the header length is impossible")
    try:
        header = json.loads(data[8:8 + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise ValueError("its __metadata__ is not a table of text entries")
    body = memoryview(data)[8 + size:]
    return {name: _tensor(name, info, body) for name, info in header.items()}, metadata


def _tensor(name: str, info, body: memoryview) -> np.ndarray:
    try:
        dtype = np.dtype(DTYPES[info["dtype"]])
        shape = tuple(int(d) for d in info["shape"])
        start, end = (int(v) for v in info["data_offsets"])
    except (KeyError, TypeError, ValueError):
        kind = info.get("dtype") if isinstance(info, dict) else None
        if kind in ("BF16", "F8_E4M3", "F8_E5M2"):
            raise ValueError(f"tensor {name!r} is {kind}, which NumPy cannot read: save it "
                             f"as float32") from None
        raise ValueError(f"tensor {name!r} has a malformed entry") from None
    count = int(np.prod(shape, dtype=np.int64))
    if not 0 <= start <= end <= len(body) or end - start != count * dtype.itemsize:
        raise ValueError(f"tensor {name!r} lies outside the file or has the wrong size")
    return np.frombuffer(body[start:end], dtype).reshape(shape).copy()
