"""The one sandboxed Jinja2 environment for drafts and reports: a template may read only what it is given.

Jinja2's sandbox answers a forbidden attribute (`__class__`) with an undefined value, and `map(attribute=…)`
turns a missing one into a list of undefined values; either would render as "Undefined" in a user's draft.
Here both are errors that name the attribute, so the item shows `failed` instead of a silly draft.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment


class StrictSandbox(SandboxedEnvironment):
    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__} is not allowed")


def _finalize(value: Any) -> Any:
    """Every value printed is defined, and so is everything inside a printed list."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple | set) else ()
    for item in [value, *items]:
        if isinstance(item, jinja2.Undefined):
            item._fail_with_undefined_error()  # raises UndefinedError naming what is missing
    return value


def template_line(error: BaseException, template: jinja2.Template | None) -> str:
    """" line N" of the template where rendering failed, from Jinja2's rewritten traceback."""
    if template is None or not template.filename:
        return ""
    tb, line = error.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == template.filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" line {line}" if line else ""


def environment(paths: list[Path], html: bool = False, **options: Any) -> StrictSandbox:
    return StrictSandbox(loader=jinja2.FileSystemLoader([str(p) for p in paths]), undefined=jinja2.StrictUndefined,
                         autoescape=html, keep_trailing_newline=True, finalize=_finalize, **options)
