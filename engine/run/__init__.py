"""A training run: the job (``make_job``), the run (``run_job``), the loop
(``loop.train``), checkpoints and the policy of when to take them."""
from .checkpoint import Checkpoint, data_fingerprint
from .job import JobRun, ResumeError, TrainingJob, make_job, preprocessing, run_job
from .loop import evaluate, prepare_targets, train
from .policy import CheckpointPolicy

__all__ = ["Checkpoint", "CheckpointPolicy", "JobRun", "ResumeError", "TrainingJob",
           "data_fingerprint", "evaluate", "make_job", "prepare_targets", "preprocessing",
           "run_job", "train"]
