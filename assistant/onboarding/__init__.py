"""First use: init (a starter config) · providers (the built-in table) · embedded (the demo's IMAP server)."""
