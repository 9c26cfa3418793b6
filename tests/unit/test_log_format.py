"""Log lines carry the moment with its UTC offset, in the configured zone: they agree with `status`."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from assistant.cli.app import JsonFormatter, ZonedFormatter

MOMENT = datetime(2026, 11, 5, 15, 0, 0, 250000, tzinfo=UTC)


def record() -> logging.LogRecord:
    entry = logging.LogRecord("assistant.daemon", logging.INFO, __file__, 1, "work: %s", ("polling",), None)
    entry.created = MOMENT.timestamp()
    return entry


def test_text_lines_show_the_configured_zone_with_its_offset() -> None:
    formatter = ZonedFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    formatter.zone = ZoneInfo("America/New_York")
    assert formatter.format(record()) == "2026-11-05T10:00:00.250-05:00 INFO assistant.daemon: work: polling"


def test_json_lines_too_and_the_machine_zone_keeps_an_offset_before_the_config_is_read() -> None:
    formatter = JsonFormatter()
    formatter.zone = ZoneInfo("Europe/Paris")
    assert json.loads(formatter.format(record()))["time"] == "2026-11-05T16:00:00.250+01:00"
    assert datetime.fromisoformat(ZonedFormatter("%(asctime)s").format(record())) == MOMENT
