"""Console scripts: `tfaip-predict` and `tfaip-lav`."""
