"""Console scripts: `tfaip-predict` and `tfaip-lav`.

Each entry module reads `--export_dir` far enough to answer `--help` and usage errors (`common`),
then hands over to `commands`, which imports TensorFlow (quietly) where the chosen backend needs it.
"""
