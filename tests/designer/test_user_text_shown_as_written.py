"""User text (layer names, class and column names, file names) reaches widgets that read
HTML: pyqtgraph titles, axis labels and legends, rich labels, tooltips. A name such as
``<b>x</b> & <img src='/etc/passwd'>`` must show as written, never as markup (nor make
Qt load a local file)."""
from pathlib import Path

from PySide6.QtGui import QAction, QTextDocument, Qt
from PySide6.QtWidgets import QGraphicsTextItem, QGraphicsView, QLabel, QWidget

from .test_data_panel import choose, load, type_text

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
HOSTILE = "<b>x</b> & <img src='/etc/passwd'>"
FILE_NAME = "<i>f & g.csv"  # no slash in a file's name


def shown(text: str, fmt=Qt.AutoText) -> str:
    """What Qt displays for ``text`` in a widget of text format ``fmt``."""
    if fmt == Qt.PlainText or (fmt == Qt.AutoText and not Qt.mightBeRichText(text)):
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def mangled(text: str) -> bool:
    """A name was read as HTML: its tags went and the image became an object."""
    return "x & " in text or "\ufffc" in text or ("f & g" in text and "<i>f" not in text)


def displayed_texts(window) -> list[str]:
    """Every text the window shows now: labels, tooltips, and the text items of every
    graphics scene (plot titles, axis labels, legends)."""
    texts = [shown(label.text(), label.textFormat()) for label in window.findChildren(QLabel)]
    texts += [shown(w.toolTip()) for w in window.findChildren(QWidget) if w.toolTip()]
    texts += [shown(a.toolTip()) for a in window.findChildren(QAction) if a.toolTip()]
    for view in window.findChildren(QGraphicsView):
        if view.scene() is not None:
            items = view.scene().items()
            texts += [item.toPlainText() for item in items if isinstance(item, QGraphicsTextItem)]
            texts += [shown(item.toolTip()) for item in items if item.toolTip()]
    return texts


def use_hostile_data(qtbot, window, tmp_path):
    """A CSV named, with a column and a class named, like markup."""
    path = tmp_path / FILE_NAME
    rows = [f"{a},{b},{HOSTILE if (a > 0) != (b > 0) else 'same'}"
            for a in (-1, -0.5, 0.5, 1) for b in (-1, -0.6, 0.6, 1)] * 4
    path.write_text(f"a,{HOSTILE},label\n" + "\n".join(rows) + "\n")
    panel = window.data_panel
    choose(panel, "csv")
    type_text(panel.path_edit, str(path))
    type_text(panel.fields["target"].widget, "label")
    assert load(qtbot, panel)


def test_names_like_markup_show_as_written(qtbot, window, tmp_path, dialogs):
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    assert window.editor.rename("hidden", HOSTILE) is None
    use_hostile_data(qtbot, window, tmp_path)
    window.editor.set_selection(["hidden"])  # the inspector shows its name
    panel = window.inside_dock.widget()
    preview = panel.preview
    panel.show_view(preview)
    qtbot.waitUntil(lambda: len(preview.outputs.rows) == 3, timeout=10000)
    titles = [plot.titleLabel.item.toPlainText()
              for plot in preview.outputs.view.ci.items if hasattr(plot, "titleLabel")]
    texts = displayed_texts(window)
    assert any(f"{HOSTILE} (Dense)" in title for title in titles), (titles, texts)
    bad = [t for t in texts if mangled(t)]
    assert bad == [], '\n---\n'.join(bad)
    assert any(HOSTILE in t for t in texts)
    assert any(HOSTILE in text for _, _, text in dialogs.shown) or not dialogs.shown


def test_after_a_run_every_view_shows_the_names_as_written(qtbot, window, tmp_path, dialogs):
    """Train a little, then walk the views that name layers and classes: plots' titles
    and legends, the boundary's axes (column names), badges' tooltips, the step-through
    and gradient check (layer names in their text)."""
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    assert window.editor.rename("hidden", HOSTILE) is None
    window.editor.set_training_setting("epochs", 3)
    use_hostile_data(qtbot, window, tmp_path)
    panel = window.inside_dock.widget()
    with qtbot.waitSignal(window.training.runner.finished, timeout=30000):
        window.training.action_train.trigger()
    qtbot.waitUntil(lambda: window.inside.network is not None, timeout=20000)
    qtbot.waitUntil(lambda: not window.inside.evaluation.busy, timeout=20000)
    with qtbot.waitSignal(panel.gradcheck.checked, timeout=30000):
        assert panel.gradcheck.start()
    window.step_through()
    qtbot.waitUntil(lambda: panel.steps.step is not None, timeout=30000)
    panel.sample.request_index(0)
    qtbot.waitUntil(lambda: panel.sample.result is not None, timeout=5000)
    window.editor.set_selection(["hidden"])
    for view in (panel.layers, panel.projection, panel.results, panel.boundary, panel.sample,
                 panel.gradcheck, panel.steps):
        panel.show_view(view)
        qtbot.wait(250)  # throttled redraws
    texts = displayed_texts(window)
    bad = [t for t in texts if mangled(t)]
    assert bad == [], "\n---\n".join(bad)
    assert sum(HOSTILE in t for t in texts) >= 3
    assert not [text for _, _, text in dialogs.shown if mangled(shown(text))]


def test_a_file_named_like_markup_is_named_as_written_in_the_message(window, tmp_path,
                                                                      dialogs):
    """Message boxes read their text as HTML when it looks like HTML."""
    bad = tmp_path / "<b>x<b> & <img src='etc'>.ncproj"  # no slash in a file's name
    bad.write_text("not a project")
    assert not window.projects.open_path(bad, ask=False)
    kind, _, text = dialogs.shown[-1]
    assert kind == "critical" and "<b>x<b> & <img src='etc'>.ncproj" in shown(text)


def test_escape_and_as_plain_keep_text_as_written():
    from designer.rich_text import as_plain, escape

    assert shown(escape(HOSTILE), Qt.RichText) == HOSTILE
    assert shown(as_plain(HOSTILE)) == HOSTILE
    assert as_plain("plain text, 2 < 3") == "plain text, 2 < 3"  # left alone
    assert shown(as_plain("a <b>b</b>\nc")) == "a <b>b</b>\nc"  # lines kept


def test_an_ampersand_in_a_name_stays_in_the_undo_menu_item(window):
    """Menus read "&" as a shortcut mark: "a & b" showed as "a  b"."""
    layer = window.editor.doc.layers[0].id
    assert window.editor.rename(layer, "a & b") is None
    window.editor.add_layer("Dense", (300.0, 0.0))  # so the next rename is a step of its own
    assert window.editor.rename(layer, "c") is None  # "Rename 'a & b'"
    text = window.action_undo.text()
    assert text.startswith("&Undo ") and "a && b" in text
    assert "a & b" in window.action_undo.toolTip()
