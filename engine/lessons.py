"""The Learn menu's lessons: each one a short text (``resources/lessons/<key>.md``) and
the project it opens, a bundled example set up as the lesson needs.

A lesson may have several set-ups (``variants``): the first is what the lesson opens,
the others are what its text offers to switch to (links ``lesson:<key>/<variant>``),
for instance XOR without and then with a hidden layer. Every set-up starts from a
bundled example (``resources/examples``) and changes only what the lesson is about;
``tests/engine/test_lessons.py`` checks each claim a lesson makes on its own set-up.
No Qt here: the window (``designer/lessons.py``) shows the text and opens the project.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .errors import DataError
from .project import Project, load_project
from .resources import examples_dir, resources_dir
from .spec import NetworkSpec

SPACING = 230.0  # the examples' distance between layers on the canvas
SCHEME = "lesson"  # links in a lesson's text: lesson:<key>/<variant>


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    example: str  # the bundled example it starts from (its file's stem)
    variants: tuple[tuple[str, Callable[[Project], Project]], ...]  # (name, set-up)

    def variant_names(self) -> tuple[str, ...]:
        return tuple(name for name, _setup in self.variants)


def lessons_dir() -> Path:
    """The lessons' texts (``resources/lessons``; ``docs/lessons`` points here)."""
    return resources_dir() / "lessons"


def chain(input_shape, kind: str, layers, skips=()) -> tuple[NetworkSpec, dict]:
    """Input then ``(id, type, config)`` layers, each fed by the one before, laid out
    left to right (``resources/examples/make_examples.py`` builds the examples with it
    too); ``skips``: more edges (from, to), e.g. the second input of an Add (a residual
    connection)."""
    items = [{"id": "input", "type": "Input", "name": "input",
              "config": {"shape": list(input_shape), "kind": kind}}]
    edges, prev = [], "input"
    for layer_id, type_name, config in layers:
        items.append({"id": layer_id, "type": type_name, "name": layer_id, "config": config})
        edges.append({"from": prev, "to": layer_id})
        prev = layer_id
    edges += [{"from": a, "to": b} for a, b in skips]
    spec = NetworkSpec.from_dict({"version": 1, "layers": items, "edges": edges})
    return spec, {item["id"]: (i * SPACING, 0.0) for i, item in enumerate(items)}


def _with(project: Project, name: str, net=None, data=None, training=None) -> Project:
    """The example with a new design, data or settings, untrained."""
    spec, layout = chain(*net) if net is not None else (project.spec, project.layout)
    return replace(project, spec=spec, layout=layout, name=name,
                   data=dict(project.data if data is None else data),
                   training={**project.training, **(training or {})},
                   weights=None, history=[], preprocessing=None, checkpoint=None, notes=[])


def _dense(units: int, activation: str) -> dict:
    return {"units": units, "activation": activation}


# ---- the set-ups ----------------------------------------------------------------------
def single_neuron(p: Project) -> Project:
    """One sigmoid unit on two blobs: z = w₁x₁ + w₂x₂ + b, a = σ(z)."""
    return _with(p, "A single neuron",
                 net=((2,), "features", [("neuron", "Dense", _dense(1, "sigmoid"))]),
                 data={"source": "builtin", "name": "blobs",
                       "options": {"centers": 2, "spread": 1.0}},
                 training={"epochs": 40, "batch_size": 16, "optimizer": "sgd",
                           "learning_rate": 0.1, "momentum": 0.9})


XOR_TRAINING = {"epochs": 100, "batch_size": 16, "optimizer": "adam", "learning_rate": 0.02}


def xor_linear(p: Project) -> Project:
    return _with(p, "XOR without a hidden layer", training=XOR_TRAINING,
                 net=((2,), "features", [("output", "Dense", _dense(2, "softmax"))]))


def xor_hidden(p: Project) -> Project:
    return _with(p, "XOR with a hidden layer", training=XOR_TRAINING,
                 net=((2,), "features", [("hidden", "Dense", _dense(16, "tanh")),
                                         ("output", "Dense", _dense(2, "softmax"))]))


# Few training samples (20%, 360 digits) and many to validate on: the gap shows.
OVERFIT_DATA = {"source": "builtin", "name": "digits", "validation_split": 0.7,
                "test_split": 0.1}


def overfitting(p: Project) -> Project:
    """The digits MLP without dropout or weight decay, and half the data held out to
    validate: it learns the training split by heart."""
    return _with(p, "Overfitting", data=OVERFIT_DATA,
                 net=((64,), "features", [("hidden1", "Dense", _dense(256, "relu")),
                                          ("hidden2", "Dense", _dense(128, "relu")),
                                          ("output", "Dense", _dense(10, "softmax"))]),
                 training={"epochs": 60, "optimizer": "adam", "weight_decay": 0.0,
                           "learning_rate": 0.001, "schedule": "constant"})


def regularised(p: Project) -> Project:
    """The same with the example's dropout and early stopping."""
    return _with(p, "Overfitting, with dropout and early stopping", data=OVERFIT_DATA,
                 net=((64,), "features", [("hidden1", "Dense", _dense(256, "relu")),
                                          ("dropout1", "Dropout", {"rate": 0.4}),
                                          ("hidden2", "Dense", _dense(128, "relu")),
                                          ("dropout2", "Dropout", {"rate": 0.4}),
                                          ("output", "Dense", _dense(10, "softmax"))]),
                 training={"epochs": 60, "optimizer": "adam", "weight_decay": 0.0,
                           "learning_rate": 0.001, "schedule": "constant",
                           "early_stopping": True, "patience": 5})


def cnn_filters(p: Project) -> Project:
    """The CNN digits example, shorter: 15 epochs show the filters and maps."""
    return _with(p, "What CNN filters learn", training={"epochs": 15})


LENGTH = 50
# Not standardised, noise of std 3: big inputs drive tanh into saturation, where its
# slope 1 − tanh² is small, as in the long sequences vanishing gradients were seen in.
MEMORY_DATA = {"source": "builtin", "name": "remember_first", "normalize": "none",
               "options": {"n_samples": 600, "length": LENGTH, "noise": 3.0}}
MEMORY_TRAINING = {"epochs": 3, "batch_size": 32, "optimizer": "adam",
                   "learning_rate": 0.005, "clip_norm": 5.0}


def simple_rnn(p: Project) -> Project:
    return _with(p, "Vanishing gradients: SimpleRNN", data=MEMORY_DATA, training=MEMORY_TRAINING,
                 net=((LENGTH, 1), "sequence", [("rnn", "SimpleRNN", {"units": 32}),
                                            ("output", "Dense", _dense(2, "softmax"))]))


def lstm(p: Project) -> Project:
    return _with(p, "Vanishing gradients: LSTM", data=MEMORY_DATA, training=MEMORY_TRAINING,
                 net=((LENGTH, 1), "sequence", [("lstm", "LSTM", {"units": 32}),
                                            ("output", "Dense", _dense(2, "softmax"))]))


HIGH_LR, GOOD_LR = 0.5, 0.02


def lr_too_high(p: Project) -> Project:
    """The regression example with plain SGD at a learning rate far too high."""
    return _with(p, "A learning rate too high",
                 training={"optimizer": "sgd", "momentum": 0.9, "learning_rate": HIGH_LR,
                           "epochs": 30, "schedule": "constant"})


def lr_fine(p: Project) -> Project:
    return _with(p, "A learning rate that works",
                 training={"optimizer": "sgd", "momentum": 0.9, "learning_rate": GOOD_LR,
                           "epochs": 30, "schedule": "constant"})


LESSONS: tuple[Lesson, ...] = (
    Lesson("single_neuron", "A single neuron", "xor", (("neuron", single_neuron),)),
    Lesson("xor_hidden_layer", "XOR needs a hidden layer", "xor",
           (("linear", xor_linear), ("hidden", xor_hidden))),
    Lesson("overfitting", "Overfitting and the validation curve", "digits_mlp",
           (("overfit", overfitting), ("regularised", regularised))),
    Lesson("cnn_filters", "What CNN filters learn", "cnn_digits", (("cnn", cnn_filters),)),
    Lesson("vanishing_gradients", "Vanishing gradients: SimpleRNN vs LSTM", "gru_classifier",
           (("simple_rnn", simple_rnn), ("lstm", lstm))),
    Lesson("learning_rate", "A learning rate too high", "regression",
           (("too_high", lr_too_high), ("fine", lr_fine))),
)


def get_lesson(key: str) -> Lesson:
    for lesson in LESSONS:
        if lesson.key == key:
            return lesson
    raise DataError(f"There is no lesson {key!r}.")


def lesson_project(key: str, variant: str | None = None) -> Project:
    """The project a lesson opens (its first set-up, or ``variant``)."""
    lesson = get_lesson(key)
    setups = dict(lesson.variants)
    name = variant or lesson.variants[0][0]
    if name not in setups:
        raise DataError(f"The lesson {lesson.title!r} has no set-up {name!r}.")
    return setups[name](load_project(examples_dir() / f"{lesson.example}.ncproj"))


def lesson_text(key: str) -> str:
    """The lesson's Markdown, or DataError saying where it was looked for."""
    path = lessons_dir() / f"{get_lesson(key).key}.md"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError(f"The lesson text {path.name} is missing (looked in {path.parent}): "
                        f"reinstall NeuroCanvas.") from error


def parse_link(url: str) -> tuple[str, str] | None:
    """``lesson:key/variant`` -> (key, variant); anything else -> None."""
    if not url.startswith(SCHEME + ":"):
        return None
    key, _, variant = url[len(SCHEME) + 1:].partition("/")
    return key, variant
