"""Hyperparameter sweeps: what to vary (``space``), the trials (``sampling``), running
them as processes side by side (``scheduler``, one per trial: ``worker``), the record a
project keeps (``record``) and the Pareto front of size against quality (``pareto``)."""
from .pareto import pareto_front
from .record import best_trial, check_sweep, read_experiments
from .sampling import METHODS, trials_for
from .space import Dimension, SweepError, apply_settings, bind, parse_dimension, parse_space

__all__ = ["Dimension", "METHODS", "SweepError", "apply_settings", "best_trial", "bind",
           "check_sweep", "pareto_front", "parse_dimension", "parse_space",
           "read_experiments", "trials_for"]
