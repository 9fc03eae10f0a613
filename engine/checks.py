"""Does the design fit its data? Checks beyond shapes, each with the fix when it is plain.

Shape inference (``graph.py``) knows only the design. These checks also know the data
(``dataset_info`` of the prepared data: task, classes, sample and target shapes, the
vocabulary) and the training settings: the output's units against the classes or
targets, the output activation against the loss, the Input against the samples, an
Embedding's vocabulary against the token ids, and data chosen at all. A 10-unit softmax
on 3-class data used to pass every check, train, and export 10 columns.

``fit_problems`` returns them in order; ``make_job`` refuses a run on the first one that
would make training wrong (not merely unusual). The window lists them all in the Summary
with a button for each ``Fix``: one setting of one layer, applied as one undo step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .graph import ShapeReport
from .layers import fmt_shape
from .spec import NetworkSpec


@dataclass(frozen=True)
class Fix:
    layer_id: str
    key: str
    value: Any
    label: str  # what the button says: "Set units to 3"


@dataclass(frozen=True)
class FitProblem:
    message: str
    layer_id: str | None = None
    fix: Fix | None = None
    blocks_training: bool = True  # False: worth a look, but a run would be right
    kind: str = "fit"  # "no_data" when the project has no data yet


def fit_problems(spec: NetworkSpec, report: ShapeReport, info: dict | None,
                 loss: str = "auto", has_data: bool = True) -> list[FitProblem]:
    """What does not fit between the design and the data ``info`` describes (None: the
    data is not loaded yet, or there is none when ``has_data`` is False)."""
    if not has_data:
        return [FitProblem("No data chosen yet: choose a data set or a file in the Data "
                           "tab, then the design can be checked against it.", kind="no_data",
                           blocks_training=True)]
    if info is None or not report.ok or report.output_id is None:
        return []
    problems = _input_problems(spec, report, info) + _embedding_problems(spec, info)
    problems += _output_problems(spec, report, info)
    problems += _activation_problems(spec, report, info, loss)
    problems += _look_ahead_problems(spec, info)
    return problems


def _layer(spec: NetworkSpec, layer_id: str):
    return next(layer for layer in spec.layers if layer.id == layer_id)


def _input_problems(spec, report, info) -> list[FitProblem]:
    want = tuple(report.layers[report.input_id].output_shape or ())
    have = tuple(info["sample_shape"])
    if want == have:
        return []
    name = _layer(spec, report.input_id).name
    return [FitProblem(f"The Input layer '{name}' takes {fmt_shape(want)} but the data's "
                       f"samples are {fmt_shape(have)}.", report.input_id,
                       Fix(report.input_id, "shape", list(have),
                           f"Set its shape to {fmt_shape(have)}"))]


def _embedding_problems(spec, info) -> list[FitProblem]:
    vocabulary = len(info.get("vocabulary") or ())
    out = []
    for layer in spec.layers:
        size = layer.config.get("vocab_size")
        if layer.type == "Embedding" and vocabulary and size is not None and size < vocabulary:
            out.append(FitProblem(
                f"The Embedding '{layer.name}' has {size} token ids but the data uses "
                f"{vocabulary}: ids from {size} on would have no vector.", layer.id,
                Fix(layer.id, "vocab_size", vocabulary, f"Set vocab_size to {vocabulary}")))
    return out


def _wanted_units(info) -> tuple[int | None, str]:
    """The output units the data calls for, and the words for them."""
    if info["task"] == "classification":
        k = int(info["n_classes"] or 0)
        return (k or None), f"{k} classes"
    target = tuple(info["target_shape"])
    want = target[-1] if target else 1
    return want, f"{want} target value{'s' if want != 1 else ''} per sample"


def _output_problems(spec, report, info) -> list[FitProblem]:
    target = tuple(info["target_shape"])
    if info["task"] != "classification" and len(target) > 1:
        return _target_shape_problems(spec, report, target)
    units = (report.output_shape or (0,))[-1]
    want, words = _wanted_units(info)
    if info["task"] == "classification" and want == 1:  # "set units to 1" fixes nothing
        return [FitProblem("Every sample of the data is of one class: a classifier needs "
                           "at least two classes to tell apart (for numbers to predict, "
                           "set the data's Task to regression).", report.output_id)]
    if want is None or units == want or (info["task"] == "classification" and want == 2
                                         and units == 1):
        return []  # (one sigmoid unit is a binary classifier)
    layer = _layer(spec, report.output_id)
    fix = (Fix(layer.id, "units", want, f"Set units to {want}")
           if "units" in layer.config else None)
    return [FitProblem(f"The output layer '{layer.name}' gives {units} values per sample "
                       f"but the data has {words}: its predictions would not match the "
                       f"targets.", layer.id, fix)]


def _target_shape_problems(spec, report, target) -> list[FitProblem]:
    """Targets with more than one axis (an image to reconstruct, a value per step): the
    whole output shape must be theirs; which layer to change is the designer's call."""
    out = tuple(report.output_shape or ())
    if out == target:
        return []
    layer = _layer(spec, report.output_id)
    return [FitProblem(f"The output layer '{layer.name}' gives {fmt_shape(out)} per sample "
                       f"but the data's targets are {fmt_shape(target)}: the network must "
                       f"end in that shape.", layer.id)]


def _bounded_targets(info) -> tuple[str, ...]:
    """A sigmoid output when every target lies in [0, 1] (reconstructed pixels), as
    ``target_range`` records for reconstruction targets."""
    low, high = info.get("target_range") or (float("-inf"), float("inf"))
    return ("sigmoid",) if low >= 0.0 and high <= 1.0 else ()


def _activation_problems(spec, report, info, loss) -> list[FitProblem]:
    layer = _layer(spec, report.output_id)
    activation = layer.config.get("activation")
    if activation is None:
        return []
    units = (report.output_shape or (0,))[-1]
    classify = info["task"] == "classification"
    fine: tuple[str, ...]
    if classify and units == 1:
        fine, best = ("sigmoid", "linear"), "sigmoid"
        why = "a binary classifier's one output is a probability"
    elif classify:
        fine, best = ("softmax", "linear"), "softmax"
        why = "cross-entropy reads the outputs as class scores"
    else:
        fine, best = ("linear", "relu", "leaky_relu", "tanh", "gelu"), "linear"  # (sigmoid,
        # softmax: squeezed into (0, 1) or summing to 1, they cannot follow the targets,
        # unless the targets are known to lie in that range)
        fine += _bounded_targets(info)
        why = "a regression's outputs must be able to reach the targets"
    if activation in fine or (loss not in ("auto", "mse", "mae") and not classify):
        return []
    return [FitProblem(f"The output layer '{layer.name}' ends in {activation}, but {why}: "
                       f"use {best}.", layer.id,
                       Fix(layer.id, "activation", best, f"Set activation to {best}"),
                       blocks_training=False)]


def _look_ahead_problems(spec, info) -> list[FitProblem]:
    """Next-token data (a token's target is a token of the same vocabulary, at every
    step): attention that is not causal, or a recurrent layer that also reads backwards,
    lets step t see token t + 1, its own answer; the loss falls and nothing is learned."""
    vocabulary = list(info.get("vocabulary") or ())
    if not (info.get("input_kind") == "tokens" and vocabulary
            and list(info.get("class_names") or ()) == vocabulary
            and list(info["target_shape"]) == list(info["sample_shape"])):
        return []
    out = []
    for layer in spec.layers:
        if layer.type == "MultiHeadAttention" and not layer.config.get("causal"):
            out.append(FitProblem(
                f"The MultiHeadAttention '{layer.name}' is not causal, but the data asks for "
                f"the next token at every step: each step would see its answer (the next "
                f"input token) and learn nothing.", layer.id,
                Fix(layer.id, "causal", True, "Make it causal"), blocks_training=False))
        if layer.config.get("bidirectional"):
            out.append(FitProblem(
                f"The {layer.type} '{layer.name}' reads in both directions, but the data "
                f"asks for the next token at every step: its backward half would see the "
                f"answer.", layer.id,
                Fix(layer.id, "bidirectional", False, "Read forwards only"),
                blocks_training=False))
    return out
