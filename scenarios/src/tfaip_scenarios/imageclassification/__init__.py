"""Image classification: a CNN on a folder of class folders of images (the original's `examples.imageclassification`).

The offline default is scikit-learn's bundled digits, written out once as PNG files into class
folders; `--train_val.image_dir DIR` reads a folder of your own, `--train_val.dataset flowers`
downloads TensorFlow's flower photos. See docs/scenarios.md.
"""
