"""NeuroCanvas engine: networks, training and data in NumPy. Knows nothing of Qt."""
__version__ = "0.1.0"
