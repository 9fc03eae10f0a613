"""Datasets: built-ins, file loaders, splits, normalisation and batches.

NumPy and the standard library only; Pillow is imported lazily by the image-folder
loader alone.
"""
from .builtin import BUILTINS, BuiltinDataset, get_builtin, load_builtin
from .config import SOURCES, load_dataset, read_data_config
from .csv_loader import load_csv
from .dataset import TASKS, Dataset
from .images import load_image_folder
from .normalize import Standardizer, normalizer_from_dict
from .npz_loader import load_npz
from .prepare import PreparedData, dataset_info, normalize_splits, prepare
from .splitting import Splits, iterate_batches, split
from .text import char_dataset, load_text_file
from .timeseries import load_timeseries

__all__ = [
    "Dataset", "TASKS",
    "BUILTINS", "BuiltinDataset", "get_builtin", "load_builtin",
    "load_csv", "load_npz", "load_image_folder", "load_timeseries", "load_text_file",
    "char_dataset",
    "SOURCES", "read_data_config", "load_dataset",
    "split", "Splits", "iterate_batches",
    "Standardizer", "normalizer_from_dict",
    "prepare", "PreparedData", "dataset_info", "normalize_splits",
]
