"""Keras callbacks of the Trainer: one job each."""
