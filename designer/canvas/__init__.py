"""The canvas: scene, view, items and gestures."""
