from check_common import MODEL_FILE  # noqa: F401  (for linters; dropped when joined)

# ---- body ----


def run_model(folder, inputs):
    """The exported ONNX model run by onnxruntime."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(folder / MODEL_FILE), options,
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: inputs})[0]
