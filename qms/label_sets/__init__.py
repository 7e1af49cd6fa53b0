"""Label sets of features beyond the foundation's.

Each module here defines ``LABELS: dict[str, tuple[str, str]]`` (key -> (Vietnamese, English)),
keys prefixed by the feature (``audit.``, ``scope.``...).  :mod:`qms.labels` merges them all and
refuses a key defined twice.
"""
