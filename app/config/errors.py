"""The one error a setting raises."""


class ConfigError(ValueError):
    """A setting that cannot be used; str() is one sentence."""
