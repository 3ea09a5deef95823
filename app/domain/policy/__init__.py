"""Severity policies: the model, reading it from TOML, writing it back."""
