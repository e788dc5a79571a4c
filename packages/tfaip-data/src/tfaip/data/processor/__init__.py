"""DataProcessors and the pipelines that chain them."""
