"""Console scripts: tfaip-train, tfaip-train-from-params, tfaip-resume-training, tfaip-benchmark-input-pipeline.

Each entry module reads its command line far enough to answer `--help` and usage errors
(`command_line`), then imports TensorFlow quietly and hands over to `commands`.
`tfaip-new-scenario` (`new_scenario`) writes a scenario package from a template and never imports TensorFlow.
"""
