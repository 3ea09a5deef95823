"""Postmortems: the model, its review (completeness, hints, status) and its Markdown form."""
