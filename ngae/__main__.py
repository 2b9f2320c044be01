"""``python -m ngae``: see :mod:`ngae.cli`."""

from ngae.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
