"""What the latent map shows beyond points (pure computation; the explorer caches it).

Decoder atlas, objective field, density, structural queries and the alignment of two
checkpoints' maps.
"""
