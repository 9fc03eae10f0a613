"""Source text of the parity-check scripts written next to every export.

These files are never imported by the engine: ``engine.io.parity`` reads them, joins
``check_common.py`` with one ``run_*.py`` (the part after its ``# ---- body ----``
line) and writes one self-contained script that needs only NumPy and the target
library. Placeholders ``__NAME__`` are filled in at export time.
"""
