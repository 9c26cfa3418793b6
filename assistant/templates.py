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

from assistant.errors import TemplateError


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


def sandbox(paths: list[Path], html: bool = False, **options: Any) -> StrictSandbox:
    return StrictSandbox(loader=jinja2.FileSystemLoader([str(p) for p in paths]), undefined=jinja2.StrictUndefined,
                         autoescape=html, keep_trailing_newline=True, finalize=_finalize, **options)


def shipped_templates() -> Path:
    """Inside the installed package (wheel), else the repository's top-level templates/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise TemplateError("the default templates are missing from the installation", "reinstall followup")


def environment(user_dir: str | None) -> SandboxedEnvironment:
    paths = [str(Path(user_dir).expanduser())] if user_dir else []
    paths.append(str(shipped_templates()))
    return sandbox([Path(p) for p in paths])


def exists(env: SandboxedEnvironment, name: str) -> bool:
    """Whether a template of this name is in any of the environment's directories (without compiling it)."""
    try:
        if env.loader is None:
            return False
        env.loader.get_source(env, name)
        return True
    except jinja2.TemplateNotFound:
        return False


def render(env: SandboxedEnvironment, names: list[str], context: dict[str, object]) -> str:
    template = None
    try:
        template = env.select_template(names)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"{e.filename or e.name} line {e.lineno}: template syntax error: {e.message}",
                            "fix the template, or remove it to use the default") from e
    except jinja2.TemplateNotFound as e:
        raise TemplateError(f"no template found among {', '.join(names)}") from e
    except jinja2.UndefinedError as e:
        where = ((template.name if template else None) or names[0]) + template_line(e, template)
        raise TemplateError(f"{where}: {e.message}", "the variables a template can use are in the README") from e
    except jinja2.exceptions.SecurityError as e:
        where = ((template.name if template else None) or names[0]) + template_line(e, template)
        raise TemplateError(f"{where}: refused by the template sandbox: {e}") from e
    except Exception as e:  # noqa: BLE001 - a user's template can fail in any way; name it, don't crash
        raise TemplateError(f"{names[0]}: the template failed: {e.__class__.__name__}: {e}") from e
