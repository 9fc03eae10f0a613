"""The fixed text of a PyTorch export: the docstring and constants at the top of
``model.py``, its helper functions, and ``README.txt``."""
from __future__ import annotations

from ..inference import TrainedModel

HELPERS = {
    "avg_pool_real": '''

def avg_pool_real(x, kernel, stride, pads):
    """Average pooling over the real values of each window only, with uneven zero
    padding ``pads`` = (left, right, top, bottom): NeuroCanvas's AvgPool2D "same"."""
    total = F.avg_pool2d(F.pad(x, pads), kernel, stride, divisor_override=1)
    ones = F.pad(torch.ones_like(x[:1, :1]), pads)
    return total / F.avg_pool2d(ones, kernel, stride, divisor_override=1)
''',
    "avg_pool1d_real": '''

def avg_pool1d_real(x, kernel, stride, pads):
    """Average pooling over the real steps of each window only, with uneven zero
    padding ``pads`` = (before, after): NeuroCanvas's AvgPool1D "same". x is (N, C, T)."""
    ones = F.pad(torch.ones_like(x[:1, :1]), pads)
    return F.avg_pool1d(F.pad(x, pads), kernel, stride) / F.avg_pool1d(ones, kernel, stride)
''',
    "loading": '''

_DTYPES = {{"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4"}}


def read_safetensors(path):
    """The tensors of a .safetensors file as NumPy arrays (safetensors.torch.load_file
    reads the same file; this needs NumPy alone)."""
    data = Path(path).read_bytes()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + size])
    header.pop("__metadata__", None)
    body = data[8 + size:]
    arrays = {{}}
    for name, info in header.items():
        start, end = info["data_offsets"]
        values = np.frombuffer(body[start:end], _DTYPES[info["dtype"]])
        arrays[name] = values.reshape(info["shape"]).copy()
    return arrays


def load_model(weights=None):
    """A {cls} with its trained weights, in evaluation mode."""
    model = {cls}()
    arrays = read_safetensors(weights or Path(__file__).with_name("{weights}"))
    model.load_state_dict({{k: torch.from_numpy(v) for k, v in arrays.items()}})
    return model.eval()


if __name__ == "__main__":
    model = load_model()
    x = example_input(3)
    with torch.no_grad():
        print(model(x))
''',
}


def _example(model: TrainedModel, n: str = "n") -> str:
    shape = tuple(model.network.spec.input_shape)
    dims = ", ".join(str(d) for d in shape)
    if model.network.input_kind == "tokens":
        vocab = _vocab_size(model)
        return f"torch.randint(0, {vocab}, ({n}, {dims}))"
    return f"torch.randn({n}, {dims})"


def _vocab_size(model: TrainedModel) -> int:
    sizes = [node.layer.config["vocab_size"] for node in model.network.nodes
             if node.layer.type_name == "Embedding"]
    return min(sizes) if sizes else max(len(model.dataset.get("vocabulary") or []), 2)


def _output_text(model: TrainedModel, final: str | None) -> str:
    shape = ("N",) + tuple(model.network.report.output_shape)
    text = f"({', '.join(str(d) for d in shape)})"
    if final == "softmax":
        return f"{text} class probabilities (softmax)"
    if final == "sigmoid":
        return f"{text} probabilities (sigmoid)"
    return f"{text} outputs"


def module_head(model: TrainedModel, final: str | None) -> tuple[str, str, str]:
    """(the module docstring, the constants, the example_input function)."""
    kind = model.network.input_kind
    shape = tuple(model.network.spec.input_shape)
    # The project's name is the user's text: it appears in the code only as a repr()'d
    # constant, never inside the docstring (a name closing it would run as code).
    lines = ['"""A PyTorch model exported by NeuroCanvas (the project: PROJECT_NAME).', "",
             "The same architecture and trained weights as the NeuroCanvas design; this file",
             "needs only PyTorch and NumPy. Usage, from this folder:", "",
             "    import torch", "    from model import load_model", "",
             "    model = load_model()        # reads weights.safetensors; evaluation mode",
             f"    x = {_example(model, '4')}",
             "    with torch.no_grad():",
             f"        y = model(x)            # {_output_text(model, final)}"]
    if final:
        lines += [f"        z = model(x, logits=True)  # before the final {final}, for "
                  f"training with {'CrossEntropyLoss' if final == 'softmax' else 'BCEWithLogitsLoss'}"]
    lines += [""]
    if kind == "tokens":
        lines.append(f"Inputs are integer token ids, shape (N, {shape[0]}).")
    else:
        lines.append(f"Inputs are raw float32 values, shape (N, {', '.join(map(str, shape))})"
                     + ("." if model.normalizer is None else ": the model standardises"))
        if model.normalizer is not None:
            lines += ["them itself with the mean and std of the training split (buffers",
                      "input_mean and input_std), as NeuroCanvas did in training."]
    lines += ["Keep the model in eval mode for predictions (Dropout off, BatchNorm on its",
              "running statistics). check_parity.py compares it with NeuroCanvas's outputs.",
              '"""']
    constants = [f"PROJECT_NAME = {model.project.name!r}",
                 f"INPUT_SHAPE = {shape}  # one sample, without the batch axis",
                 f"CLASS_NAMES = {model.class_names!r}"]
    vocab = list(model.dataset.get("vocabulary") or [])
    if kind == "tokens" and vocab:
        constants.append(f"VOCABULARY = {vocab!r}  # token id -> text")
    example = ["", "", "def example_input(n):",
               '    """A random batch of n inputs of the right shape and type."""',
               f"    return {_example(model)}"]
    return "\n".join(lines) + "\n", "\n".join(constants) + "\n", "\n".join(example) + "\n"


def readme_text(model: TrainedModel, class_name: str) -> str:
    # The name as one line: a newline in it would break the title and its underline.
    title = f"{' '.join(model.project.name.split()) or 'model'}, exported from NeuroCanvas for PyTorch"
    return f"""{title}
{'=' * len(title)}

model.py              the network as a torch.nn.Module ({class_name}), with load_model()
weights.safetensors   the trained weights as a PyTorch state dict (safetensors format)
check_parity.py       runs the model on parity_samples.npz and compares with NeuroCanvas
parity_samples.npz    sample inputs and the outputs NeuroCanvas computed for them

Needs PyTorch and NumPy only:

    python -c "from model import load_model; print(load_model())"
    python check_parity.py          # prints the largest difference; exit 1 if too large

In your code (with this folder on sys.path):

    from model import load_model, example_input
    model = load_model()
    y = model(example_input(4))

The model takes raw inputs{' (it standardises them itself, as in training)' if model.normalizer else ''}
and returns what NeuroCanvas's predict returns. The docstring of model.py says more.
"""
