"""``python -m designer``: the same as the ``neurocanvas`` command."""
import sys

from .app import main

sys.exit(main())
