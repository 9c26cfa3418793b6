"""Decisions, pure and handed `now`: awaiting_reply · promises · relationships (check-ins, check-backs)."""
