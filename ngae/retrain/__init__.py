"""Training found architectures from scratch on a local CIFAR-10 copy (nothing downloaded)."""
