"""Datasets: built-ins, file loaders, splits and batches."""
from .dataset import TASKS, Dataset

__all__ = ["Dataset", "TASKS"]
