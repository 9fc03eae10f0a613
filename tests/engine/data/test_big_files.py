"""Big ordinary files stay cheap: a CSV is read in one streaming pass and keeps its
numbers, not its text; every loader checks its arrays against the memory setting
(NEUROCANVAS_MEMORY_LIMIT_MB) before allocating them."""
import os
import tracemalloc

import numpy as np
import pytest

from engine.data import load_csv
from engine.data.images import load_image_folder
from engine.data.npz_loader import load_npz
from engine.data.table import read_table
from engine.data.text import load_text_file
from engine.errors import DataError
from engine.memory import LIMIT_VARIABLE


def _write_csv(path, rows, columns=20, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, columns))
    labels = np.where(values[:, 0] > 0, "yes", "no")
    with open(path, "w") as fh:
        fh.write(",".join(f"f{i}" for i in range(columns)) + ",label\n")
        fh.writelines(",".join(f"{v:.6f}" for v in row) + f",{label}\n"
                      for row, label in zip(values, labels))
    return values.astype(np.float32), labels


def _peak_and_arrays(path):
    tracemalloc.start()
    try:
        data = load_csv(path, "label")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, data.x.nbytes + data.y.nbytes, data


def test_csv_memory_grows_with_its_arrays_not_its_text(tmp_path):
    """Four times the rows cost at most 3x the extra arrays' bytes (the rows held as text
    cost ~20x: a 190 MB CSV peaked at 1.9 GB for 87 MB of arrays)."""
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    _write_csv(small, 20_000)
    values, labels = _write_csv(big, 80_000, seed=1)
    peak_small, arrays_small, _ = _peak_and_arrays(small)
    peak_big, arrays_big, data = _peak_and_arrays(big)
    assert peak_big - peak_small <= 3 * (arrays_big - arrays_small)
    np.testing.assert_allclose(data.x, values, atol=1e-6)  # and it read them right
    assert data.class_names == ("no", "yes")
    np.testing.assert_array_equal(data.y, labels == "yes")


def test_a_text_column_read_again_sees_a_changed_file(tmp_path):
    """A column's text that was not kept (numbers first, text later) is read again from
    the file; if the file changed meanwhile, that is said, never mixed."""
    path = tmp_path / "late.csv"
    path.write_text("a,label\n" + "".join(f"{i},{i}\n" for i in range(40_000)) + "1,x\n")
    table = read_table(path)
    assert table.cells("label")[-2:] == ["39999", "x"]
    path.write_text("a,label\n1,y\n")
    with pytest.raises(DataError, match="changed while it was being read"):
        table.cells("label")


@pytest.fixture
def one_megabyte(monkeypatch):
    monkeypatch.setenv(LIMIT_VARIABLE, "1")


def test_the_memory_setting_limits_every_loader(tmp_path, one_megabyte):
    csv = tmp_path / "t.csv"
    _write_csv(csv, 20_000)
    with pytest.raises(DataError, match=rf"t.csv \(at line .*would take .* more than the "
                                        rf"1.0 MB allowed by {LIMIT_VARIABLE}"):
        load_csv(csv, "label")
    text = tmp_path / "t.txt"
    text.write_text("to be or not to be " * 40_000)
    with pytest.raises(DataError, match=r"The text file t.txt would take"):
        load_text_file(text)
    npz = tmp_path / "t.npz"
    np.savez(npz, x=np.zeros((1000, 200), np.float32), y=np.zeros(1000, np.int64))
    with pytest.raises(DataError, match=r"Array 'x' in t.npz \(1000x200 float32\) would take"):
        load_npz(npz)
    images = tmp_path / "images"
    for label in ("a", "b"):
        os.makedirs(images / label)
        from PIL import Image
        for i in range(3):
            Image.new("L", (8, 8)).save(images / label / f"{i}.png")
    with pytest.raises(DataError, match=r"6 images of 256x256 would take"):
        load_image_folder(images, size=(256, 256))
    assert len(load_image_folder(images, size=(8, 8)).x) == 6  # within the limit: loads


def test_within_the_setting_everything_loads(tmp_path, monkeypatch):
    monkeypatch.setenv(LIMIT_VARIABLE, "64")
    csv = tmp_path / "t.csv"
    values, _ = _write_csv(csv, 2_000)
    np.testing.assert_allclose(load_csv(csv, "label").x, values, atol=1e-6)
