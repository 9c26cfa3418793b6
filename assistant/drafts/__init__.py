"""Drafts: compose (template → message) · plan (pure: what to do with Drafts) · apply (does it)."""
