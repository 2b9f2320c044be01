"""Background training jobs, one at a time, with state in SQLite (WAL mode).

A job runs in its own process (``python -m ngae.explorer.job_runner DB ID``), never in a page
script, so it survives page reloads and every browser tab sees it. Its progress, history and
status live in the database; a restarted dashboard shows finished and running jobs correctly,
and a job whose process died without a word is marked failed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ngae.config import ModelConfig, TrainConfig
from ngae.errors import UserInputError
from ngae.files import PROJECT_ROOT
from ngae.model.checkpoint import checkpoint_dir
from ngae.model.precision import PRECISIONS
from ngae.spaces.registry import DEFAULT_SPACE, SPACES

STALE_SECONDS = 120.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, status TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL, progress REAL NOT NULL DEFAULT 0,
    epoch INTEGER NOT NULL DEFAULT 0, epochs INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '', output TEXT, history TEXT NOT NULL DEFAULT '[]',
    request TEXT NOT NULL, pid INTEGER, cancel INTEGER NOT NULL DEFAULT 0
)
"""


class JobBusyError(UserInputError):
    """A training job is already running; only one runs at a time."""


@dataclass(frozen=True)
class TrainRequest:
    """What the Train page asks for (model and optimiser defaults: the config dataclasses)."""

    name: str
    mode: str = "new"
    base: str | None = None
    epochs: int = 10  # a quick run from the page, not the seed's 300
    batch_size: int = TrainConfig.batch_size
    lr: float = TrainConfig.lr
    hs: int = ModelConfig.hs
    nz: int = ModelConfig.nz
    max_train: int | None = None
    precision: str = TrainConfig.precision
    space: str = (
        DEFAULT_SPACE  # a new model trains on this space's data set (fine-tuning: the base's)
    )

    def validate(self) -> TrainRequest:
        """Raise :class:`UserInputError` for a request that cannot run."""
        stem = self.name[:-3] if self.name.endswith(".pt") else self.name
        if not stem or not all(c.isalnum() or c in "-_" for c in stem) or len(stem) > 64:
            raise UserInputError("the output name may use letters, digits, '-' and '_' only")
        if self.space not in SPACES:
            raise UserInputError(f"unknown search space {self.space!r} ({', '.join(SPACES)})")
        if self.mode not in ("new", "finetune"):
            raise UserInputError("mode must be 'new' or 'finetune'")
        if self.mode == "finetune" and not self.base:
            raise UserInputError("fine-tuning needs a base checkpoint")
        checks = {
            "epochs": (self.epochs, 1, 1000),
            "batch size": (self.batch_size, 1, 4096),
            "hidden size": (self.hs, 2, 2048),
            "latent size": (self.nz, 1, 512),
        }
        for label, (value, lo, hi) in checks.items():
            if not isinstance(value, int) or not lo <= value <= hi:
                raise UserInputError(f"{label} must be a whole number from {lo:,} to {hi:,}")
        if not (isinstance(self.lr, int | float) and 0 < self.lr <= 1):
            raise UserInputError("learning rate must be in (0, 1]")
        if self.precision not in PRECISIONS:
            raise UserInputError(f"precision must be one of {', '.join(PRECISIONS)}")
        if self.max_train is not None and self.max_train < 1:
            raise UserInputError("max training graphs must be at least 1")
        return self

    @property
    def file_name(self) -> str:
        """The output checkpoint file name."""
        return self.name if self.name.endswith(".pt") else f"{self.name}.pt"


@dataclass(frozen=True)
class Job:
    """One row of the jobs table."""

    id: int
    kind: str
    status: str
    created: float
    updated: float
    progress: float
    epoch: int
    epochs: int
    message: str
    output: str | None
    history: list[dict]
    request: dict
    pid: int | None = None


def estimate_seconds(
    request: TrainRequest,
    train_graphs: int,
    jobs: list[Job],
    base_history: list[dict],
    base_hs: int | None = None,
) -> tuple[float, str] | None:
    """About how long a request will train, from measured speeds; ``None`` without any.

    The speed (graphs per second) is the median over the epochs of earlier jobs with the same
    hidden size, else of the selected checkpoint's own history (``base_history``; for a new
    model only when its hidden size ``base_hs`` is the request's). Returns the seconds and
    where the speed came from (the closing quick evaluation is not included).
    """
    graphs = min(request.max_train or train_graphs, train_graphs) * request.epochs
    same = [
        r["graphs_per_s"]
        for j in jobs
        if j.request.get("hs") == request.hs
        for r in j.history
        if r.get("graphs_per_s")
    ]
    source = "earlier jobs of this size on this machine"
    if not same and (request.mode == "finetune" or base_hs == request.hs):
        same = [r["graphs_per_s"] for r in base_history if r.get("graphs_per_s")]
        source = "the checkpoint's own training"
    if not same:
        return None
    rate = float(sorted(same)[len(same) // 2])
    return graphs / rate, f"{graphs:,} graph passes at {rate:,.0f} graphs/s ({source})"


def default_db() -> Path:
    """The jobs database (``NGAE_JOBS_DB`` overrides)."""
    return Path(os.environ.get("NGAE_JOBS_DB") or checkpoint_dir() / "jobs.sqlite3")


def connect(db: Path) -> sqlite3.Connection:
    """A connection in WAL mode with the schema in place."""
    db.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(db, timeout=30, isolation_level=None)
    _enable_wal(con)
    con.execute(SCHEMA)
    return con


def _enable_wal(con: sqlite3.Connection, patience_s: float = 30.0) -> None:
    """Switch the database to WAL, waiting for other connections doing the same.

    SQLite answers "database is locked" at once (without its busy wait) while another
    connection switches the mode, so retry until it is set or patience runs out.
    """
    deadline = time.monotonic() + patience_s
    while True:
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                con.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _row_to_job(row: sqlite3.Row) -> Job:
    d = dict(row)
    d.pop("cancel", None)
    d["history"], d["request"] = json.loads(d["history"]), json.loads(d["request"])
    return Job(**d)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie child is not alive
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True


class JobManager:
    """Start, watch and cancel training jobs recorded in SQLite."""

    def __init__(self, db: Path | None = None) -> None:
        self.db = Path(db) if db else default_db()

    def _con(self) -> sqlite3.Connection:
        con = connect(self.db)
        con.row_factory = sqlite3.Row
        return con

    def start_training(self, request: TrainRequest) -> Job:
        """Record and launch a job; :class:`JobBusyError` if one is already running."""
        request.validate()
        if request.mode == "finetune" and not (checkpoint_dir() / str(request.base)).is_file():
            raise UserInputError(f"no checkpoint {request.base!r} to fine-tune")
        if (checkpoint_dir() / request.file_name).exists():
            raise UserInputError(f"{request.file_name} exists already: choose another name")
        now = time.time()
        con = self._con()
        try:
            con.execute("BEGIN IMMEDIATE")  # one writer decides: no two jobs start at once
            self._reap(con)
            busy = con.execute("SELECT id FROM jobs WHERE status='running'").fetchone()
            if busy:
                con.execute("ROLLBACK")
                raise JobBusyError(
                    f"training job {busy['id']} is running; wait for it or cancel it first"
                )
            cur = con.execute(
                "INSERT INTO jobs (kind, status, created, updated, epochs, message, output, "
                "request) VALUES ('train', 'running', ?, ?, ?, 'starting', ?, ?)",
                (now, now, request.epochs, request.file_name, json.dumps(asdict(request))),
            )
            job_id = int(cur.lastrowid)
            con.execute("COMMIT")
        finally:
            con.close()
        self._spawn(job_id)
        job = self.get(job_id)
        assert job is not None
        return job

    def _spawn(self, job_id: int) -> None:
        log = self.db.parent / f"job-{job_id}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "ngae.explorer.job_runner", str(self.db), str(job_id)],
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.update(job_id, pid=proc.pid)

    def update(self, job_id: int, **fields: Any) -> None:
        """Set columns of a job (``history`` as a list is stored as JSON)."""
        if "history" in fields:
            fields["history"] = json.dumps(fields["history"])
        fields["updated"] = time.time()
        cols = ", ".join(f"{k}=?" for k in fields)
        con = self._con()
        try:
            con.execute(f"UPDATE jobs SET {cols} WHERE id=?", (*fields.values(), job_id))
        finally:
            con.close()

    def _reap(self, con: sqlite3.Connection) -> None:
        """Mark running jobs whose process is gone as failed."""
        for row in con.execute("SELECT id, pid, updated FROM jobs WHERE status='running'"):
            if not _alive(row["pid"]) and time.time() - row["updated"] > 5:
                con.execute(
                    "UPDATE jobs SET status='failed', message=? WHERE id=?",
                    ("the training process ended unexpectedly", row["id"]),
                )

    def get(self, job_id: int) -> Job | None:
        """One job, or ``None``."""
        con = self._con()
        try:
            self._reap(con)
            row = con.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        finally:
            con.close()
        return _row_to_job(row) if row else None

    def current(self) -> Job | None:
        """The running job, if any."""
        con = self._con()
        try:
            self._reap(con)
            row = con.execute(
                "SELECT * FROM jobs WHERE status='running' ORDER BY id DESC"
            ).fetchone()
        finally:
            con.close()
        return _row_to_job(row) if row else None

    def list(self, limit: int = 20) -> list[Job]:
        """Recent jobs, newest first."""
        con = self._con()
        try:
            self._reap(con)
            rows = con.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        finally:
            con.close()
        return [_row_to_job(r) for r in rows]

    def cancel(self, job_id: int) -> None:
        """Ask a running job to stop after its current batch."""
        con = self._con()
        try:
            con.execute("UPDATE jobs SET cancel=1 WHERE id=?", (job_id,))
        finally:
            con.close()

    def cancel_requested(self, job_id: int) -> bool:
        """Whether the job was asked to stop."""
        con = self._con()
        try:
            row = con.execute("SELECT cancel FROM jobs WHERE id=?", (job_id,)).fetchone()
        finally:
            con.close()
        return bool(row and row["cancel"])
