"""Training in a child process (``python -m engine.remote``), spoken to as the designer
does: a job on stdin, commands after it, typed events back on stdout. No Qt."""
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine.data import prepare
from dataclasses import replace

from engine.events import (Checkpointed, CommandRefused, Finished, Progress, RunFailed,
                           RunResult, Started, Stopped)
from engine.project import load_project
from engine.run import make_job
from engine.wire import read_frame, write_frame

ROOT = Path(__file__).resolve().parents[2]


def _child():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "engine.remote"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _job(name="xor", probe=True, **settings):
    project = load_project(ROOT / "resources" / "examples" / f"{name}.ncproj")
    job = make_job(project.spec, prepare(project.data, 0), {**project.training, **settings},
                   data_config=project.data, probe=probe)
    return {"job": job, "emit_interval": 0.05}


def _messages(proc):
    out = []
    while True:
        try:
            out.append(read_frame(proc.stdout))
        except EOFError:
            break
    proc.wait(10)
    return out


@pytest.fixture
def child():
    proc = _child()
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()


def test_a_run_reports_start_every_batch_and_the_trained_weights(child):
    frame = _job(epochs=100)
    job = frame["job"]
    write_frame(child.stdin, frame)
    messages = _messages(child)
    assert isinstance(messages[0], Started) and isinstance(messages[-1], RunResult)
    progress = [m for m in messages if isinstance(m, Progress)]
    assert {type(m) for m in messages[1:-1]} <= {Progress, Checkpointed}
    steps = np.concatenate([m.batch_losses[:, 0] for m in progress])
    batches = -(-len(job.data.train) // job.settings["batch_size"])
    np.testing.assert_array_equal(steps, np.arange(1, 100 * batches + 1))
    assert [r["epoch"] for m in progress for r in m.epochs] == list(range(1, 101))
    assert any(m.snapshot is not None for m in progress)  # the probe looked inside
    end = messages[-1]
    assert isinstance(end.ended, Finished) and end.test["accuracy"] == 1.0
    assert end.loss == "cross_entropy" and end.weights["hidden/W"].shape[0] == 2
    assert end.checkpoint.describe() == "after epoch 100"  # the run can go on from here
    assert end.preprocessing["test"] == end.test and end.preprocessing["design"]
    assert child.returncode == 0


def test_the_decision_map_is_in_the_datas_own_units(child):
    frame = _job("spirals", epochs=3)
    write_frame(child.stdin, frame)
    snaps = [m.snapshot for m in _messages(child)
             if isinstance(m, Progress) and m.snapshot is not None]
    assert snaps, "no snapshot in a 3-epoch spirals run"
    dmap, data = snaps[-1].boundary, frame["job"].data
    raw = data.normalizer.inverse_transform(data.train.x)
    assert dmap.xs[0] <= raw[:, 0].min() and dmap.xs[-1] >= raw[:, 0].max()
    assert not np.allclose([dmap.xs[0], dmap.xs[-1]],
                           [data.train.x[:, 0].min(), data.train.x[:, 0].max()], atol=0.05)


def test_stop_command_and_a_closed_stdin_both_end_the_run(child):
    write_frame(child.stdin, _job(epochs=100000, probe=False))
    assert isinstance(read_frame(child.stdout), Started)
    write_frame(child.stdin, "stop")
    *rest, checkpointed, last = _messages(child)
    assert isinstance(last, RunResult) and isinstance(last.ended, Stopped)
    assert isinstance(checkpointed, Checkpointed)  # Stop always leaves a checkpoint
    assert last.checkpoint is checkpointed.checkpoint or last.checkpoint.step == \
        checkpointed.checkpoint.step

    second = _child()  # the parent going away (its end of stdin closes) stops it too
    write_frame(second.stdin, _job(epochs=100000, probe=False))
    assert isinstance(read_frame(second.stdout), Started)
    second.stdin.close()
    assert isinstance(_messages(second)[-1], RunResult)
    second.stdout.close()
    second.stderr.close()


def test_a_bad_job_or_bad_settings_become_failed_messages(child):
    child.stdin.write(b"\x05\x00\x00\x00\x00\x00\x00\x00hello")  # not a frame
    child.stdin.close()
    (msg,) = _messages(child)
    assert isinstance(msg, RunFailed) and "could not start" in msg.message

    other = _child()  # settings make_job would refuse, sent anyway: the run refuses them
    frame = _job()
    write_frame(other.stdin, {**frame, "job": replace(frame["job"], settings={"batch_size": 0})})
    (msg,) = _messages(other)
    assert isinstance(msg, RunFailed) and "Batch size must be at least 1" in msg.message
    other.stdout.close()
    other.stderr.close()


def test_malformed_and_unknown_commands_are_refused_and_stop_still_works(child):
    write_frame(child.stdin, _job(epochs=100000))
    assert isinstance(read_frame(child.stdout), Started)
    body = b'\x04\x00\x00\x00{"d"'  # a whole frame whose header is not JSON
    child.stdin.write(len(body).to_bytes(8, "little") + body)
    write_frame(child.stdin, "dance")
    write_frame(child.stdin, {"sample": np.zeros((5, 5)), "target": 1})  # xor takes (2,)
    write_frame(child.stdin, {"sample": np.array([np.nan, 1.0])})
    write_frame(child.stdin, "stop")
    child.stdin.flush()
    messages = _messages(child)
    refused = [m.message for m in messages if isinstance(m, CommandRefused)]
    assert len(refused) == 4, refused
    assert "malformed frame header" in refused[0] and "unknown command 'dance'" in refused[1]
    assert "shape (2,)" in refused[2] and "finite" in refused[3]
    assert isinstance(messages[-1], RunResult) and isinstance(messages[-1].ended, Stopped)
    assert child.returncode == 0


def test_the_process_ends_within_a_second_of_its_stdin_closing(child):
    write_frame(child.stdin, _job(epochs=100000, probe=False))
    assert isinstance(read_frame(child.stdout), Started)
    child.stdin.close()
    start = time.monotonic()
    while child.poll() is None and time.monotonic() - start < 5:
        read_frame(child.stdout) if child.stdout.peek(1) else None
    assert child.wait(5) == 0 and time.monotonic() - start < 1.0
