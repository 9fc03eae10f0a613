"""Undo commands for the project's other fields: data, training settings and results.

As designer/commands.py, they call document methods only; panels follow the document's
``project_changed`` signal.
"""
from __future__ import annotations

import copy

from .commands import Command
from .model.document import NetworkDocument

SET_TRAINING_ID = 1101


class SetProjectFieldCommand(Command):
    """Replace the data description (or another project field) as one step."""

    def __init__(self, doc: NetworkDocument, name: str, value, text: str,
                 parent: Command | None = None):
        super().__init__(text, parent)
        self.doc, self.name = doc, name
        self.old, self.new = copy.deepcopy(getattr(doc.project, name)), copy.deepcopy(value)

    def redo(self):
        self.doc.set_field(self.name, self.new)
        super().redo()

    def undo(self):
        super().undo()
        self.doc.set_field(self.name, self.old)


class SetTrainingSettingCommand(Command):
    """One training setting; successive edits of the same setting merge into one step."""

    def __init__(self, doc: NetworkDocument, key: str, value, parent: Command | None = None):
        super().__init__(f"Set training {key.replace('_', ' ')}", parent)
        self.doc, self.key = doc, key
        self.had_old = key in doc.project.training
        self.old, self.new = doc.project.training.get(key), value

    def id(self):
        return SET_TRAINING_ID

    def mergeWith(self, other):
        if not (isinstance(other, SetTrainingSettingCommand) and other.key == self.key):
            return False
        self.new = other.new
        self.setObsolete(self.had_old and self.new == self.old)
        return True

    def redo(self):
        self.doc.set_field("training", {**self.doc.project.training, self.key: self.new})

    def undo(self):
        training = dict(self.doc.project.training)
        if self.had_old:
            training[self.key] = self.old
        else:
            training.pop(self.key, None)
        self.doc.set_field("training", training)


class SetResultsCommand(Command):
    """A finished run's weights, history and preprocessing (or clearing them)."""

    def __init__(self, doc: NetworkDocument, results: dict, text: str,
                 parent: Command | None = None):
        super().__init__(text, parent)
        self.doc, self.new, self.old = doc, results, doc.results()

    def redo(self):
        self.doc.set_results(self.new)

    def undo(self):
        self.doc.set_results(self.old)
