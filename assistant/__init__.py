"""Followup: a self-hosted email follow-up assistant for any IMAP mailbox."""

__version__ = "0.1.0"
