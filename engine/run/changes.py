"""What changed between a checkpoint and the run asked for, in words: the design
(layers added, removed or reconfigured, connections), the data (its description or its
contents) and the settings a checkpoint cannot survive."""
from __future__ import annotations

from ..errors import SpecError
from ..spec import NetworkSpec, design_fingerprint
from .checkpoint import INCOMPATIBLE_SETTINGS, Checkpoint, data_fingerprint


def resume_problems(checkpoint: Checkpoint, spec: NetworkSpec, data, data_config: dict,
                    settings: dict) -> list[str]:
    """Every reason ``checkpoint`` cannot continue as this run; empty when it can."""
    problems = []
    if checkpoint.design != design_fingerprint(spec):
        problems += design_changes(checkpoint.design_spec, spec) or ["the design changed"]
    if checkpoint.data != data_fingerprint(data):
        problems += data_changes(checkpoint.data_config, data_config)
    for key in INCOMPATIBLE_SETTINGS:
        old, new = checkpoint.settings.get(key), settings.get(key)
        if old != new:
            problems.append(f"the setting {key} changed from {old!r} to {new!r}")
    return problems


def design_changes(old_dict: dict, new: NetworkSpec) -> list[str]:
    try:
        old = NetworkSpec.from_dict(old_dict)
    except SpecError:
        return []
    before = {layer.id: layer for layer in old.layers}
    after = {layer.id: layer for layer in new.layers}
    changes = [f"layer {i} ({after[i].type}) was added" for i in after if i not in before]
    changes += [f"layer {i} ({before[i].type}) was removed" for i in before if i not in after]
    for i in before.keys() & after.keys():
        if before[i].type != after[i].type:
            changes.append(f"layer {i} changed from {before[i].type} to {after[i].type}")
            continue
        for key in sorted(before[i].config.keys() | after[i].config.keys()):
            a, b = before[i].config.get(key), after[i].config.get(key)
            if a != b:
                changes.append(f"{i}: {key} changed from {a!r} to {b!r}")
    edges = lambda spec: {(e.source, e.target) for e in spec.edges}  # noqa: E731
    added, removed = sorted(edges(new) - edges(old)), sorted(edges(old) - edges(new))
    changes += [f"connection {s} \u2192 {t} was added" for s, t in added]
    changes += [f"connection {s} \u2192 {t} was removed" for s, t in removed]
    return changes


def data_changes(old: dict, new: dict) -> list[str]:
    keys = sorted(old.keys() | new.keys())
    changed = [f"data {k} changed from {old.get(k)!r} to {new.get(k)!r}" for k in keys
               if old.get(k) != new.get(k)]
    return changed or ["the data's contents changed (the file was edited, or its split or "
                       "normalisation differs)"]
