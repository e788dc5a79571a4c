"""Scenarios: data + model + evaluator, their params, training pipelines and lookup by name."""
