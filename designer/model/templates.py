"""Starting designs for File > New, built only from layer types the registry has.

A template names each layer by the types it may be registered as (engineers may call
max pooling ``MaxPool2D`` or ``MaxPooling2D``) and the settings it wishes for; settings
the registered type does not declare are dropped, so the template follows the schema.
A template whose types are missing, or whose result does not infer, is offered disabled
with the reason instead of being faked.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.errors import ConfigError
from .inference import safe_infer_shapes as infer_shapes
from engine.layers import layer_class
from engine.spec import EdgeSpec, LayerSpec, NetworkSpec

from .layout import layered_layout

# (names the type may be registered under, wished settings)
_Step = tuple[tuple[str, ...], dict]

_CONV = ("Conv2D", "Conv2d", "Convolution2D")
_POOL = ("MaxPool2D", "MaxPooling2D", "MaxPool2d")
_LSTM = ("LSTM",)
_CONV_T = ("Conv2DTranspose", "ConvTranspose2d")
_UPSAMPLE = ("UpSampling2D", "Upsample")
_CONV1D = ("Conv1D", "Conv1d", "Convolution1D")
_POOL1D = ("MaxPool1D", "MaxPooling1D", "MaxPool1d")

_RECIPES: dict[str, tuple[str, str, list[_Step]]] = {
    "blank": ("Blank", "Just an Input layer: build the rest yourself.", [
        (("Input",), {"shape": [2], "kind": "features"}),
    ]),
    "mlp": ("MLP classifier", "Input (64 features) -> Dense 64 -> Dense 10 softmax.", [
        (("Input",), {"shape": [64], "kind": "features"}),
        (("Dense",), {"units": 64, "activation": "relu"}),
        (("Dropout",), {"rate": 0.2}),
        (("Dense",), {"units": 10, "activation": "softmax"}),
    ]),
    "cnn": ("CNN for images", "28x28 grey images -> two conv/pool blocks -> Dense -> 10 classes.", [
        (("Input",), {"shape": [1, 28, 28], "kind": "image"}),
        (_CONV, {"filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"}),
        (_POOL, {"pool_size": 2}),
        (_CONV, {"filters": 32, "kernel_size": 3, "padding": "same", "activation": "relu"}),
        (_POOL, {"pool_size": 2}),
        (("Flatten",), {}),
        (("Dense",), {"units": 64, "activation": "relu"}),
        (("Dense",), {"units": 10, "activation": "softmax"}),
    ]),
    "autoencoder": ("Autoencoder", "28x28 grey images -> strided convolutions down to a "
                    "7x7x8 code -> Conv2DTranspose and UpSampling2D back to 28x28; the "
                    "target is the input itself (MNIST, 'Reconstruct the input').", [
        (("Input",), {"shape": [1, 28, 28], "kind": "image"}),
        (_CONV, {"filters": 16, "kernel_size": 3, "stride": 2, "padding": "same",
                 "activation": "relu"}),
        (_CONV, {"filters": 8, "kernel_size": 3, "stride": 2, "padding": "same",
                 "activation": "linear"}),
        (_CONV_T, {"filters": 16, "kernel_size": 3, "stride": 2, "padding": 1,
                   "output_padding": 1, "activation": "relu"}),
        (_UPSAMPLE, {"size": [2, 2]}),
        (_CONV, {"filters": 1, "kernel_size": 3, "padding": "same", "activation": "sigmoid"}),
    ]),
    "lstm": ("LSTM for sequences", "Sequences of 30 steps x 1 value -> LSTM 32 -> one number.", [
        (("Input",), {"shape": [30, 1], "kind": "sequence"}),
        (_LSTM, {"units": 32}),
        (("Dense",), {"units": 1, "activation": "linear"}),
    ]),
    "transformer": ("Transformer for text", "64 tokens -> Embedding + PositionEmbedding -> "
                    "causal self-attention and a feed-forward block, each with a residual "
                    "Add -> the next token at every step.", [
        (("Input",), {"shape": [64], "kind": "tokens"}),
        (("Embedding",), {"vocab_size": 100, "dim": 64}),
        (("PositionEmbedding",), {"max_len": 64}),
        (("MultiHeadAttention",), {"heads": 4, "causal": True}),
        (("Add",), {}),
        (("Dense",), {"units": 128, "activation": "relu"}),
        (("Dense",), {"units": 64, "activation": "linear"}),
        (("Add",), {}),
        (("Dense",), {"units": 100, "activation": "softmax"}),
    ]),
    "cnn1d": ("1-D CNN for time series", "Signals of 128 steps x 1 channel -> two conv/pool "
              "blocks -> the strongest response of each filter -> 6 classes.", [
        (("Input",), {"shape": [128, 1], "kind": "sequence"}),
        (_CONV1D, {"filters": 32, "kernel_size": 7, "padding": "same", "activation": "relu"}),
        (_POOL1D, {"pool_size": 2}),
        (_CONV1D, {"filters": 64, "kernel_size": 5, "padding": "same", "activation": "relu"}),
        (("GlobalMaxPool1D",), {}),
        (("Dense",), {"units": 6, "activation": "softmax"}),
    ]),
    "residual": ("Residual network", "64 features -> Dense 64 -> a residual block (two Dense "
                 "layers whose output is added to the block's input) -> 10 classes.", [
        (("Input",), {"shape": [64], "kind": "features"}),
        (("Dense",), {"units": 64, "activation": "relu"}),
        (("Dense",), {"units": 64, "activation": "relu"}),
        (("Dense",), {"units": 64, "activation": "linear"}),
        (("Add",), {}),
        (("Activation",), {"activation": "relu"}),
        (("Dense",), {"units": 10, "activation": "softmax"}),
    ]),
}
# Edges beyond the chain, as (from step, to step): the residual connections.
_SKIPS: dict[str, tuple[tuple[int, int], ...]] = {
    "transformer": ((2, 4), (4, 7)),
    "residual": ((1, 4),),
}
SKIP_LANE = 150.0  # how far below the chain the layers a skip jumps over are drawn


# Data a template comes with, when it only makes sense with its own kind of target.
_DATA = {"autoencoder": {"source": "builtin", "name": "mnist", "reconstruct": True}}


@dataclass
class Template:
    key: str
    title: str
    description: str
    spec: NetworkSpec | None        # None when unavailable
    layout: dict[str, tuple[float, float]]
    unavailable_reason: str = ""
    data: dict | None = None  # the data description it starts with (None: none yet)

    @property
    def available(self) -> bool:
        return self.spec is not None


def templates() -> list[Template]:
    return [build_template(key) for key in _RECIPES]


def build_template(key: str) -> Template:
    title, description, steps = _RECIPES[key]
    try:
        spec = _chain([_make_layer(names, wish, i) for i, (names, wish) in enumerate(steps)],
                      _SKIPS.get(key, ()))
    except LookupError as exc:
        return Template(key, title, description, None, {}, str(exc))
    # A lone Input is a fine start ("add layers after it" is advice, not a fault); a
    # layer that cannot take its input means the registered types differ from the recipe.
    errors = [info.error for info in infer_shapes(spec).layers.values() if info.error]
    if errors:
        return Template(key, title, description, None, {}, f"Not available: {errors[0].message}")
    data = dict(_DATA[key]) if key in _DATA else None
    return Template(key, title, description, spec,
                    _lowered(spec, layered_layout(spec), key), data=data)


def _lowered(spec: NetworkSpec, layout: dict, key: str) -> dict:
    """The layers a skip connection jumps over, one lane down, so its edge runs above
    them instead of through them."""
    for a, b in _SKIPS.get(key, ()):
        for layer in spec.layers[a + 1:b]:
            x, y = layout[layer.id]
            layout[layer.id] = (x, y + SKIP_LANE)
    return layout


def _make_layer(names: tuple[str, ...], wish: dict, index: int) -> LayerSpec:
    cls = _first_registered(names)
    config = {}
    for key, value in wish.items():
        if key not in cls.schema.names():
            continue
        try:
            cls.schema.get(key).validate(value)
        except ConfigError:
            continue  # the type's own default is better than a refused wish
        config[key] = value
    config = cls.schema.validate(config)
    layer_id = f"{cls.type_name.lower()}_{index + 1}"
    return LayerSpec(layer_id, cls.type_name, layer_id,
                     {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()})


def _first_registered(names: tuple[str, ...]):
    for name in names:
        try:
            return layer_class(name)
        except ConfigError:
            continue
    raise LookupError(f"Needs a {names[0]} layer, which this NeuroCanvas does not have yet")


def _chain(layers: list[LayerSpec], skips=()) -> NetworkSpec:
    edges = tuple(EdgeSpec(a.id, b.id) for a, b in zip(layers, layers[1:]))
    edges += tuple(EdgeSpec(layers[a].id, layers[b].id) for a, b in skips)
    return NetworkSpec(tuple(layers), edges)
