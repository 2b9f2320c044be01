"""The graph VAE (D-VAE encoder and decoder, NGAE heads), its tensors, checkpoints, inference."""
