"""Console scripts: `tfaip-predict` and `tfaip-lav`.

Each entry module reads `--export_dir` far enough to answer `--help` and usage errors (`common`),
then imports TensorFlow quietly and hands over to `commands`.
"""
