"""Training the graph VAE (one process or DDP) and D-VAE's evaluation protocols."""
