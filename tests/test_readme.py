"""The README stays true: its examples table is the output of
benchmarks/example_results.py (not typed), lists every bundled example, and its Quick
start holds the two commands CI and the fresh-system check run."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_examples_table_lists_every_bundled_example_with_measured_figures():
    block = re.search(r"<!-- example-results:start -->\n(.*?)<!-- example-results:end -->",
                      README, re.S)
    assert block, "README.md lost its example-results block"
    rows = [line for line in block.group(1).splitlines() if line.startswith("| `")]
    listed = sorted(re.match(r"\| `([^`]+)`", row).group(1) for row in rows)
    bundled = sorted(p.name for p in (ROOT / "resources" / "examples").glob("*.ncproj"))
    assert listed == bundled, "run: .venv/bin/python benchmarks/example_results.py --write"
    for row in rows:
        # An autoencoder's MSE comes with the mean image's, its baseline.
        assert re.search(r"\| (\d+\.\d % accuracy|MSE \d+\.\d+"
                         r"( \(the mean image: \d+\.\d+\))?) \|", row), row


def test_quick_start_holds_the_two_commands():
    start = README.index("## Quick start")
    section = README[start:README.index("\n## ", start + 1)]
    commands = re.findall(r"```bash\n(.*?)\n```", section, re.S)
    assert commands == ["bash packaging/setup-debian.sh && .venv/bin/neurocanvas "
                        "resources/examples/digits_mlp.ncproj",
                        "bash packaging/setup-debian.sh && .venv/bin/python -m pytest"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci  # CI runs the README's test command verbatim
