from check_common import MODEL_FILE  # noqa: F401  (for linters; dropped when joined)

# ---- body ----


def run_model(folder, inputs):
    """The generated model.py, with its weights, run by PyTorch."""
    import importlib.util

    import torch

    spec = importlib.util.spec_from_file_location("exported_model", folder / MODEL_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load_model()
    with torch.no_grad():
        return model(torch.from_numpy(inputs)).numpy()
