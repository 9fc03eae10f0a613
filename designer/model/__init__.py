"""The design document and its rules (QtCore only: no widgets here)."""
from .document import NetworkDocument

__all__ = ["NetworkDocument"]
