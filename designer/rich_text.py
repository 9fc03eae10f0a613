"""User text (layer names and ids, class and column names, file and project names, sweep
text) where Qt reads HTML: pyqtgraph titles, axis labels and legends, rich-text labels,
tooltips, message boxes. Escaped there, so ``a<b>`` shows as written and
``<img src=...>`` never makes Qt load a file; names themselves stay free."""
from __future__ import annotations

import html

from PySide6.QtGui import Qt


def escape(text: object) -> str:
    """``text`` as HTML that shows it as written."""
    return html.escape(str(text), quote=False)


def as_plain(text: str) -> str:
    """``text`` for a tooltip or a message box, which Qt reads as HTML when it looks like
    HTML (``Qt.mightBeRichText``): then escaped, with its line breaks kept."""
    return Qt.convertFromPlainText(text) if Qt.mightBeRichText(text) else text
