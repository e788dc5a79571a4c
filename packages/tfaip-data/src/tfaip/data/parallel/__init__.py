"""Worker processes of parallel pipelines (private)."""
