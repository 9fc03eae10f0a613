"""A trained project ready to use: its network, input normaliser and class names.

The CLI, the designer and export all start from here, so predictions made anywhere
apply the same preprocessing the network was trained with.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .data.dataset import Dataset
from .data.normalize import Standardizer, normalizer_from_dict
from .errors import DataError, TrainingError
from .kernels.activations import sigmoid, softmax
from .network import Network
from .project import Project


def run_info(project: Project) -> dict:
    """What a finished run recorded next to the weights (loss, normaliser, dataset)."""
    return dict(project.preprocessing or {})


@dataclass
class TrainedModel:
    project: Project
    network: Network
    normalizer: Standardizer | None
    loss: str
    dataset: dict  # dataset_info of the training data: task, class names, vocabulary ...

    @classmethod
    def from_project(cls, project: Project) -> TrainedModel:
        if not project.trained:
            raise TrainingError(f"'{project.name}' has not been trained yet: train it first "
                                f"(neurocanvas train PROJECT --out TRAINED.ncproj)")
        if project.stale:  # the window waits for a fresh run too: these weights fit the
            # shapes but were learned by another design (another activation, say)
            raise TrainingError(f"'{project.name}' was changed since it was trained: its "
                                f"weights belong to the design before the change. Train it "
                                f"again (neurocanvas train PROJECT --out TRAINED.ncproj)")
        info = run_info(project)
        network = Network(project.spec)
        network.set_weights(project.weights)
        norm = info.get("normalizer")
        normalizer = normalizer_from_dict(norm) if norm else None
        return cls(project, network, normalizer, info.get("loss", "mse"), info.get("dataset", {}))

    @property
    def task(self) -> str:
        return self.dataset.get("task", "regression")

    @property
    def class_names(self) -> list[str]:
        return list(self.dataset.get("class_names") or [])

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Apply the training normaliser (fitted on the training split, never refitted)."""
        return self.normalizer.transform(x) if self.normalizer is not None else x

    def predict(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Outputs for raw inputs: class probabilities for classification, values for
        regression (whether or not the network ends in softmax/sigmoid itself)."""
        out = self.network.predict(self.transform(x), batch_size)
        if self.task != "classification" or self.network.output_activation in ("softmax", "sigmoid"):
            return out
        return sigmoid(out) if self.loss == "binary_cross_entropy" else softmax(out)

    def align_targets(self, data: Dataset) -> Dataset:
        """Map a new file's class labels onto the training classes by name."""
        names = self.class_names
        if self.task != "classification" or not data.class_names or not names:
            return data
        unknown = sorted(set(data.class_names) - set(names))
        if unknown and _all_class_numbers(data.class_names, len(names)):
            # Labels written as class numbers (0, 1, ...) rather than class names.
            mapping = np.array([int(n) for n in data.class_names], dtype=np.int64)
        elif unknown:
            raise DataError(f"The data has classes the model never saw: {', '.join(unknown)} "
                            f"(it knows {', '.join(names)})")
        else:
            mapping = np.array([names.index(n) for n in data.class_names], dtype=np.int64)
        return replace(data, y=mapping[data.y], class_names=tuple(names))


def _all_class_numbers(labels, n_classes: int) -> bool:
    return all(label.isdigit() and int(label) < n_classes for label in labels)
