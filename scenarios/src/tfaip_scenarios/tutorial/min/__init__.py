"""The Minimal Tutorial: the smallest complete scenario (data, generator, graph, model)."""
