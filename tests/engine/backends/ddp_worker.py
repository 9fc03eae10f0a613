"""Run under torchrun by test_torch_ddp.py: one data-parallel run of a small job; rank 0
writes its per-batch losses and final weights to the .npz named on the command line."""
import sys

import numpy as np

from engine.backends import process_rank
from engine.events import BatchEnd, RunResult
from engine.run import run_job
from tests.engine.backends.test_torch_ddp import ddp_job

if __name__ == "__main__":
    events = list(run_job(ddp_job()))
    if process_rank() == 0:
        result = events[-1]
        assert isinstance(result, RunResult)
        losses = np.array([e.loss for e in events if isinstance(e, BatchEnd)])
        np.savez(sys.argv[1], losses=losses, **{k.replace("/", "|"): v
                                                for k, v in result.weights.items()})
