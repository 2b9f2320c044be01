"""D-VAE's ENAS-6 macro space: architectures, exact parameter counts, the network, its files."""
