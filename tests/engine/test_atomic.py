"""Saving as QSaveFile does: atomic, the file's mode kept (new files follow the umask),
through a symbolic link to its target, no temporary file left after a failure, and
errors that name the real file."""
import errno
import os
import stat

import pytest

from engine.atomic import write_atomic


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_an_existing_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    old = tmp_path / "shared.onnx"
    old.write_bytes(b"old")
    os.chmod(old, 0o640)
    write_atomic(old, b"new")
    assert old.read_bytes() == b"new" and mode(old) == 0o640
    previous = os.umask(0o027)
    try:
        write_atomic(tmp_path / "fresh.npz", b"x")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "fresh.npz") == 0o640  # 0666 & ~027, not mkstemp's 0600
    write_atomic(tmp_path / "default.npz", b"x")
    assert mode(tmp_path / "default.npz") == 0o666 & ~previous


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real" / "project.ncproj"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "link.ncproj"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["project.ncproj"]


def test_a_failed_write_leaves_the_old_file_no_temporary_and_names_the_file(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"old")

    def full_disk(fh):
        fh.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as info:
        write_atomic(path, full_disk)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert f"{path}" in str(info.value)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["model.onnx"]

    def bug(fh):
        raise ValueError("not an OSError")

    with pytest.raises(ValueError):
        write_atomic(path, bug)
    assert os.listdir(tmp_path) == ["model.onnx"]


def test_a_missing_folder_is_named_as_the_file_asked_for(tmp_path):
    path = tmp_path / "no such folder" / "m.npz"
    with pytest.raises(FileNotFoundError) as info:
        write_atomic(path, b"x")
    assert info.value.filename == str(path)
