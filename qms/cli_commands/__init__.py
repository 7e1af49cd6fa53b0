"""Command groups of the ``qms`` CLI beyond the foundation's.

Each module here defines ``register(subparsers)`` adding its commands (each with ``help``,
``description`` and ``set_defaults(func=...)`` taking ``(args, settings)`` and returning an exit
code).  :func:`qms.cli.build_parser` finds them by listing this package, so a feature adds its
commands without editing a shared file.
"""
