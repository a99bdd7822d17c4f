"""Run log files: {IGNY8_LOG_ROOT}/automation/{account_id}/{site_id}/{run_id}/

`automation_run.log` gets every event; `stage_N.log` gets the events of stage N. Lines are
appended with one write each (O_APPEND), so the web process (pause / cancel) and the worker
can log to the same file safely. The path is built only from the run row (integers and a
validated run id), so a request can never make it point outside the run's own folder.
"""

import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from .models import AutomationRun

log = logging.getLogger(__name__)
MAIN_LOG = "automation_run.log"
RUN_ID_RE = re.compile(r"^run_\d{8}_\d{6}_[a-z]+_[0-9a-f]{4,16}$")
TAIL_BLOCK = 8192


class UnsafeLogPath(ValueError):
    pass


def log_root() -> Path:
    return Path(settings.IGNY8_LOG_ROOT) / "automation"


def run_log_dir(account_id: int, site_id: int, run_id: str) -> Path:
    if not RUN_ID_RE.match(run_id or ""):
        raise UnsafeLogPath(f"Not a run id: {run_id!r}")
    root = log_root().resolve()
    path = (root / str(int(account_id)) / str(int(site_id)) / run_id).resolve()
    if not path.is_relative_to(root):
        raise UnsafeLogPath(f"{path} is outside {root}")
    return path


def tail_file(path: Path, lines: int) -> str:
    """The last `lines` lines of a file, reading backwards in blocks (never the whole file)."""
    if lines <= 0 or not path.exists():
        return ""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        position = fh.tell()
        chunks, newlines = [], 0
        # One newline more than asked for: the file ends with "\n".
        while position > 0 and newlines <= lines:
            step = min(TAIL_BLOCK, position)
            position -= step
            fh.seek(position)
            chunk = fh.read(step)
            chunks.append(chunk)
            newlines += chunk.count(b"\n")
    data = b"".join(reversed(chunks))
    text = data.decode("utf-8", errors="replace")
    return "".join(text.splitlines(keepends=True)[-lines:])


class RunLogger:
    def __init__(self, run: "AutomationRun") -> None:
        self.run = run
        self.dir = run_log_dir(run.account_id, run.site_id, run.run_id)

    def path(self, stage: int | None = None) -> Path:
        if stage is None:
            return self.dir / MAIN_LOG
        if not 1 <= int(stage) <= 7:
            raise UnsafeLogPath(f"No stage {stage}")
        return self.dir / f"stage_{int(stage)}.log"

    def _append(self, path: Path, line: str) -> None:
        try:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            except FileNotFoundError:  # the run's first line (or its folder was removed): one mkdir, not one per line
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as exc:
            # The log records the work, it is not part of it: a full or read-only log volume
            # must not fail a run, nor skip the enqueue of a just-committed one.
            log.error("Could not write the automation log %s (%s): %s", path, exc, line.rstrip())

    def log(self, message: str, stage: int | None = None, level: str = "INFO") -> None:
        stamp = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
        where = f" [stage {stage}]" if stage else ""
        line = f"{stamp} {level:<5}{where} {message}".replace("\n", " ") + "\n"
        self._append(self.path(), line)
        if stage:
            self._append(self.path(stage), line)

    def error(self, message: str, stage: int | None = None) -> None:
        self.log(message, stage, level="ERROR")

    def warning(self, message: str, stage: int | None = None) -> None:
        self.log(message, stage, level="WARN")

    def tail(self, lines: int = 100, stage: int | None = None) -> str:
        return tail_file(self.path(stage), lines)
