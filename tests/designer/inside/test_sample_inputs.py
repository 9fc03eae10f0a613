""""Try one sample" for inputs beyond one-channel digits: drawing on a colour image
input, and typing text for a character model."""
import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.inside.sample_view import SampleView
from engine.data import prepare
from engine.insights import try_sample
from engine.network import Network
from engine.sampling import encode
from engine.spec import NetworkSpec

from .helpers import example, shown

HEIGHT, WIDTH = 10, 12


def _rgb_folder(root):
    """Two classes of small PNGs, reddish and bluish, so the channels' means differ."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for name, tint in (("red", (200, 40, 60)), ("blue", (30, 70, 210))):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(8):
            noise = rng.normal(0, 25, (HEIGHT, WIDTH, 3))
            pixels = np.clip(np.array(tint) + noise, 0, 255).astype(np.uint8)
            Image.fromarray(pixels, "RGB").save(folder / f"{i}.png")
    return root


def _image_classifier():
    layers = [{"id": "input", "type": "Input", "name": "input",
               "config": {"shape": [3, HEIGHT, WIDTH], "kind": "image"}},
              {"id": "flat", "type": "Flatten", "name": "flatten", "config": {}},
              {"id": "output", "type": "Dense", "name": "output",
               "config": {"units": 2, "activation": "softmax"}}]
    edges = [{"from": a["id"], "to": b["id"]} for a, b in zip(layers, layers[1:])]
    return Network(NetworkSpec.from_dict({"version": 1, "layers": layers, "edges": edges}))


def _move(widget, point: QPoint) -> None:
    """A mouse move with the left button held (QTest.mouseMove carries no buttons)."""
    event = QMouseEvent(QMouseEvent.MouseMove, QPointF(point),
                        QPointF(widget.mapToGlobal(point)), Qt.NoButton, Qt.LeftButton,
                        Qt.NoModifier)
    QApplication.sendEvent(widget, event)


def _stroke(pad, start: QPoint, end: QPoint, steps: int = 8) -> None:
    QTest.mousePress(pad, Qt.LeftButton, Qt.NoModifier, start)
    for i in range(1, steps + 1):
        _move(pad, start + (end - start) * (i / steps))
    QTest.mouseRelease(pad, Qt.LeftButton, Qt.NoModifier, end)


def test_drawing_on_an_rgb_input_sends_the_drawing_in_every_channel(qtbot, tmp_path):
    data = prepare({"source": "images", "path": str(_rgb_folder(tmp_path / "photos")),
                    "size": [HEIGHT, WIDTH], "color": "rgb", "test_split": 0.25}, 0)
    network = _image_classifier()
    view = shown(qtbot, SampleView())
    view.set_data(data.test, data.normalizer)
    assert view.pad_box.isVisible() and view.pad.cells.shape == (HEIGHT, WIDTH)
    assert "3 channels" in view.pad_label.text() and "grey" in view.pad.toolTip()
    asked = []

    def answer(x, target, what):  # what the dock does after a run
        asked.append(x)
        view.show_result(try_sample(network, x, "classification", None,
                                    data.test.class_names, target), what)

    view.sample_requested.connect(answer)
    r = view.pad.rect()
    _stroke(view.pad, QPoint(r.width() // 5, r.height() // 2),
            QPoint(r.width() * 4 // 5, r.height() // 2))
    assert len(asked) == 1
    x = asked[0]
    assert x.shape == (3, HEIGHT, WIDTH) and x.dtype == np.float32
    raw = data.normalizer.inverse_transform(x[None])[0]  # the drawing before standardising
    assert np.allclose(raw[0], raw[1], atol=1e-5) and np.allclose(raw[0], raw[2], atol=1e-5)
    assert raw.min() > -1e-5 and raw.max() > 0.9  # white ink on black, in [0, 1]
    row = raw[0, HEIGHT // 2]
    assert row[3] > 0.5 and row[WIDTH - 4] > 0.5  # the whole stroke, not just the press
    assert not np.allclose(x[0], x[2])  # standardised per channel, as the data was
    assert view.result is not None and view.result.probabilities.shape == (2,)
    assert "your drawing" in view.answer.text() and "predicted" in view.answer.text()
    assert len(view.outputs.rows) == 3


def _reads(view) -> str:
    """The text the view says the network reads, new lines shown as \u23ce undone."""
    doc = QTextDocument()
    doc.setHtml(view.text_box.reads.text())
    return doc.toPlainText().split(":\n", 1)[1].replace("\u23ce\n", "\n")


def _last_step_prediction(network, x, vocab) -> str:
    out = network.forward(np.asarray(x)[None], training=False)
    return vocab[int(out[0, -1].argmax())]


def test_typed_text_is_encoded_like_the_sampler_and_answered(qtbot, open_example):
    win = open_example("char_lstm", epochs=1000)
    panel = win.inside_dock.widget()
    sample = panel.sample
    win.workspaces.switch("train")
    win.evaluation_dock.raise_()  # in a tab behind Inside while training
    panel.show_view(sample)
    asked = []
    sample.sample_requested.connect(lambda x, t, what: asked.append((x, t, what)))
    win.training.action_train.trigger()
    qtbot.waitUntil(lambda: win.training.runner.running, timeout=5000)
    qtbot.waitUntil(lambda: sample.data is not None, timeout=10000)
    assert sample.text_box.isVisible() and not sample.pad_box.isVisible()
    vocab = list(sample.data.vocabulary)
    text = "Shall I compare thee"
    qtbot.keyClicks(sample.text_box.edit, text)  # sent once the typing pauses
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=3000)
    x, target, what = asked[0]
    assert x.shape == (64,) and np.issubdtype(x.dtype, np.integer) and target is None
    assert np.array_equal(x[-len(text):], encode(text, vocab))
    assert (x[:-len(text)] == vocab.index("\n")).all()  # padded on the left
    assert "Asked" in sample.answer.text()
    qtbot.waitUntil(lambda: sample.result is not None, timeout=20000)  # the run answers
    assert "your text" in sample.answer.text()
    assert sample.result.probabilities.shape == (64, len(vocab))
    with qtbot.waitSignal(win.training.runner.finished, timeout=10000):
        win.training.stop()
    qtbot.waitUntil(lambda: win.inside.network is not None, timeout=20000)

    long = "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate"
    sample.text_box.edit.clear()
    for i, line in enumerate(long.split("\n")):  # QTest types no "\n": press Return
        if i:
            qtbot.keyClick(sample.text_box.edit, Qt.Key_Return)
        qtbot.keyClicks(sample.text_box.edit, line)
    qtbot.mouseClick(sample.text_box.try_button, Qt.LeftButton)
    x = asked[-1][0]
    assert np.array_equal(x, encode(long, vocab)[-64:])  # the sampler's last-T context
    answer = sample.answer.text()
    best = _last_step_prediction(win.inside.network, x, vocab)
    assert "predicted <b>" in answer and "as the next character" in answer
    assert sample.result.top[0][1] == best
    assert sample.probs_view.isVisible()
    assert _reads(sample) == long[-64:]


def test_a_picked_token_sample_shows_its_text(qtbot):
    data = example("char_lstm")[1]
    view = shown(qtbot, SampleView())
    view.set_data(data.test)
    view.request_index(3)
    decoded = "".join(data.test.vocabulary[i] for i in data.test.x[3])
    assert _reads(view) == decoded


def test_an_unknown_character_is_named_and_nothing_is_sent(qtbot):
    data = example("char_lstm")[1]
    view = shown(qtbot, SampleView())
    view.set_data(data.test)
    asked = []
    view.sample_requested.connect(lambda x, t, what: asked.append(x))
    box = view.text_box
    qtbot.keyClicks(box.edit, "Zebra @ noon")
    message = box.message.text()
    assert "'Z'" in message and "'@'" in message and "Nothing was sent" in message
    assert box.message.isVisible()
    qtbot.mouseClick(box.try_button, Qt.LeftButton)
    qtbot.wait(600)  # past the typing pause
    assert asked == []
    box.edit.setPlainText("Zebra")
    box.edit.setPlainText("ebra")  # fixed: the message goes and the text is sent
    assert box.message.text() == ""
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=3000)
