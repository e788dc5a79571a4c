"""Console scripts: tfaip-train, tfaip-resume-training, tfaip-benchmark-input-pipeline."""
