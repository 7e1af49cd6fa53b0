"""The shared kernel: dates and the province's clock, errors, labels, settings, spreadsheets in and out,
the database connection and its migrations. Every feature imports it; it imports no feature.
"""
