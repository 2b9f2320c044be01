"""The ENAS search space: architectures, validity, exact complexity, the network, data files.

Everything specific to ENAS-6 cells lives here, so a second DAG space can sit beside it.
"""
