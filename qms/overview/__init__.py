"""Tổng quan: the provincial (or national) overview page and its labels.
"""
