"""File > New › Transformer for text: a valid design with its two residual Adds."""
from designer.model.templates import build_template
from engine.graph import check_network


def test_transformer_template_is_a_causal_attention_block_with_residuals():
    template = build_template("transformer")
    assert template.available, template.unavailable_reason
    spec = template.spec
    report = check_network(spec)
    assert report.ok and report.output_shape == (64, 100)
    types = {layer.id: layer.type for layer in spec.layers}
    adds = [i for i, t in types.items() if t == "Add"]
    assert len(adds) == 2
    assert all(len(spec.inputs_of(a)) == 2 for a in adds)  # the residual connections
    attention = next(layer for layer in spec.layers if layer.type == "MultiHeadAttention")
    assert attention.config["causal"] is True
    assert set(template.layout) == set(types)
