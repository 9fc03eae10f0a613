"""The Explain tab: follows the canvas selection, shows the engine's explanation of the
chosen unit and sample (the same numbers ``engine.insights.explain`` gives for the
weights in use), and clears when another project opens."""
import numpy as np

from designer.inside.explain_html import num
from designer.inside.explain_view import EMPTY_EXPLAIN
from designer.projects import EXAMPLES_DIR
from engine.insights.common import resolve_loss
from engine.insights.explain import explain_dense
from engine.network import Network


def _explained(qtbot, view):
    qtbot.waitUntil(lambda: view.explanation is not None and not view.call.busy,
                    timeout=20000)
    return view.explanation


def test_explain_follows_selection_with_the_engines_numbers(qtbot, open_example):
    win = open_example("digits_mlp")
    panel = win.inside_dock.widget()
    panel.setCurrentWidget(panel.explain)
    view = panel.explain
    win.editor.set_selection(["hidden2"])
    view.spins["unit"].setValue(5)
    view.spins["sample"].setValue(3)
    e = _explained(qtbot, view)
    qtbot.waitUntil(lambda: e.unit == "unit 5" and view.sample_shown == 3, timeout=20000)
    e = view.explanation
    source = win.inside.explain_source()
    assert source.weights is None  # untrained: the seed's weights
    net = Network(source.spec, seed=source.seed)
    data = source.data
    loss = resolve_loss(source.loss, net, data.task)
    want = explain_dense(net, "hidden2", 5, data.x[3], data.y[3], loss, source.settings)
    assert e.z == want.z and e.a == want.a and e.dl_dz == want.dl_dz
    assert [t.update.delta for t in e.terms] == [t.update.delta for t in want.terms]
    html = view.text.toPlainText()
    assert num(e.z) in html and num(e.a) in html and num(e.dl_dz) in html
    assert view.point.getData()[0][0] == e.z and view.point.getData()[1][0] == e.a

    win.editor.set_selection(["output"])  # the output layer adds the loss
    qtbot.waitUntil(lambda: view.loss_explanation is not None, timeout=20000)
    assert np.isclose(sum(view.loss_explanation.probabilities), 1.0)
    assert "−log" in view.text.toPlainText()

    win.editor.set_selection(["dropout1"])
    assert view.explanation is None and "Dropout has no units" in view.label.text()

    win.projects.open_path(EXAMPLES_DIR / "xor.ncproj")
    qtbot.wait(50)
    assert view.explanation is None and view.label.text() == EMPTY_EXPLAIN
    assert not view.text.toPlainText()


def test_explain_says_why_for_the_autoencoders_layers(qtbot, open_example):
    """A Conv2D of the autoencoder is explained; its Conv2DTranspose and UpSampling2D
    get a sentence saying why not, never an error."""
    win = open_example("conv_autoencoder")
    panel = win.inside_dock.widget()
    panel.setCurrentWidget(panel.explain)
    view = panel.explain
    win.editor.set_selection(["encode1"])
    assert _explained(qtbot, view).layer_type == "Conv2D"
    win.editor.set_selection(["decode1"])
    assert view.explanation is None
    assert view.label.text().startswith("A Conv2DTranspose output is a sum of patches")
    win.editor.set_selection(["upsample"])
    assert "UpSampling2D has no units of its own" in view.label.text()


def test_explain_a_conv1d_filter_at_an_output_step(qtbot, open_example):
    from engine.insights.explain_conv import explain_conv1d

    win = open_example("cnn1d_waveforms")
    panel = win.inside_dock.widget()
    panel.setCurrentWidget(panel.explain)
    view = panel.explain
    win.editor.set_selection(["conv2"])  # output (64, 32): 32 filters, 64 steps
    assert view.spins["step"].isVisibleTo(view) and not view.spins["row"].isVisibleTo(view)
    assert view.spins["unit"].maximum() == 31 and view.spins["step"].maximum() == 63
    view.spins["unit"].setValue(4)
    view.spins["step"].setValue(10)
    qtbot.waitUntil(lambda: view.explanation is not None and not view.call.busy
                    and view.explanation.unit == "channel 4, step 10", timeout=20000)
    e = view.explanation
    source = win.inside.explain_source()
    net = Network(source.spec, seed=source.seed)
    loss = resolve_loss(source.loss, net, source.data.task)
    want = explain_conv1d(net, "conv2", 4, 10, source.data.x[0], source.data.y[0], loss,
                          source.settings)
    assert e.z == want.z and e.a == want.a and e.layer_type == "Conv1D"
    assert "patch ⊙ kernel" in view.text.toPlainText() and num(e.z) in view.text.toPlainText()
    win.editor.set_selection(["pool1"])
    assert view.explanation is None and "MaxPool1D has no units" in view.label.text()


NUMBER_CHARS = set("0123456789.\u2212-e")


def broken_numbers(document) -> list[str]:
    """Places where a line ends inside a number and the next line goes on with it."""
    found = []
    block = document.begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        lines = [text[layout.lineAt(i).textStart():
                      layout.lineAt(i).textStart() + layout.lineAt(i).textLength()]
                 for i in range(layout.lineCount())]
        for before, after in zip(lines, lines[1:]):
            if before and after and before[-1] in NUMBER_CHARS and after[0] in NUMBER_CHARS \
                    and before[-1] != "e" and any(c.isdigit() for c in before[-3:]):
                found.append(f"{before[-8:]}|{after[:8]}")
        block = block.next()
    return found


def test_a_narrow_explain_tab_never_breaks_a_number_and_fits_its_title(qtbot, open_example):
    """In the default dock at 1366x768 numbers wrapped inside ("-0.113" then "7") and the
    activation plot's title was cut off at the right."""
    win = open_example("digits_mlp")
    panel = win.inside_dock.widget()
    panel.setCurrentWidget(panel.explain)
    view = panel.explain
    win.editor.set_selection(["hidden2"])
    _explained(qtbot, view)
    for width in (420, 540, 700):
        view.text.setFixedWidth(width // 2)
        view.plot.setFixedWidth(width // 2)
        qtbot.wait(50)
        doc = view.text.document()
        doc.setTextWidth(view.text.viewport().width())
        assert broken_numbers(doc) == [], width
        title = view.plot.getPlotItem().titleLabel
        shown = title.item.toPlainText()
        assert title.item.boundingRect().width() <= view.plot.width(), (width, shown)
        assert shown.endswith("\u2026") or "a = " in shown
        assert "z = " in view.plot.toolTip()  # the whole title
    win.projects.open_path(EXAMPLES_DIR / "xor.ncproj")  # no last unit's numbers left
    qtbot.wait(50)
    assert view.plot.getPlotItem().titleLabel.item.toPlainText() == "a = φ(z)"
