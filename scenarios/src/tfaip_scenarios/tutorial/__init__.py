"""The tutorials of the reference documentation, on handwritten digits."""
