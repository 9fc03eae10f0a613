"""One training run, assembled in one place: ``make_job`` validates a design, prepared
data and settings once (it is the only code that validates settings for a run and
chooses the loss), and ``run_job`` runs a job (it is the only code that builds the
network a run trains). The CLI, the training process, the tests and the benchmarks all
go through here, so a run started anywhere behaves the same, and its checkpoints,
Stop, a crash and Continue all meet in the same loop (``engine.run.loop``).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ..backends import check_backend
from ..checks import fit_problems
from ..control import TrainControl
from ..data import PreparedData, dataset_info
from ..errors import DataError, NeuroCanvasError
from ..events import Checkpointed, RunEnded, RunResult
from ..graph import check_network
from ..layers import fmt_shape
from ..network import Network
from ..losses import get_loss
from ..settings import choose_loss, training_settings
from ..spec import NetworkSpec, design_fingerprint
from .budget import check_fits
from .changes import resume_problems
from .checkpoint import Checkpoint, data_fingerprint
from .loop import evaluate, train
from .policy import CheckpointPolicy


class ResumeError(NeuroCanvasError):
    """A checkpoint does not fit the run asked for; ``changes`` says what changed."""

    def __init__(self, changes: list[str]):
        super().__init__("The run cannot continue from its checkpoint: " + "; ".join(changes)
                         + ". Start afresh instead.")
        self.changes = tuple(changes)


@dataclass(frozen=True)
class TrainingJob:
    """Everything a run needs, fixed and checked when it is asked for."""

    spec: NetworkSpec
    data: PreparedData
    settings: dict  # validated: every setting present
    loss: str  # the loss this run trains (the "auto" choice made)
    data_config: dict = field(default_factory=dict)  # the data description (for checkpoints)
    resume: Checkpoint | None = None  # go on from here
    initial_weights: dict | None = None  # start from these instead of a fresh initialisation
    probe: bool = False  # look inside while training (the training process does)


def make_job(spec: NetworkSpec, data: PreparedData, settings: dict | None = None, *,
             data_config: dict | None = None, resume: Checkpoint | None = None,
             initial_weights: dict | None = None, probe: bool = False) -> TrainingJob:
    """Check everything a run depends on before it starts; raises NeuroCanvasError
    (ResumeError when ``resume`` no longer fits: what changed, in its ``changes``)."""
    settings = training_settings(settings)
    check_backend(settings)
    report = check_network(spec)  # raises unless there is one input and one output
    assert report.input_id is not None and report.output_shape is not None
    want = tuple(report.layers[report.input_id].output_shape or ())
    have = data.train.sample_shape
    if want != tuple(have):
        raise DataError(f"The Input layer takes {fmt_shape(want)} but the data's samples are "
                        f"{fmt_shape(have)}: fit the Input layer to the data (in the window, "
                        f"press Load and use in the Data panel).")
    blocking = [p for p in fit_problems(spec, report, data.dataset_info, settings["loss"])
                if p.blocks_training]
    if blocking:
        fix = f" ({blocking[0].fix.label.lower()})" if blocking[0].fix else ""
        raise DataError(blocking[0].message[:-1] + fix + ".")
    loss = choose_loss(settings, data.train.task, report.output_shape[-1]).name
    check_fits(report, settings)
    if resume is not None:
        problems = resume_problems(resume, spec, data, data_config or {}, settings)
        if problems:
            raise ResumeError(problems)
    return TrainingJob(spec, data, settings, loss, dict(data_config or {}), resume,
                       initial_weights, probe)


class JobRun:
    """A job being run: iterate it for its events; ``network`` is what it trains (a
    probe may look at it between events). The last event is a ``RunResult``."""

    def __init__(self, job: TrainingJob, control: TrainControl | None = None,
                 policy: CheckpointPolicy | None = None, checkpoint_gap: float | None = None):
        # A job that came over a pipe was not necessarily made by make_job: its
        # settings are checked again (cheap) before anything reads them.
        job = replace(job, settings=training_settings(job.settings))
        if policy is None and checkpoint_gap is not None:
            policy = CheckpointPolicy(job.settings["checkpoint_seconds"], checkpoint_gap)
        self.job, self.control, self.policy = job, control or TrainControl(), policy
        self.network = Network(job.spec, seed=job.settings["seed"])
        if job.initial_weights and job.resume is None:
            self.network.set_weights(job.initial_weights)
        self.torch = None  # the PyTorch side, for backend "torch" (from self.network)
        if job.settings["backend"] == "torch":
            from ..backends.torch_run import TorchTrainer

            self.torch = TorchTrainer(self.network, job.settings, job.loss,
                                      job.data.train.task)

    def __iter__(self) -> Iterator:
        job, network = self.job, self.network
        identity: dict[str, Any] = {
            "design": design_fingerprint(job.spec), "data": data_fingerprint(job.data),
            "design_spec": job.spec.to_dict(), "data_config": job.data_config}
        ended, last = None, None
        if self.torch is not None:
            events = self.torch.train(job.data.train, job.data.val, self.control, job.resume,
                                      self.policy, identity)
        else:
            events = train(network, job.data.train, job.data.val, job.settings, self.control,
                           job.resume, self.policy, identity, job.loss)
        for event in events:
            if isinstance(event, Checkpointed):
                last = event.checkpoint
            elif isinstance(event, RunEnded):
                ended = event
            yield event
        assert ended is not None  # the loop always ends with a RunEnded
        loss = get_loss(job.loss)
        if self.torch is not None:
            self.torch.net.to_engine()  # the trained weights, in the engine's layout
            test = self.torch.evaluate(job.data.test) if len(job.data.test) else {}
        else:
            test = evaluate(network, job.data.test, loss) if len(job.data.test) else {}
        yield RunResult(ended, network.weights(), test, job.loss,
                        preprocessing(job, ended, test, identity["design"]), last)


def run_job(job: TrainingJob, control: TrainControl | None = None,
            policy: CheckpointPolicy | None = None,
            checkpoint_gap: float | None = None) -> JobRun:
    """The run of a job (see ``JobRun``). Checkpoints: as ``policy`` says, or with
    ``checkpoint_gap``, mid-epoch every ``checkpoint_seconds`` of the settings and at
    epoch ends at most every ``checkpoint_gap`` seconds; at the end in any case."""
    return JobRun(job, control, policy, checkpoint_gap)


def preprocessing(job: TrainingJob, ended: RunEnded | None, test: dict, design: str) -> dict:
    """What a project keeps about how its weights were made and how to feed them
    (``ended`` None: the run is still going, as for a checkpoint's project)."""
    data = job.data
    return {"loss": job.loss,
            "normalizer": data.normalizer.to_dict() if data.normalizer else None,
            "dataset": dataset_info(data.train) | {"name": data.dataset_info.get("name")},
            "test": test, "ended": type(ended).__name__.lower() if ended else "running",
            "message": ended.message if ended else "", "design": design}
