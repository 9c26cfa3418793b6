"""Decisions, pure: context (the PolicyContext every policy is handed, `now` included) · awaiting_reply ·
promises · relationships (check-ins, check-backs) · common."""
