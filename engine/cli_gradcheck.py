"""``neurocanvas check-gradients PROJECT``: the float64 gradient check on a project's own
design and data (``engine.insights.gradcheck``); exits 1 when a layer fails."""
from __future__ import annotations

from pathlib import Path

from .insights.gradcheck import PER_TENSOR


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "check-gradients",
        help="compare the backward pass with centred differences of the loss (float64)")
    p.add_argument("project", help="a project (.ncproj); trained or not")
    p.add_argument("--samples", type=int, default=4,
                   help="training samples in the batch checked (default 4)")
    p.add_argument("--entries", type=int, default=PER_TENSOR,
                   help=f"entries checked per tensor, seeded (default {PER_TENSOR})")
    p.set_defaults(run=run_check)


def run_check(args) -> int:
    from .data import prepare
    from .errors import ConfigError
    from .insights.gradcheck import check_project, report_lines
    from .project import load_project

    if args.samples < 1 or args.entries < 1:
        raise ConfigError("--samples and --entries must be at least 1")
    project = load_project(args.project)
    seed = int(project.training.get("seed", 0))
    prepared = prepare(project.data, seed, base_dir=Path(args.project).resolve().parent)
    check, which = check_project(project, prepared, args.samples, per_tensor=args.entries)
    print(f"{project.name}: gradient check with {which}")
    print("\n".join(report_lines(check)))
    return 0 if check.passed else 1
