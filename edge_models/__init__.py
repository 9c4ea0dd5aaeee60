"""On-box models: the registry, onnxruntime sessions and updates (built in the edge_models issue)."""
