"""The inter-process frame format: everything a run sends survives a round trip, and a
frame can build nothing but data (no pickle, no classes from outside the engine)."""
import io
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from engine import wire
from engine.data import prepare
from engine.events import BatchEnd, Finished
from engine.project import load_project
from engine.wire import WireError

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def _round_trip(obj):
    stream = io.BytesIO(wire.encode(obj) + wire.encode("next"))
    out = wire.read_frame(stream)
    assert wire.read_frame(stream) == "next"  # frames end where they say
    with pytest.raises(EOFError):
        wire.read_frame(stream)
    return out


def test_plain_values_keep_their_types():
    obj = {"none": None, "flag": True, "n": 3, "x": 0.25, "s": "é", "list": [1, [2]],
           "tuple": (1, ("a",)), 7: "int key", ("a", 1): "tuple key",
           "specials": [float("inf"), float("-inf")], "np": np.float32(1.5)}
    out = _round_trip(obj)
    nan = _round_trip(float("nan"))
    assert np.isnan(nan)
    assert out == {**obj, "np": 1.5} and isinstance(out["tuple"], tuple)
    assert isinstance(out["tuple"][1], tuple) and isinstance(out["list"], list)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool", ">i4"])
def test_arrays_keep_dtype_shape_and_values_and_are_writable(dtype):
    a = (np.arange(24).reshape(2, 3, 4) % 5).astype(dtype)
    out = _round_trip({"a": a, "strided": a[:, ::2].T, "empty": a[:0]})
    for key, want in (("a", a), ("strided", a[:, ::2].T), ("empty", a[:0])):
        assert out[key].dtype == want.dtype and out[key].shape == want.shape
        np.testing.assert_array_equal(out[key], want)
    out["a"][...] = 0  # a copy of its own, not a view into the frame


def test_engine_dataclasses_round_trip():
    event = BatchEnd(1, 2, 3, 4, 0.5, 0.01, 1.5, 64)
    ended = Finished(history=[{"loss": 0.1}], message="done", early_stopped=True)
    data = prepare(load_project(EXAMPLES / "spirals.ncproj").data, 0)
    out = _round_trip({"event": event, "ended": ended, "data": data})
    assert out["event"] == event and out["ended"] == ended
    np.testing.assert_array_equal(out["data"].train.x, data.train.x)
    np.testing.assert_array_equal(out["data"].normalizer.mean, data.normalizer.mean)
    assert out["data"].train.class_names == data.train.class_names


def test_what_cannot_travel_is_refused_when_sending():
    with pytest.raises(WireError, match="objects"):
        wire.encode(np.array([object()]))
    with pytest.raises(WireError, match="set"):
        wire.encode({1, 2})


def _frame(header: dict, payload: bytes = b"") -> io.BytesIO:
    text = json.dumps(header).encode()
    body = struct.pack("<I", len(text)) + text + payload
    return io.BytesIO(struct.pack("<Q", len(body)) + body)


@pytest.mark.parametrize("header, message", [
    ({"c": "os:system", "v": {}}, "may not build"),
    ({"c": "subprocess:Popen", "v": {}}, "may not build"),
    ({"c": "engine.wire:encode", "v": {}}, "may not build"),  # engine, but no dataclass
    ({"c": "engine.nothing:Here", "v": {}}, "unknown type"),
    ({"a": ["|O", [1]]}, "bad array"),
    ({"a": ["<f8", [4]]}, "shorter than its arrays"),
    ({"f": 3}, "bad number"),
    ({"zz": 1}, "unknown tag"),
])
def test_malformed_or_hostile_frames_raise_wire_error(header, message):
    with pytest.raises(WireError, match=message):
        wire.read_frame(_frame(header))


def test_truncated_and_oversized_frames_raise_wire_error():
    data = wire.encode({"a": np.zeros(100)})
    with pytest.raises(WireError, match="ended inside"):
        wire.read_frame(io.BytesIO(data[:-5]))
    with pytest.raises(WireError, match="larger than allowed"):
        wire.read_frame(io.BytesIO(struct.pack("<Q", 1 << 40)))
    with pytest.raises(WireError, match="does not describe"):
        wire.read_frame(_frame({"t": []}, b"extra"))


@pytest.mark.parametrize("description", [["no-such-dtype", [2]], ["<f4", "2"],
                                         ["<f4", [True]], [["<f4"], [2]], ["<f4"], 7,
                                         ["<f4", [-1]], ["O", [1]]])
def test_a_bad_array_description_is_a_wire_error(description):
    header = json.dumps({"a": description}).encode()
    with pytest.raises(wire.WireError, match="bad array description"):
        wire.decode(struct.pack("<I", len(header)) + header + b"\0" * 8)


def test_a_frame_that_claims_gigabytes_and_stops_costs_only_what_was_sent():
    import tracemalloc

    claim = (3 << 30).to_bytes(8, "little") + b"\0" * 1000  # 3 GiB claimed, 1 KB sent
    tracemalloc.start()
    try:
        with pytest.raises(wire.WireError, match="stream ended inside a frame"):
            wire.read_frame(io.BytesIO(claim))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, peak
