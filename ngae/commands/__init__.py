"""Sub-commands of ``python -m ngae``; each module has ``register(subparsers)``."""
