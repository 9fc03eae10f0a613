"""The character transformer example learns: after a few epochs its held-out loss is
well below the unigram baseline (each character's training frequency), in the same
unit (nats per character). ``benchmarks/char_models.py`` compares it with the LSTM."""
from pathlib import Path

import numpy as np

from engine.data import prepare
from engine.events import RunResult
from engine.project import load_project
from engine.run import make_job, run_job

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / \
    "char_transformer.ncproj"


def test_held_out_loss_is_well_below_the_unigram_entropy():
    project = load_project(EXAMPLE)
    types = [layer.type for layer in project.spec.layers]
    assert {"PositionEmbedding", "MultiHeadAttention", "Add"} <= set(types)
    assert project.spec.layer("attention").config["causal"] is True
    settings = {**project.training, "epochs": 6}
    data = prepare(project.data, 0, base_dir=EXAMPLE.parent)
    result = next(e for e in run_job(make_job(project.spec, data, settings,
                                              data_config=project.data))
                  if isinstance(e, RunResult))
    counts = np.bincount(data.train.y.ravel(), minlength=len(data.train.class_names))
    p = counts / counts.sum()
    unigram = float(-np.log(np.maximum(p[data.test.y.ravel()], 1e-12)).mean())
    assert 3.0 < unigram < 3.3  # nats: the sonnets: about 4.5 bits a character
    assert result.test["loss"] < 0.8 * unigram, (result.test, unigram)
