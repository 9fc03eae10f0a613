"""NPZ files, image folders and text files."""
import numpy as np
import pytest

from engine.data import load_image_folder, load_npz, load_text_file
from engine.errors import DataError

Image = pytest.importorskip("PIL.Image")


# -- NPZ --------------------------------------------------------------------------------

def save(tmp_path, name="d.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def npz_error(path, **kwargs) -> DataError:
    with pytest.raises(DataError) as err:
        load_npz(path, **kwargs)
    return err.value


def test_npz_classification_and_kinds(tmp_path):
    x = np.arange(24, dtype=np.float64).reshape(6, 4)
    data = load_npz(save(tmp_path, x=x, y=np.array([0, 2, 1, 2, 0, 1])))
    assert data.task == "classification" and data.class_names == ("0", "1", "2")
    assert data.x.dtype == np.float32 and data.input_kind == "features"
    images = load_npz(save(tmp_path, "i.npz", x=np.zeros((3, 1, 4, 4)), y=[0, 1, 1]))
    assert images.input_kind == "image"
    seq = load_npz(save(tmp_path, "s.npz", x=np.zeros((3, 5, 2)), y=np.ones(3)))
    assert seq.input_kind == "sequence" and seq.task == "regression"
    assert seq.y.shape == (3, 1) and seq.y.dtype == np.float32


def test_npz_text_labels_names_and_tokens(tmp_path):
    data = load_npz(save(tmp_path, x=np.zeros((3, 2)), y=np.array(["b", "a", "b"])))
    assert data.class_names == ("a", "b") and data.y.tolist() == [1, 0, 1]
    named = load_npz(save(tmp_path, "n.npz", x=np.zeros((2, 2)), y=[1, 0],
                          class_names=np.array(["no", "yes"])))
    assert named.class_names == ("no", "yes")
    tokens = load_npz(save(tmp_path, "t.npz", x=np.array([[1, 2], [3, 0]]),
                           y=np.array([[2, 3], [0, 1]]), vocabulary=np.array(list("abcd"))),
                      input_kind="tokens")
    assert tokens.x.dtype == np.int64 and tokens.y.shape == (2, 2)
    assert tokens.vocabulary == ("a", "b", "c", "d")


def test_npz_missing_array_lists_what_is_there(tmp_path):
    err = npz_error(save(tmp_path, inputs=np.zeros((2, 2)), y=[0, 1]))
    assert err.column == "x" and "'inputs'" in str(err)
    err = npz_error(save(tmp_path, "b.npz", x=np.zeros((2, 2))))
    assert err.column == "y"


def test_npz_mismatched_lengths(tmp_path):
    err = npz_error(save(tmp_path, x=np.zeros((5, 2)), y=np.zeros(4)))
    assert "5 samples" in str(err) and "4" in str(err)


def test_npz_object_arrays_are_refused_without_unpickling(tmp_path):
    path = tmp_path / "o.npz"
    np.savez(path, x=np.zeros((2, 2)), y=np.array([{"a": 1}, None], dtype=object))
    err = npz_error(path)
    assert err.column == "y" and "unpickle" in str(err)


def test_npz_bad_values(tmp_path):
    x = np.ones((3, 2))
    x[1, 1] = np.nan
    assert "sample 1" in str(npz_error(save(tmp_path, x=x, y=[0, 1, 0])))
    assert "numbers" in str(npz_error(save(tmp_path, "s.npz", x=np.array([["a"]]), y=[0])))
    err = npz_error(save(tmp_path, "c.npz", x=np.zeros((2, 1)), y=[0, 3],
                         class_names=np.array(["a", "b"])))
    assert "class 3" in str(err)
    err = npz_error(save(tmp_path, "t.npz", x=np.zeros((2, 2)), y=[0, 1]), input_kind="tokens")
    assert "whole numbers" in str(err)


def test_npz_not_an_npz(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not a zip file at all")
    message = str(npz_error(path))
    assert "not a readable" in message and "np.savez" in message
    # NumPy's own words suggested loading it "unsafely" with allow_pickle
    assert "pickle" not in message
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    assert "single array" in str(npz_error(single))
    assert "no file" in str(npz_error(tmp_path / "absent.npz"))


# -- image folders ----------------------------------------------------------------------

def make_folder(root, sizes=None, mode="L"):
    """Two classes of three images; ``sizes`` overrides some images' (w, h)."""
    sizes = sizes or {}
    rng = np.random.default_rng(0)
    for label, value in (("cats", 40), ("dogs", 200)):
        (root / label).mkdir(parents=True)
        for i in range(3):
            w, h = sizes.get((label, i), (10, 12))
            shape = (h, w) if mode == "L" else (h, w, 3)
            pixels = np.full(shape, value, np.uint8)
            pixels.flat[0] = rng.integers(0, 255)
            suffix = ".png" if i != 2 else ".jpg"
            Image.fromarray(pixels, mode=mode).save(root / label / f"img{i}{suffix}")
    return root


def test_image_folder_grayscale(tmp_path):
    root = make_folder(tmp_path / "pets")
    (root / "cats" / "notes.txt").write_text("not an image")
    data = load_image_folder(root, size=(8, 6))
    assert data.x.shape == (6, 1, 8, 6) and data.x.dtype == np.float32
    assert 0.0 <= data.x.min() and data.x.max() <= 1.0
    assert data.class_names == ("cats", "dogs") and data.y.tolist() == [0, 0, 0, 1, 1, 1]
    assert data.x[0, 0, 4, 3] == pytest.approx(40 / 255, abs=0.02)
    assert data.x[5, 0, 4, 3] == pytest.approx(200 / 255, abs=0.02)
    assert len(data.meta["skipped_files"]) == 1 and data.input_kind == "image"


def test_image_folder_rgb_and_square_size(tmp_path):
    root = make_folder(tmp_path / "pets", mode="RGB")
    data = load_image_folder(root, size=5, color="rgb")
    assert data.x.shape == (6, 3, 5, 5)


def test_image_folder_without_resizing_keeps_the_size(tmp_path):
    data = load_image_folder(make_folder(tmp_path / "pets"), resize=False)
    assert data.x.shape == (6, 1, 12, 10)


def test_mixed_sizes_without_resizing(tmp_path):
    root = make_folder(tmp_path / "pets", sizes={("dogs", 1): (16, 16)})
    with pytest.raises(DataError) as err:
        load_image_folder(root, resize=False)
    assert "img1.png" in str(err.value) and "16x16" in str(err.value)
    assert load_image_folder(root, size=(8, 8)).x.shape == (6, 1, 8, 8)


def test_unreadable_image_names_the_file(tmp_path):
    root = make_folder(tmp_path / "pets")
    (root / "dogs" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(DataError) as err:
        load_image_folder(root)
    assert "broken.png" in str(err.value) and err.value.column.endswith("broken.png")


def test_empty_class_folder_and_no_folders(tmp_path):
    root = make_folder(tmp_path / "pets")
    (root / "birds").mkdir()
    with pytest.raises(DataError) as err:
        load_image_folder(root)
    assert "birds" in str(err.value)
    flat = tmp_path / "flat"
    flat.mkdir()
    with pytest.raises(DataError) as err:
        load_image_folder(flat)
    assert "sub-folder" in str(err.value)
    with pytest.raises(DataError):
        load_image_folder(tmp_path / "absent")


# -- text -------------------------------------------------------------------------------

def test_text_file_windows(tmp_path):
    path = tmp_path / "poem.txt"
    path.write_text("abcabcabcab\r\n")
    data = load_text_file(path, seq_length=4, stride=2)
    assert data.vocabulary == ("\n", "a", "b", "c")
    assert data.x.shape == (4, 4)
    assert "".join(data.vocabulary[i] for i in data.x[1]) == "cabc"
    assert "".join(data.vocabulary[i] for i in data.y[1]) == "abca"
    with pytest.raises(DataError):
        load_text_file(path, seq_length=50)


# -- dependencies -----------------------------------------------------------------------

def test_data_layer_imports_numpy_and_stdlib_only_and_pillow_lazily():
    import ast
    import subprocess
    import sys
    from pathlib import Path

    import engine.data

    folder = Path(engine.data.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        for node in top:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            for name in names:
                root = name.split(".")[0]
                assert node.__class__ is ast.ImportFrom and node.level > 0 \
                    or root == "numpy" or root in sys.stdlib_module_names, (path.name, name)
    code = "import sys, engine.data; engine.data.prepare({'source': 'builtin', " \
           "'name': 'mnist', 'options': {'n_samples': 20}}); print('PIL' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=folder.parent.parent, check=True)
    assert out.stdout.strip() == "False"


def test_an_npz_with_no_samples_says_so(tmp_path):
    path = save(tmp_path, x=np.zeros((0, 3)), y=np.zeros(0))
    with pytest.raises(DataError, match="x holds no samples"):
        load_npz(path)


def test_npz_values_beyond_float32_are_refused(tmp_path):
    x = np.ones((4, 2))
    x[2, 1] = 1e300
    assert "sample 2 holds values beyond" in str(npz_error(save(tmp_path, x=x, y=[0, 1, 0, 1])))
    y = np.array([1.0, 2.0, -1e39, 4.0])
    err = npz_error(save(tmp_path, "r.npz", x=np.ones((4, 2)), y=y), task="regression")
    assert "y in r.npz holds values beyond" in str(err)


def test_a_saved_standardiser_with_nan_or_infinity_is_refused():
    from engine.data.normalize import normalizer_from_dict

    for mean, std in (([float("nan")], [1.0]), ([0.0], [float("inf")])):
        with pytest.raises(DataError, match="NaN or infinite"):
            normalizer_from_dict({"kind": "standard", "axis": 1, "mean": mean, "std": std})


def test_text_windows_are_the_same_as_gathered_ones_for_every_stride():
    from engine.data import char_dataset

    rng = np.random.default_rng(0)
    text = "".join(rng.choice(list("abcdé \n"), 500))
    for seq, stride in ((5, 0), (5, 1), (5, 3), (7, 11), (2, 2)):
        data = char_dataset(text, seq, stride)
        lookup = {ch: i for i, ch in enumerate(data.vocabulary)}
        ids = np.array([lookup[ch] for ch in text])
        starts = np.arange(0, len(text) - seq, stride or seq)
        index = starts[:, None] + np.arange(seq)[None, :]
        np.testing.assert_array_equal(data.x, ids[index])
        np.testing.assert_array_equal(data.y, ids[index + 1])
