"""Training and export of the models the repository ships (the `[train]` extra: torch, onnx)."""
