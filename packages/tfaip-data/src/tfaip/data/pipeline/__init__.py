"""Data pipelines: params, batching and the DataPipeline that feeds a model."""
