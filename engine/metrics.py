"""Metrics: accuracy and confusion matrix for classification, MSE/MAE for regression."""
from __future__ import annotations

import numpy as np


def predicted_classes(output: np.ndarray, from_logits: bool = True) -> np.ndarray:
    """Class indices from network outputs. A single output unit is a yes/no answer:
    positive above 0 for logits, above 0.5 for probabilities."""
    if output.shape[-1] == 1:
        return (output[..., 0] > (0.0 if from_logits else 0.5)).astype(np.int64)
    return output.argmax(axis=-1)


def accuracy(output: np.ndarray, target: np.ndarray, from_logits: bool = True) -> float:
    pred = predicted_classes(output, from_logits)
    target = target.reshape(pred.shape)
    return float((pred == target).mean()) if target.size else 0.0


def confusion_matrix(true: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """``m[i, j]`` counts samples of true class i predicted as j."""
    true, pred = true.reshape(-1).astype(np.int64), pred.reshape(-1).astype(np.int64)
    return np.bincount(true * n_classes + pred, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes)


def mse(output: np.ndarray, target: np.ndarray) -> float:
    return float(np.mean((output - target) ** 2))


def mae(output: np.ndarray, target: np.ndarray) -> float:
    return float(np.mean(np.abs(output - target)))


def compute_metrics(task: str, output: np.ndarray, target: np.ndarray,
                    from_logits: bool = True) -> dict[str, float]:
    if task == "classification":
        return {"accuracy": accuracy(output, target, from_logits)}
    target = target.reshape(output.shape)
    return {"mse": mse(output, target), "mae": mae(output, target)}
