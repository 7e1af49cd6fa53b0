"""The shared kernel: dates and the province's clock, errors, labels, settings, spreadsheets in and out,
the database connection and its migrations. Every feature imports it; it imports no feature
(but the permission vocabulary of :mod:`qms.accounts.rules`, which the settings hand to the CLI;
checked by tests/test_layers.py).
"""
