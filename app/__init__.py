"""Story Cart: incident board, postmortems and the story cart."""

__version__ = "0.1.0"
