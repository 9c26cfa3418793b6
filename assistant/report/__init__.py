"""The weekly report: build (pure) · render (HTML, text) · deliver (once a week) · people (who matters)."""
