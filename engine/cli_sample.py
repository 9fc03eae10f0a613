"""``neurocanvas sample TRAINED --length N --temperature T``: text from a character model."""
from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("sample", help="generate text from a trained character model")
    p.add_argument("trained", help="a trained character-level project (.ncproj)")
    p.add_argument("--length", type=int, default=300, help="characters to generate")
    p.add_argument("--temperature", type=float, default=0.8,
                   help="below 1: safer, more repetitive; above 1: more surprising")
    p.add_argument("--prime", default="\n", help="text to start from (default: a new line)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run_sample)


def run_sample(args) -> int:
    from .inference import TrainedModel
    from .project import load_project
    from .sampling import sample_text

    model = TrainedModel.from_project(load_project(args.trained))
    print(args.prime + sample_text(model, args.length, args.temperature, args.prime, args.seed))
    return 0
