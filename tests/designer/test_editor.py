"""The document, commands and editor without widgets: every edit undoes to the exact start."""
import pytest

from designer.editor import Editor
from designer.model.templates import build_template, templates
from engine.spec import EdgeSpec


@pytest.fixture
def editor(qapp):
    ed = Editor()
    ed.load(build_template("blank").spec)
    return ed


def chain(editor, *types):
    """Add layers after the Input, each connected from the previous; returns their ids."""
    ids = [editor.doc.layer_ids()[0]]
    for i, type_name in enumerate(types):
        ids.append(editor.add_layer(type_name, (200.0 * (i + 1), 0.0), after=ids[-1]))
    return ids


def test_long_sequence_undoes_to_the_exact_start_and_redoes_to_the_end(editor):
    start = editor.doc.spec().to_dict()
    start_positions = editor.doc.positions()
    ids = chain(editor, "Dense", "Dense", "Activation")
    editor.set_setting(ids[1], "units", 16)
    editor.set_setting(ids[1], "activation", "tanh")
    editor.rename(ids[2], "hidden")
    extra = editor.add_layer("Dense", (50.0, 300.0))
    assert editor.connect(ids[0], extra) is None
    editor.move({ids[1]: (editor.doc.position(ids[1]), (5.0, 6.0))})
    editor.duplicate([ids[1], ids[2]])
    editor.delete([ids[2]])
    editor.arrange()
    end = editor.doc.spec().to_dict()
    end_positions = editor.doc.positions()
    assert editor.stack.count() >= 10
    while editor.stack.canUndo():
        editor.stack.undo()
    assert editor.doc.spec().to_dict() == start
    assert editor.doc.positions() == start_positions
    while editor.stack.canRedo():
        editor.stack.redo()
    assert editor.doc.spec().to_dict() == end
    assert editor.doc.positions() == end_positions


def test_delete_removes_edges_and_undo_restores_order(editor):
    a = editor.doc.layer_ids()[0]
    left = editor.add_layer("Dense", (200, -100), after=a)
    right = editor.add_layer("Dense", (200, 100), after=a)
    join = editor.add_layer("Concatenate", (400, 0), after=left)
    assert editor.connect(right, join) is None
    tail = editor.add_layer("Dense", (600, 0), after=join)
    before_layers = editor.doc.layer_ids()
    before_edges = editor.doc.edges
    editor.delete([left])
    assert left not in editor.doc.layer_ids()
    assert all(left not in (e.source, e.target) for e in editor.doc.edges)
    assert editor.stack.undoText() == "Delete 1 layer"
    editor.stack.undo()
    assert editor.doc.layer_ids() == before_layers
    assert editor.doc.edges == before_edges  # Concatenate's input order too
    editor.delete([left, join])  # a shared edge must be removed once only
    editor.stack.undo()
    assert editor.doc.edges == before_edges
    assert tail in editor.doc.layer_ids()


def test_invalid_connections_are_refused_with_a_reason(editor):
    a, d1, d2 = chain(editor, "Dense", "Dense")
    assert "loop" in editor.connect(d2, d1)
    assert "takes no inputs" in editor.connect(d1, a)
    assert "already" in editor.connect(a, d1)
    assert "itself" in editor.connect(d1, d1)
    reshape = editor.add_layer("Reshape", (0, 300))
    editor.set_setting(reshape, "target_shape", [7])
    problem = editor.connect(d2, reshape)
    assert problem and "cannot turn" in problem
    assert not editor.doc.has_edge(d2, reshape)


def test_setting_edits_merge_and_bad_values_are_refused(editor):
    _, dense = chain(editor, "Dense")
    depth = editor.stack.count()
    for units in (1, 12, 128):
        assert editor.set_setting(dense, "units", units) is None
    assert editor.stack.count() == depth + 1
    assert "at least 1" in editor.set_setting(dense, "units", 0)
    assert "one of" in editor.set_setting(dense, "activation", "nope")
    assert editor.doc.layer(dense).config["units"] == 128
    editor.doc.refresh_report()
    assert editor.doc.report.layers[dense].output_shape == (128,)
    editor.stack.undo()
    assert editor.doc.layer(dense).config["units"] == 64


def test_moving_five_layers_is_one_step(editor):
    ids = chain(editor, "Dense", "Dense", "Dense", "Dense")
    depth = editor.stack.count()
    editor.move({i: (editor.doc.position(i), (editor.doc.position(i)[0], 99.0)) for i in ids})
    assert editor.stack.count() == depth + 1
    assert editor.stack.undoText() == "Move 5 layers"


def test_insert_into_edge_keeps_merge_input_order(editor):
    a = editor.doc.layer_ids()[0]
    left = editor.add_layer("Dense", (200, -100), after=a)
    right = editor.add_layer("Dense", (200, 100), after=a)
    join = editor.add_layer("Add", (400, 0), after=left)
    editor.connect(right, join)
    new = editor.insert_into_edge("Activation", left, join, (300, -50))
    assert editor.doc.spec().inputs_of(join) == [new, right]
    editor.stack.undo()
    assert editor.doc.spec().inputs_of(join) == [left, right]


def test_paste_of_junk_does_nothing(editor):
    depth = editor.stack.count()
    assert editor.paste("not json") == []
    assert editor.paste('{"version": 1, "layers": [{"id": 3}]}') == []
    assert editor.stack.count() == depth


def test_pasted_positions_qt_cannot_draw_are_brought_into_the_canvas(editor):
    text = ('{"version": 1, "layers": [{"id": "a", "type": "Dense", "name": "a", "config": '
            '{"units": 2}}, {"id": "b", "type": "Dense", "name": "b", "config": {"units": 2}}],'
            ' "edges": [], "positions": {"a": [NaN, Infinity], "b": [-1e308, 1e999]}}')
    pasted = editor.paste(text)
    assert len(pasted) == 2
    for layer_id in pasted:
        x, y = editor.doc.position(layer_id)
        assert abs(x) <= 1e6 + 100 and abs(y) <= 1e6 + 100  # the paste offset on top


def test_templates_use_only_registered_types():
    for template in templates():
        if template.available:
            assert template.spec.layers
        else:
            assert template.unavailable_reason
    assert build_template("mlp").available


def test_report_refreshes_once_per_burst(editor, qtbot):
    a, d = chain(editor, "Dense")
    editor.doc.refresh_report()
    with qtbot.waitSignal(editor.doc.report_changed, timeout=1000):
        editor.delete([d])
    assert EdgeSpec(a, d) not in editor.doc.edges


def test_an_engine_failure_in_inference_becomes_a_problem_not_a_crash(monkeypatch):
    import designer.model.inference as mod
    from engine.spec import NetworkSpec

    def broken(spec):
        raise IndexError("boom")

    monkeypatch.setattr(mod, "infer_shapes", broken)
    report = mod.safe_infer_shapes(NetworkSpec())
    assert not report.ok and "internal error: IndexError: boom" in str(report.problems[0])


def test_the_1d_cnn_and_residual_templates_build_and_infer():
    from designer.model.inference import safe_infer_shapes

    cnn1d, residual = build_template("cnn1d"), build_template("residual")
    assert cnn1d.available and residual.available
    assert [l.type for l in cnn1d.spec.layers] == ["Input", "Conv1D", "MaxPool1D", "Conv1D",
                                                   "GlobalMaxPool1D", "Dense"]
    report = safe_infer_shapes(cnn1d.spec)
    assert report.ok and report.output_shape == (6,)
    add = next(l for l in residual.spec.layers if l.type == "Add")
    sources = [e.source for e in residual.spec.edges if e.target == add.id]
    assert sources == ["dense_4", "dense_2"]  # the block's output and the skip connection
    assert safe_infer_shapes(residual.spec).ok
    # The skip edge runs above the block's layers, not through them.
    assert residual.layout["dense_3"][1] > residual.layout["dense_2"][1] == \
        residual.layout["add_5"][1]
