"""Type text for a token input (a character model such as the char_lstm example) and
see the window of tokens the network reads.

Text is encoded with the engine's own ``sampling.encode`` (one vocabulary entry per
character) and cut to the Input's length T as the engine's sampler cuts its context
(the last T tokens). The sampler may feed fewer than T tokens, but "try one sample"
checks the Input shape, so shorter text is padded on the left with new lines (the
sampler's default prime, and a break the training text holds often).
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from engine.errors import DataError
from engine.sampling import encode

PAD_TEXT = "\n"
TYPING_PAUSE_MS = 400  # ask once the typing pauses, not on every key
VISIBLE = {"\n": "\u23ce", " ": "\u2423", "\t": "\u21e5"}  # whitespace made visible
WHITESPACE_NAMES = {"\n": "new line", " ": "space", "\t": "tab"}


def display_name(text: str, short: bool = False) -> str:
    """A class or token name fit for a label: lone whitespace shown as a symbol (and
    named, unless ``short``: an axis tick has no room)."""
    if text in VISIBLE:
        return VISIBLE[text] if short else f"{VISIBLE[text]} ({WHITESPACE_NAMES[text]})"
    return text


def pad_token(vocab) -> str:
    """What shorter text is padded with: a new line, or the first token without one."""
    return PAD_TEXT if PAD_TEXT in vocab else vocab[0]


def token_window(text: str, vocab, length: int) -> tuple[np.ndarray, int]:
    """(int64 ids of shape (length,), how many padding ids lead them). Raises the
    engine's DataError when ``text`` has characters outside ``vocab``."""
    vocab = list(vocab)
    ids = encode(text, vocab)[-length:]  # the sampler's context: the last T tokens
    pad_id = vocab.index(pad_token(vocab))
    n_pad = length - len(ids)
    return np.concatenate([np.full(n_pad, pad_id, np.int64), ids]), n_pad


def decoded_html(ids, vocab, n_pad: int = 0) -> str:
    """The tokens as rich text: spaces kept (pre-wrap), new lines shown as a grey
    symbol before the break, padding greyed."""
    parts = []
    for i, token in enumerate(np.asarray(ids).reshape(-1)):
        text = vocab[int(token)] if 0 <= int(token) < len(vocab) else "?"
        if i < n_pad or text in VISIBLE and text != " ":
            shown = f"<span style='color:#9aa5b1'>{html.escape(VISIBLE.get(text, text))}</span>"
            parts.append(shown + ("<br>" if text == "\n" and i >= n_pad else ""))
        else:
            parts.append(html.escape(text))
    return "<span style='white-space:pre-wrap'>" + "".join(parts) + "</span>"


def unknown_message(text: str, vocab) -> str:
    known = set(vocab)
    unknown = sorted({ch for ch in text if ch not in known})
    names = ", ".join(f"'{html.escape(display_name(ch))}'" for ch in unknown)
    return (f"Not in the vocabulary of {len(known)} characters: <b>{names}</b>. "
            f"Nothing was sent.")


class TextSample(QWidget):
    """The text box, an inline message line and what the network reads."""

    text_requested = Signal(object, str)  # token ids (T,) as the network takes them, what

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("text_sample")
        self.vocab: tuple[str, ...] = ()
        self.length = 0
        self.title = QLabel("Or type text:")
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("sample_text")
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 3 + 14)
        self.try_button = QPushButton("Try this text")
        self.try_button.clicked.connect(self.request)
        self.message = QLabel()
        self.message.setObjectName("sample_text_message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.RichText)
        self.message.setStyleSheet("color: #c62828")
        self.message.hide()
        self.reads = QLabel()
        self.reads.setObjectName("sample_reads")
        self.reads.setWordWrap(True)
        self.reads.setTextFormat(Qt.RichText)
        self.reads.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.reads.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.reads_scroll = QScrollArea()  # a long window scrolls rather than being cut
        self.reads_scroll.setWidget(self.reads)
        self.reads_scroll.setWidgetResizable(True)
        self.reads_scroll.setFrameShape(QFrame.NoFrame)
        self.reads_scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget "
                                        "{ background: transparent; }")
        self.reads_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.reads_scroll.setMinimumHeight(self.reads.fontMetrics().lineSpacing() * 3)
        self.timer = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self.timer.timeout.connect(self.request)
        self.edit.textChanged.connect(self._edited)
        self._lay_out()

    def _lay_out(self) -> None:
        row = QHBoxLayout()  # the button beside the title: the dock is short
        row.addWidget(self.title)
        row.addStretch(1)
        row.addWidget(self.try_button)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(3)
        col.addLayout(row)
        col.addWidget(self.edit)
        col.addWidget(self.message)
        col.addWidget(self.reads_scroll, 1)

    def _say(self, text: str) -> None:
        """The inline message line, shown only while it has something to say."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_vocabulary(self, vocab, length: int) -> None:
        """The Input's vocabulary (token id -> character) and length T."""
        self.vocab, self.length = tuple(vocab), int(length)
        tip = (f"The text is encoded with the data's vocabulary, one character per "
               f"token. The network reads {length} tokens: longer text keeps its last "
               f"{length} characters (as text generation does), shorter text gets new "
               f"lines in front. Asked when you stop typing, or with the button.")
        for w in (self.title, self.edit, self.try_button):
            w.setToolTip(tip)
        self.edit.setPlaceholderText("Shall I compare thee to a summer's day?")
        self.reads.clear()
        self._edited()

    def _edited(self) -> None:
        """Check the text as it is typed; ask once the typing pauses."""
        text = self.edit.toPlainText()
        try:
            token_window(text, self.vocab, self.length)
        except DataError:
            self.timer.stop()
            self._say(unknown_message(text, self.vocab))
            return
        self._say("")
        if text:
            self.timer.start()

    def request(self) -> None:
        """Send the typed text, encoded and cut to the Input's length."""
        self.timer.stop()
        text = self.edit.toPlainText()
        if not text or not self.length:
            self._say("Type some text first." if self.length else "")
            return
        try:
            x, n_pad = token_window(text, self.vocab, self.length)
        except DataError:
            self._say(unknown_message(text, self.vocab))
            return
        self.show_reads(x, n_pad, "your text")
        self.text_requested.emit(x, "your text")

    def show_reads(self, ids, n_pad: int, what: str) -> None:
        """Show the tokens the network is given for ``what``."""
        symbol = html.escape(display_name(pad_token(self.vocab), short=True))
        pad = f" (padded with {n_pad} grey {symbol})" if n_pad else ""
        mono = QFontDatabase.systemFont(QFontDatabase.FixedFont).family()
        self.reads.setText(f"<span style='color:#52606d'>The network reads {html.escape(what)}"
                           f"{pad}:</span><br><span style=\"font-family:'{mono}'\">"
                           f"{decoded_html(ids, self.vocab, n_pad)}</span>")
