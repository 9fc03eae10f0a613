"""Build a network through the real widgets: palette drops, port drags, keys, undo."""
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from engine.layers import layer_types
from designer.panels.palette import LAYER_MIME_TYPE, layer_type_from_mime

from .conftest import drag, drop_layer, flush


def input_id(win):
    return win.editor.doc.layer_ids()[0]


def port_pos(win, layer_id, kind):
    node = win.canvas.canvas_scene.node(layer_id)
    return (node.in_port if kind == "in" else node.out_port).scenePos()


def test_palette_lists_every_registered_type_with_help_and_mime(window):
    palette = window.palette
    names = [i.text(0) for i in palette.type_items()]
    assert sorted(names) == sorted(cls.type_name for cls in layer_types())
    dense = palette.item_for("Dense")
    assert "Fully connected" in dense.toolTip(0)
    mime = palette.tree.mimeData([dense])
    assert mime.hasFormat(LAYER_MIME_TYPE)
    assert layer_type_from_mime(mime) == "Dense"
    palette.search.setText("nonlinearity")
    visible = [i.text(0) for i in palette.type_items() if not i.isHidden()]
    assert visible == ["Activation"]


def test_drop_creates_a_layer_at_the_drop_point(window):
    doc = window.editor.doc
    drop_layer(window.canvas, "Dense", QPointF(400, 60))
    new = doc.layer_ids()[-1]
    assert doc.layer(new).type == "Dense"
    node = window.canvas.canvas_scene.node(new)
    assert node.sceneBoundingRect().contains(QPointF(400, 60))
    assert window.editor.stack.undoText() == "Add Dense"


def test_connect_by_dragging_between_ports_and_shapes_follow_the_inspector(window, qtbot):
    doc, view = window.editor.doc, window.canvas
    drop_layer(view, "Dense", QPointF(400, 60))
    drop_layer(view, "Dense", QPointF(700, 60))
    first, second = doc.layer_ids()[1:]
    drag(view, port_pos(window, input_id(window), "out"), port_pos(window, first, "in"))
    drag(view, port_pos(window, first, "out"), port_pos(window, second, "in"))
    assert [(e.source, e.target) for e in doc.edges] == [(input_id(window), first),
                                                        (first, second)]
    flush(doc)
    edge = view.canvas_scene.edge(first, second)
    assert edge.label == "64"
    window.editor.set_selection([first])
    units = window.inspector.fields["units"].widget
    units.setValue(12)
    flush(doc)
    assert doc.report.layers[first].output_shape == (12,)
    assert edge.label == "12"
    assert "(12,)" in window.summary.table.item(1, 2).text()


def test_an_invalid_connection_is_refused_and_says_why(window, qtbot):
    doc, view = window.editor.doc, window.canvas
    drop_layer(view, "Reshape", QPointF(400, 60))
    reshape = doc.layer_ids()[-1]
    window.editor.set_selection([reshape])
    shape_field = window.inspector.fields["target_shape"].widget
    shape_field.setText("7")
    shape_field.editingFinished.emit()
    assert doc.layer(reshape).config["target_shape"] == [7]
    messages = []
    view.canvas_scene.status_message.connect(messages.append)
    start, end = port_pos(window, input_id(window), "out"), port_pos(window, reshape, "in")
    QTest.mousePress(view.viewport(), Qt.LeftButton, Qt.NoModifier, view.mapFromScene(start))
    from .conftest import _mouse_move
    _mouse_move(view.viewport(), view.mapFromScene(end))
    target = view.canvas_scene.node(reshape).in_port
    assert target.state == "invalid"
    assert "cannot turn" in target.toolTip()
    QTest.mouseRelease(view.viewport(), Qt.LeftButton, Qt.NoModifier, view.mapFromScene(end))
    assert doc.edges == []
    assert messages and "cannot turn (2,)" in messages[-1]


def test_escape_cancels_a_connection_drag(window):
    doc, view = window.editor.doc, window.canvas
    drop_layer(view, "Dense", QPointF(400, 60))
    start = port_pos(window, input_id(window), "out")
    QTest.mousePress(view.viewport(), Qt.LeftButton, Qt.NoModifier, view.mapFromScene(start))
    QTest.keyClick(view.viewport(), Qt.Key_Escape)
    assert view.canvas_scene.interaction is None
    QTest.mouseRelease(view.viewport(), Qt.LeftButton, Qt.NoModifier,
                       view.mapFromScene(port_pos(window, doc.layer_ids()[-1], "in")))
    assert doc.edges == []


def test_dropping_on_an_edge_inserts_the_layer(window):
    doc, view = window.editor.doc, window.canvas
    drop_layer(view, "Dense", QPointF(700, 60))
    dense = doc.layer_ids()[-1]
    window.editor.connect(input_id(window), dense)
    edge = view.canvas_scene.edge(input_id(window), dense)
    middle = edge.path().pointAtPercent(0.5)
    drop_layer(view, "Dropout", middle)
    dropout = doc.layer_ids()[-1]
    assert doc.layer(dropout).type == "Dropout"
    assert [(e.source, e.target) for e in doc.edges] == [(dropout, dense),
                                                        (input_id(window), dropout)]


def test_moving_five_nodes_with_the_mouse_is_one_undo_step(window):
    editor, view = window.editor, window.canvas
    for i in range(4):
        editor.add_layer("Dense", (250.0 * (i + 1), 0.0))
    editor.set_selection(editor.doc.layer_ids())
    assert len(view.canvas_scene.selected_nodes()) == 5
    depth = editor.stack.count()
    before = editor.doc.positions()
    node = view.canvas_scene.node(input_id(window))
    grab = node.sceneBoundingRect().center() + QPointF(0, 12)
    drag(view, grab, grab + QPointF(40, 80))
    assert editor.stack.count() == depth + 1
    assert editor.stack.undoText() == "Move 5 layers"
    after = editor.doc.positions()
    assert all(after[i] != before[i] for i in before)
    editor.stack.undo()
    assert editor.doc.positions() == before
    assert view.canvas_scene.node(input_id(window)).pos().toTuple() == before[input_id(window)]


def test_keys_delete_duplicate_and_undo_restore_everything(window):
    editor, view = window.editor, window.canvas
    start = editor.doc.spec().to_dict()
    a = input_id(window)
    dense = editor.add_layer("Dense", (250.0, 0.0), after=a)
    tail = editor.add_layer("Activation", (500.0, 0.0), after=dense)
    built = editor.doc.spec().to_dict()
    view.setFocus()
    editor.set_selection([dense])
    QTest.keyClick(view.viewport(), Qt.Key_D, Qt.ControlModifier)
    assert len(editor.doc.layers) == 4
    editor.set_selection([dense])
    QTest.keyClick(view.viewport(), Qt.Key_Delete)
    assert not editor.doc.has_layer(dense) and editor.doc.spec().inputs_of(tail) == []
    QTest.keyClick(view.viewport(), Qt.Key_Z, Qt.ControlModifier)
    QTest.keyClick(view.viewport(), Qt.Key_Z, Qt.ControlModifier)
    assert editor.doc.spec().to_dict() == built
    while editor.stack.canUndo():
        QTest.keyClick(view.viewport(), Qt.Key_Z, Qt.ControlModifier)
    assert editor.doc.spec().to_dict() == start
    assert len(view.canvas_scene.nodes()) == 1 and not view.canvas_scene.edge_items()
    while editor.stack.canRedo():
        QTest.keyClick(view.viewport(), Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert len(editor.doc.layers) == 3  # duplicate, then delete: back to 3 layers


def test_double_click_in_palette_adds_after_the_selection_and_connects(window):
    editor = window.editor
    editor.set_selection([input_id(window)])
    item = window.palette.item_for("Dense")
    window.palette.tree.itemDoubleClicked.emit(item, 0)
    new = editor.doc.layer_ids()[-1]
    assert editor.doc.has_edge(input_id(window), new)
    assert editor.selection == [new]


def test_a_layer_whose_shape_fails_shows_the_error_colour_and_reason(window):
    editor, view = window.editor, window.canvas
    reshape = editor.add_layer("Reshape", (250.0, 0.0), after=input_id(window))
    flush(editor.doc)
    node = view.canvas_scene.node(reshape)
    assert "cannot turn" in node.error and "cannot turn" in node.toolTip()
    problems = window.summary.problems
    row = next(i for i in range(problems.count()) if "cannot turn" in problems.item(i).text())
    editor.set_selection([])
    problems.itemClicked.emit(problems.item(row))
    assert editor.selection == [reshape]


def test_zoom_and_fit(window):
    view = window.canvas
    view.resetTransform()
    QTest.keyClick(view.viewport(), Qt.Key_Plus, Qt.ControlModifier)
    assert view.zoom > 1.0
    QTest.keyClick(view.viewport(), Qt.Key_Minus, Qt.ControlModifier)
    QTest.keyClick(view.viewport(), Qt.Key_Minus, Qt.ControlModifier)
    assert view.zoom < 1.0
    view.fit_to_view()
    assert 0.1 <= view.zoom <= 1.0


def test_double_click_with_a_mid_chain_layer_selected_inserts_into_the_chain(window):
    """input -> a -> b, a selected: the new layer goes between a and b (not a dead-end
    branch on top of b), b moves right to make room, and one undo takes it all back."""
    editor = window.editor
    a = editor.add_layer("Dense", (260.0, 0.0), after=input_id(window))
    b = editor.add_layer("Dense", (520.0, 0.0), after=a)
    before = (editor.doc.positions(), [(e.source, e.target) for e in editor.doc.edges])
    depth = editor.stack.count()
    editor.set_selection([a])
    window.palette.tree.itemDoubleClicked.emit(window.palette.item_for("Dropout"), 0)
    new = editor.selection[0]
    assert editor.doc.has_edge(a, new) and editor.doc.has_edge(new, b)
    assert not editor.doc.has_edge(a, b)
    assert editor.doc.position(new)[0] > editor.doc.position(a)[0]
    assert editor.doc.position(b)[0] >= editor.doc.position(new)[0] + 260.0  # no overlap
    assert editor.stack.count() == depth + 1
    editor.undo()
    assert (editor.doc.positions(), [(e.source, e.target) for e in editor.doc.edges]) == before


def test_new_nodes_never_land_on_another(window):
    """A drop onto a node, and a double-click after a layer whose right is taken by a
    branch, place the new node below instead of on top."""
    doc, view = window.editor.doc, window.canvas
    drop_layer(view, "Dense", QPointF(400, 60))
    drop_layer(view, "Dense", QPointF(410, 70))  # onto the first
    window.editor.set_selection([input_id(window)])
    window.palette.layer_activated.emit("Dropout")  # after the Input: a second branch
    window.editor.set_selection([input_id(window)])
    window.palette.layer_activated.emit("Dropout")
    nodes = [window.canvas.canvas_scene.node(i).sceneBoundingRect() for i in doc.layer_ids()]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            assert not a.intersects(b), (a, b)


def test_the_design_fits_the_view_as_it_settles_until_the_user_zooms(qtbot, window):
    """The fit on open follows the view's size while the docks settle (a fit made
    before cut the design off); a zoom of the user's own is kept."""
    from designer.projects import EXAMPLES_DIR

    view = window.canvas
    window.resize(700, 600)  # small while the project opens, as before the docks settle
    qtbot.wait(20)
    assert window.projects.open_path(EXAMPLES_DIR / "digits_mlp.ncproj")
    qtbot.wait(20)
    before = view.zoom
    window.resize(1800, 1000)
    qtbot.wait(20)
    assert view.zoom > before  # fitted again to the room it now has
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    for node in view.canvas_scene.nodes():
        assert seen.contains(node.sceneBoundingRect()), node.layer_id
    view.zoom_in()
    zoom = view.zoom
    window.resize(1000, 700)
    qtbot.wait(20)
    assert view.zoom == zoom


def test_a_long_layer_type_is_cut_before_the_layer_name(qtbot):
    """The transformer example's nodes read "at..." and "po..." beside
    "MultiHeadAttention" and "PositionEmbedding": the name is what people read."""
    from designer.canvas.items import _font, header_texts

    title, small = _font(9.5, bold=True), _font(8)
    name, type_name, _ = header_texts("attention", "MultiHeadAttention", title, small)
    assert name == "attention" and type_name.endswith("\u2026")
    assert type_name.startswith("Multi")
    name, type_name, _ = header_texts("positions", "PositionEmbedding", title, small)
    assert name == "positions"
    assert header_texts("hidden", "Dense", title, small)[:2] == ("hidden", "Dense")
