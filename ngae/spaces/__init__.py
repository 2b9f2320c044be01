"""Search spaces: one folder per space (``enas/``, ``asia/``, ...) beside the machinery they share.

Here: the interface every layer asks (:mod:`.base`), the registry that finds each space's folder
(:mod:`.registry`), dense graph data and the general DAG format with D-VAE's split
(:mod:`.graph_data`), keys for uniqueness and novelty (:mod:`.dense_graphs`,
:mod:`.canonical_keys`) and the complexity head's scale (:mod:`.complexity`).
"""
