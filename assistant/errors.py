"""The errors a user can meet. Each carries one sentence naming the problem and where, plus a hint."""

from __future__ import annotations


class FollowupError(Exception):
    """Base of every error the CLI turns into a message; `exit_code` 1 is a runtime failure."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(FollowupError):
    """The configuration is unreadable or wrong; exit 2 like a usage error."""

    exit_code = 2


class AuthError(FollowupError):
    """The server refused the credentials, or they could not be obtained."""


class MailboxError(FollowupError):
    """The server is unreachable, refused a command, or lacks a folder we need."""


class ConnectionLost(MailboxError):
    """The connection to the server dropped mid-cycle: the cycle stops, and the next one starts afresh."""


class TemplateError(FollowupError):
    """A template failed to load or render."""


class StoreError(FollowupError):
    """The database cannot be opened, migrated or written."""
