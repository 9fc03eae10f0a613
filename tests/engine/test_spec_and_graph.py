"""The network description and graph checks: typed errors that name the place."""
import json

import pytest

from engine.errors import GraphError, ShapeError, SpecError
from engine.graph import check_network, infer_shapes
from engine.spec import NetworkSpec

from .helpers import chain_spec


def _doc(layers, edges, version=1):
    return {"version": version, "layers": layers, "edges": edges}


INPUT = {"id": "in", "type": "Input", "name": "input", "config": {"shape": [4]}}


def _dense(i, units=3, name=None):
    return {"id": i, "type": "Dense", "name": name or i, "config": {"units": units}}


def test_json_round_trip_is_identical():
    spec = chain_spec((4,), [("Dense", {"units": 8}), ("Dropout", {"rate": 0.1}),
                             ("Dense", {"units": 2, "activation": "softmax"})])
    again = NetworkSpec.from_json(spec.to_json())
    assert again == spec
    assert json.loads(again.to_json()) == json.loads(spec.to_json())


@pytest.mark.parametrize("doc,match,where", [
    ("{not json", "not valid JSON", "line 1"),
    (json.dumps(_doc([INPUT], [], version=9)), "version 9 is unknown", "design.version"),
    (json.dumps({"layers": []}), "version: missing", "design.version"),
    (json.dumps(_doc([INPUT, {"id": "x", "type": "Magic"}], [])), "unknown layer type 'Magic'",
     "design.layers[1].config"),
    (json.dumps(_doc([INPUT, {"id": "in", "type": "Dense"}], [])), "used twice", "design.layers[1].id"),
    (json.dumps(_doc([INPUT, _dense("d")], [{"from": "in", "to": "nope"}])), "no layer has id 'nope'",
     "design.edges[0].to"),
    (json.dumps(_doc([INPUT, {"id": "d", "type": "Dense", "config": {"units": -2}}], [])),
     "Units must be at least 1", "design.layers[1].config"),
    (json.dumps(_doc([INPUT, {"id": "d", "type": "Dense", "config": {"colour": 1}}], [])),
     "unknown setting 'colour'", "design.layers[1].config"),
    (json.dumps(_doc([{"id": "in", "type": "Input", "config": {"shape": [1, 8, 8], "kind": "features"}}], [])),
     "features input has shape", "design.layers[0].config"),
])
def test_malformed_documents_raise_spec_errors_naming_the_place(doc, match, where):
    with pytest.raises(SpecError, match=match) as info:
        NetworkSpec.from_json(doc)
    assert info.value.where == where


def _spec(layers, edges):
    return NetworkSpec.from_dict(_doc(layers, edges))


def test_cycle_dangling_layer_and_fan_in_are_graph_errors_naming_layers():
    cyc = _spec([INPUT, _dense("a"), _dense("b")],
                [{"from": "in", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "a"}])
    with pytest.raises(GraphError, match="form a cycle") as info:
        check_network(cyc)
    assert set(info.value.layers) >= {"a", "b"}

    dangling = _spec([INPUT, _dense("a"), _dense("lost")], [{"from": "in", "to": "a"}])
    report = infer_shapes(dangling)
    assert any("'lost' has no input" in str(p) for p in report.problems)
    assert report.problems_for("lost")

    two = _spec([INPUT, _dense("a"), _dense("b"), _dense("c")],
                [{"from": "in", "to": "a"}, {"from": "in", "to": "b"},
                 {"from": "a", "to": "c"}, {"from": "b", "to": "c"}])
    with pytest.raises(GraphError, match="takes one input but 2 are connected") as info:
        check_network(two)
    assert info.value.layers == ("c",)


def test_missing_or_duplicate_input_and_two_outputs():
    with pytest.raises(GraphError, match="no Input layer"):
        check_network(_spec([_dense("a")], []))
    twin = dict(INPUT, id="in2", name="other")
    with pytest.raises(GraphError, match="2 Input layers"):
        check_network(_spec([INPUT, twin, _dense("a")], [{"from": "in", "to": "a"},
                                                         {"from": "in2", "to": "a"}]))
    with pytest.raises(GraphError, match="2 outputs"):
        check_network(_spec([INPUT, _dense("a"), _dense("b")],
                            [{"from": "in", "to": "a"}, {"from": "in", "to": "b"}]))


def test_shape_messages_a_person_can_act_on():
    spec = chain_spec((16, 7, 7), [("Dense", {"units": 4})], kind="image")
    with pytest.raises(ShapeError, match=r"Dense 'dense0' needs a vector but receives "
                                         r"\(16, 7, 7\): add a Flatten before it"):
        check_network(spec)
    bad = chain_spec((12,), [("Reshape", {"target_shape": [5, 3]})])
    with pytest.raises(ShapeError, match=r"cannot turn \(12,\) \(12 values\) into \(5, 3\)"):
        check_network(bad)


def test_branches_merge_with_add_and_concatenate():
    layers = [INPUT, _dense("a", 8), _dense("b", 8), {"id": "add", "type": "Add", "name": "add"},
              _dense("c", 5), {"id": "cat", "type": "Concatenate", "name": "cat"}]
    edges = [{"from": "in", "to": "a"}, {"from": "in", "to": "b"}, {"from": "a", "to": "add"},
             {"from": "b", "to": "add"}, {"from": "add", "to": "c"}, {"from": "c", "to": "cat"},
             {"from": "a", "to": "cat"}]
    report = check_network(_spec(layers, edges))
    assert report.layers["add"].output_shape == (8,)
    assert report.output_shape == (13,)
    assert report.total_params == 2 * (4 * 8 + 8) + (8 * 5 + 5)
    bad = [dict(l) for l in layers]
    bad[2] = _dense("b", 6)
    with pytest.raises(ShapeError, match=r"one shape but receives \(8,\) and \(6,\)"):
        check_network(_spec(bad, edges))


def test_errors_downstream_of_a_problem_stay_unknown_not_blamed():
    spec = chain_spec((3, 4, 4), [("Dense", {"units": 4}), ("Dense", {"units": 2})], kind="image")
    report = infer_shapes(spec)
    assert [p.where for p in report.problems] == ["l0"]
    assert report.layers["l1"].output_shape is None and report.layers["l1"].error is None


def test_500_layer_inference_covers_every_layer():
    layers = [("Dense", {"units": 8, "activation": "relu"})] * 500
    report = infer_shapes(chain_spec((8,), layers))
    assert report.ok and len(report.order) == 501
    assert report.total_params == 500 * (8 * 8 + 8)


def test_merge_layers_without_inputs_are_reported_not_crashed_on():
    lone = [INPUT, _dense("a"), {"id": "add", "type": "Add", "name": "add"},
            {"id": "cat", "type": "Concatenate", "name": "cat"}]
    report = infer_shapes(_spec(lone, [{"from": "in", "to": "a"}]))
    assert any("'add' has no input" in str(p) for p in report.problems)
    assert any("'cat' has no input" in str(p) for p in report.problems)
    assert report.layers["a"].output_shape == (3,)


def test_connection_rules_live_in_the_engine_and_say_why():
    from engine.graph import can_connect, check_connect

    spec = NetworkSpec.from_dict(_doc(
        [INPUT, _dense("a"), _dense("b"), {"id": "c", "type": "Conv2D", "name": "conv",
                                           "config": {"filters": 2}}],
        [{"from": "in", "to": "a"}, {"from": "a", "to": "b"}]))
    assert can_connect(spec, "a", "a") == "A layer cannot feed itself"
    assert "already feeds" in can_connect(spec, "in", "a")
    assert "takes no inputs" in can_connect(spec, "a", "in")
    assert "would make a loop" in can_connect(spec, "b", "a")
    assert "takes 1 input and already receives 'a'" in can_connect(spec, "in", "b")
    assert can_connect(spec, "b", "c", check_shapes=False) is None
    with pytest.raises(ShapeError):  # a Dense's (3,) into a Conv2D
        check_connect(spec, "b", "c")
    with pytest.raises(GraphError):
        check_connect(spec, "a", "missing")
