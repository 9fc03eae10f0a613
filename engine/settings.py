"""Training settings, declared once: validated here, shown as a form by the designer,
stored as plain JSON in the project file."""
from __future__ import annotations

from .backends import BACKENDS, DEVICES
from .errors import ConfigError
from .losses import LOSSES, Loss, get_loss
from .optimizers import OPTIMIZERS, Optimizer
from .params import Param, Schema
from .schedules import SCHEDULES

# When a setting applies (the training panel greys out the others).
_SGD = ("optimizer", ("sgd",))
_ADAM = ("optimizer", ("adam", "adamw"))
_EARLY = ("early_stopping", (True,))

TRAINING_SCHEMA = Schema((
    Param("epochs", "int", 20, "Passes over the training data.", low=1, high=100_000),
    Param("batch_size", "int", 32, "Samples per gradient step.", low=1, high=65_536),
    Param("loss", "choice", "auto", "What training minimises; auto picks from the task.",
          choices=("auto",) + tuple(LOSSES)),
    Param("optimizer", "choice", "adam", "How weights follow the gradient.",
          choices=tuple(OPTIMIZERS)),
    Param("learning_rate", "float", 1e-3, "Step size α in w := w − α ∂L/∂w.",
          low=1e-8, high=10.0),
    Param("momentum", "float", 0.9, "SGD: share of the last step kept.",
          low=0.0, high=0.999, applies=_SGD),
    Param("nesterov", "bool", False, "SGD: look-ahead (Nesterov) momentum.", applies=_SGD),
    Param("beta1", "float", 0.9, "Adam: decay of the gradient average.", low=0.0, high=0.9999,
          applies=_ADAM),
    Param("beta2", "float", 0.999, "Adam: decay of the squared-gradient average.",
          low=0.0, high=0.99999, applies=_ADAM),
    Param("weight_decay", "float", 0.0, "Pull weights towards zero (not biases).",
          low=0.0, high=1.0),
    Param("clip_norm", "float", 0.0, "Scale gradients down to this global norm (0: off).",
          low=0.0, high=1e6, label="Gradient clipping"),
    Param("schedule", "choice", "constant", "How the learning rate changes over the run.",
          choices=SCHEDULES, label="LR schedule"),
    Param("step_size", "int", 10, "Step schedule: epochs between decays.", low=1, high=100_000,
          applies=("schedule", ("step",))),
    Param("gamma", "float", 0.5, "Step/exponential schedule: factor per decay.",
          low=1e-6, high=1.0, applies=("schedule", ("step", "exponential"))),
    Param("min_lr", "float", 0.0, "Cosine schedule: the final learning rate.", low=0.0, high=10.0,
          applies=("schedule", ("cosine",))),
    Param("seed", "int", 0, "Same seed, same run: initial weights, shuffling, dropout.",
          low=0, high=2**31 - 1),
    Param("shuffle", "bool", True, "Shuffle the training data every epoch."),
    Param("early_stopping", "bool", False, "Stop when validation loss stops improving."),
    Param("patience", "int", 5, "Early stopping: epochs without improvement allowed.",
          low=1, high=10_000, applies=_EARLY),
    Param("restore_best", "bool", True, "Early stopping: keep the best epoch's weights.",
          applies=_EARLY),
    Param("backend", "choice", "numpy", "Where the run trains: the built-in NumPy engine, or "
          "PyTorch (optional) for big designs, GPUs and several processes. Same results.",
          choices=BACKENDS, label="Backend"),
    Param("device", "choice", "auto", "PyTorch: auto takes a CUDA GPU, then Apple's MPS, "
          "then the CPU.", choices=DEVICES, applies=("backend", ("torch",))),
    Param("checkpoint_seconds", "float", 60.0, "Save the run's whole state at least this "
          "often (and at epoch ends and on Stop), so it can continue after a crash.",
          low=0.05, high=86_400.0, label="Checkpoint every (s)"),
))


def training_settings(raw: dict | None = None) -> dict:
    """Defaults filled in and every value checked; raises ConfigError naming the setting."""
    return TRAINING_SCHEMA.validate(raw or {}, owner="Training")


def choose_loss(settings: dict, task: str, output_units: int) -> Loss:
    """The configured loss, or for ``auto`` the one a task and output call for."""
    name = settings["loss"]
    if name == "auto":
        if task == "classification":
            name = "binary_cross_entropy" if output_units == 1 else "cross_entropy"
        else:
            name = "mse"
    loss = get_loss(name)
    if loss.task == "classification" and task != "classification":
        raise ConfigError(f"{loss.title} is for classification but the data is a "
                          f"regression task: pick mean squared error or absolute error")
    return loss


def make_optimizer(settings: dict) -> Optimizer:
    name, lr = settings["optimizer"], settings["learning_rate"]
    common = {"weight_decay": settings["weight_decay"], "clip_norm": settings["clip_norm"]}
    if name == "sgd":
        return OPTIMIZERS[name](lr, settings["momentum"], settings["nesterov"], **common)
    if name in ("adam", "adamw"):
        return OPTIMIZERS[name](lr, settings["beta1"], settings["beta2"], **common)
    return OPTIMIZERS[name](lr, **common)  # RMSprop as PyTorch's default: no momentum
