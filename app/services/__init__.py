"""Use cases over storage: what a command or a screen asks for, in one transaction each."""
