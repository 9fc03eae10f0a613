"""``neurocanvas export TRAINED --format npz|safetensors|onnx|pytorch --out PATH``:
export a trained project for other tools, with a parity check (see docs/export.md)."""
from __future__ import annotations

import sys

EXIT_PARITY_FAILED = 1


def register(subparsers) -> None:
    from .io.export import FORMATS

    p = subparsers.add_parser(
        "export", help="export a trained model (npz, safetensors, onnx, pytorch)",
        description="Export a trained project's weights or model for other tools. Next to "
                    "the export goes a check script and sample inputs with NeuroCanvas's "
                    "outputs; the check also runs here when the target library is installed.")
    p.add_argument("trained", help="a trained project (.ncproj)")
    p.add_argument("--format", required=True, choices=tuple(FORMATS),
                   help="npz / safetensors: weights by layer name with the design; onnx: "
                        "one .onnx model; pytorch: a folder with model.py and weights")
    p.add_argument("--out", required=True,
                   help="the file to write (a folder for pytorch)")
    p.add_argument("--no-parity", action="store_true",
                   help="write the check script but do not run it here")
    p.set_defaults(run=run_export)


def run_export(args) -> int:
    from .io.export import export_model

    result = export_model(args.trained, args.format, args.out,
                          include_parity=not args.no_parity)
    for path in result.paths:
        print(f"wrote {path}")
    stream = sys.stderr if result.passed is False else sys.stdout
    print(result.message, file=stream)
    return EXIT_PARITY_FAILED if result.passed is False else 0
