"""Data generators: where the samples of a pipeline come from."""
