"""Real engine data for the inside views: probe snapshots of the bundled examples."""
from functools import lru_cache
from pathlib import Path

from engine.data import prepare
from engine.events import BatchEnd
from engine.insights import Probe, assess, probe_batch
from engine.network import Network
from engine.project import load_project
from engine.settings import choose_loss, training_settings
from engine.run import train

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"


@lru_cache(maxsize=None)
def example(name: str):
    project = load_project(EXAMPLES / f"{name}.ncproj")
    return project, prepare(project.data, 0)


def snapshots(name: str, steps: int = 20, every: int = 10, spec=None, **overrides):
    """Train ``steps`` batches of an example (or ``spec`` on its data) headless,
    probing every ``every`` steps; returns [(snapshot, health)], the network, the loss."""
    project, data = example(name)
    settings = training_settings({**project.training, **overrides})
    network = Network(spec or project.spec, seed=settings["seed"])
    loss = choose_loss(settings, data.train.task, network.report.output_shape[-1])
    x, y, _ = probe_batch(data.train, 64, 0)
    probe = Probe(network, x, y, loss=loss.name, task=data.train.task, every_ms=10**9,
                  every_steps=every)
    out, previous = [], None
    for event in train(network, data.train, data.val, settings):
        if isinstance(event, BatchEnd):
            snap = probe.poll(event.step)
            if snap is not None:
                out.append((snap, assess(snap, previous, lr=event.lr)))
                previous = snap
            if event.step >= steps:
                break
    return out, network, loss.name


def broken_spec(depth: int = 6, units: int = 64):
    """A deliberately bad design for the digits: a deep stack of sigmoid layers
    (saturating, vanishing gradients), to be trained with a huge learning rate."""
    from engine.spec import NetworkSpec

    layers = [{"id": "input", "type": "Input", "name": "input",
               "config": {"shape": [64], "kind": "features"}}]
    for i in range(depth):
        layers.append({"id": f"s{i}", "type": "Dense", "name": f"sigmoid {i}",
                       "config": {"units": units, "activation": "sigmoid"}})
    layers.append({"id": "output", "type": "Dense", "name": "output",
                   "config": {"units": 10, "activation": "softmax"}})
    edges = [{"from": a["id"], "to": b["id"]} for a, b in zip(layers, layers[1:])]
    return NetworkSpec.from_dict({"version": 1, "layers": layers, "edges": edges})


def shown(qtbot, widget, size=(900, 700)):
    """``widget`` at ``size``, shown (closed with the test) and exposed."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def collect_snapshots(window) -> list:
    """A list that fills with the window's training progress reports that carry a probe
    snapshot, as they arrive."""
    snaps: list = []
    window.training.runner.progress.connect(
        lambda p: p.snapshot is not None and snaps.append(p))
    return snaps
