"""Load and validate: `LAV`, `MultiLAV`, their model metrics and report files."""
