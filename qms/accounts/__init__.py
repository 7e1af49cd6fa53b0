"""Accounts, roles and permissions: who may change what, sign-in, passwords, who is acting at a write,
the Tài khoản page and ``qms users``.
"""
