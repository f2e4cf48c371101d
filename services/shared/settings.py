"""Reading settings from the environment: each process builds one frozen settings object at start."""

import builtins
from collections.abc import Mapping

# The reader's methods are named after the types they return (env.str, env.int, env.float), so
# inside the class the builtins are reached through `builtins`.


class SettingsError(ValueError):
    """A required setting is missing or a value does not parse; the message names the variable."""


class Env:
    """Typed reads from an environment mapping, failing with the variable's name."""

    def __init__(self, environ: Mapping[builtins.str, builtins.str]):
        self._environ = environ

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str:
        value = self._environ.get(name) or default
        if value is None:
            raise SettingsError(f"{name} is required")
        return value

    def optional(self, name: builtins.str) -> builtins.str | None:
        return self._environ.get(name) or None

    def int(self, name: builtins.str, default: builtins.int) -> builtins.int:
        raw = self._environ.get(name)
        if not raw:
            return default
        try:
            return builtins.int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None

    def float(self, name: builtins.str, default: builtins.float) -> builtins.float:
        raw = self._environ.get(name)
        if not raw:
            return default
        try:
            return builtins.float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, not {raw!r}") from None
