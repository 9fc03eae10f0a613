"""The desktop bundle's entry point (packaging/neurocanvas.spec): the ``neurocanvas``
command as installed, so the bundle opens the window or runs a headless subcommand
(``neurocanvas train PROJECT ...``) just the same."""
import sys

from designer.app import main

sys.exit(main())
