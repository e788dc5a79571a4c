"""Training on several machines with MultiWorkerMirroredStrategy: the loop, what the workers exchange, lost workers."""
