"""Reading settings from the environment: each process builds one frozen settings object at start."""

from __future__ import annotations  # the methods are named after the builtins they return

from collections.abc import Mapping


class SettingsError(ValueError):
    """A required setting is missing or a value does not parse; the message names the variable."""


class Env:
    """Typed reads from an environment mapping, failing with the variable's name."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ

    def str(self, name: str, default: str | None = None) -> str:
        value = self._environ.get(name) or default
        if value is None:
            raise SettingsError(f"{name} is required")
        return value

    def optional(self, name: str) -> str | None:
        return self._environ.get(name) or None

    def int(self, name: str, default: int) -> int:
        raw = self._environ.get(name)
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None

    def float(self, name: str, default: float) -> float:
        raw = self._environ.get(name)
        if not raw:
            return default
        try:
            return float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, not {raw!r}") from None
