"""NAS-Bench-Graph's GNN architectures as a search space, with the benchmark's tables as oracle.

``arch``: an architecture, its string, hash and DAG; ``canonical``: the benchmark's canonical
form and hash; ``validity``: the batched validity rule and hashes of dense graphs; ``tables``:
the ``.bench`` tables read through a restricted unpickler; ``data_file``: the space's data set;
``drawing``: sketches; ``space``: the :class:`~ngae.spaces.base.SearchSpace`.
"""
