"""Graph building blocks: layers, graphs, the root model and TensorBoard writers."""
