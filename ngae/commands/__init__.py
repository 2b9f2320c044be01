"""Sub-commands of ``ngae`` (``python -m ngae``); each module has ``register(subparsers)``."""
