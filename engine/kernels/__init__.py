"""Pure kernels: ``forward(...) -> (out, cache)`` and ``backward(grad, cache)``, no
layer state. ``activations`` (also fused into Dense, Conv2D and the recurrent layers),
``conv`` (im2col convolution with reusable workspaces), ``pool`` (max and average
pooling), ``recurrent`` (the time loops of the Elman, LSTM and GRU cells) and
``attention`` (multi-head scaled dot-product self-attention). Layers in
``engine.layers`` hold the weights and call these."""
