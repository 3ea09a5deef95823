"""Printed sheets (fpdf2): one module per sheet kind, shared layout in `layout`. fpdf2 is
imported only here, lazily by the commands and screens that print (≈0.3 s of start-up)."""
