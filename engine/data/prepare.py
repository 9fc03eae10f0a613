"""From a project's data description to normalised train / validation / test sets.

``prepare(config, seed)`` loads (``config.py``), splits (``splitting.py``), with
``reconstruct`` makes each input its own target (``reconstruct.py``), and fits a
:class:`~engine.data.normalize.Standardizer` on the training inputs only, then applies
it to all three splits. Token inputs are never normalised; images are standardised per
channel. ``PreparedData.dataset_info`` is plain JSON for a project file or the GUI.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .config import load_dataset, read_data_config
from .dataset import Dataset
from .normalize import Standardizer, normalizer_from_dict
from .reconstruct import as_reconstruction, check_reconstructable, target_range
from .splitting import Splits, iterate_batches, split

__all__ = ["PreparedData", "prepare", "dataset_info", "split", "Splits", "iterate_batches",
           "Standardizer", "normalizer_from_dict", "normalize_splits"]


@dataclass(frozen=True)
class PreparedData:
    train: Dataset
    val: Dataset
    test: Dataset
    normalizer: Standardizer | None
    dataset_info: dict


def dataset_info(data: Dataset) -> dict:
    """What a person (or a saved model) needs to know about a data set, as plain JSON."""
    return {
        "name": data.name, "task": data.task, "input_kind": data.input_kind,
        "n_samples": len(data), "sample_shape": list(data.sample_shape),
        "target_shape": list(data.target_shape), "n_classes": data.n_classes,
        "class_names": list(data.class_names), "feature_names": list(data.feature_names),
        "vocabulary": list(data.vocabulary), "description": data.description,
        "source": data.source,
    }


def normalize_splits(splits: Splits, mode: str) -> tuple[Splits, Standardizer | None]:
    """Fit on ``splits.train`` only and transform every split; "none" and token inputs
    pass through unchanged."""
    kind = splits.train.input_kind
    if mode == "none" or kind == "tokens":
        return splits, None
    scaler = Standardizer.fit(splits.train.x, kind)
    scaled = Splits(*(replace(part, x=scaler.transform(part.x)) for part in splits))
    return scaled, scaler


def prepare(data_config: dict, seed: int = 0,
            base_dir: str | Path | None = None) -> PreparedData:
    """Load, split and normalise the data a description points at (see ``config.py``).
    Raises ConfigError naming the field of a bad description, DataError for bad data."""
    source, settings = read_data_config(data_config)
    data = load_dataset(source, settings, seed, base_dir)
    reconstruct = settings["reconstruct"]
    if reconstruct:
        check_reconstructable(data)
    info = dataset_info(as_reconstruction(data) if reconstruct else data)
    splits = split(data, settings["validation_split"], settings["test_split"], seed,
                   stratify=settings["stratify"], shuffle=settings["shuffle"])
    del data  # the splits are copies: holding the whole as well made the peak 3x the data
    if reconstruct:  # after splitting, so that the labels still balance the splits
        splits = Splits(*(as_reconstruction(part) for part in splits))
        info.update(reconstruct=True, target_range=target_range(splits.train.y))
    splits, scaler = normalize_splits(splits, settings["normalize"])
    info.update({
        "config_source": source,
        "sizes": {"train": len(splits.train), "validation": len(splits.val),
                  "test": len(splits.test)},
        "normalize": "standard" if scaler else "none",
        "normalizer": scaler.to_dict() if scaler else None,
        "seed": seed,
    })
    return PreparedData(splits.train, splits.val, splits.test, scaler, info)
