"""Dock panels: palette, inspector, summary."""
