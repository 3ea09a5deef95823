"""Incident stories: the model, the bank per language, drafting from a postmortem, follow-ups, the
story-of-the-week rotation and the starter library. Pure: no Textual, no storage, time passed in."""
