"""The Full Tutorial: the digits with the features the Minimal Tutorial leaves out.

Processors (image files, normalisation), a graph chosen on the command line (`--model.graph MLP`
or `CNN`), TensorBoard images, two weighted losses, a custom metric, an Evaluator, LAV over two
datasets, prediction from image files and voting of several models. See docs/scenarios.md.
"""
