"""Every command starts fast: the CLI imports what a command needs when it runs, not before.

Each check runs in a fresh interpreter, since this one has long imported everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "jinja2", "bs4", "imapclient")


def _imported_after(code: str) -> set[str]:
    """The heavy top-level packages loaded once `code` has run in a new interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1])) & set(HEAVY)


def test_importing_the_cli_and_building_its_help_imports_no_heavy_library() -> None:
    assert _imported_after("import assistant.cli.app") == set()
    assert _imported_after("from assistant.cli.app import build_parser\nbuild_parser().format_help()") == set()


def test_version_imports_no_heavy_library() -> None:
    code = "from assistant.cli.app import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass"
    assert _imported_after(code) == set()


def test_list_and_status_import_the_store_alone(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/f.db"\n[[accounts]]\nname = "work"\n'
                      'host = "127.0.0.1"\nusername = "me@example.com"\npassword_env = "NOT_SET"\n')
    for command in ("list", "status"):
        code = f"from assistant.cli.app import main\nassert main(['--config', {str(config)!r}, {command!r}, '--json']) == 0"
        assert _imported_after(code) == {"sqlalchemy"}, command
