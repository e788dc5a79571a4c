"""Resources: files referenced by params that travel with every export."""
