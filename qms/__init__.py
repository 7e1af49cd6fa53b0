"""qms: ISO 9001 quality-management compliance tracker for Vietnamese provincial administration."""

__version__ = "0.1.0"
