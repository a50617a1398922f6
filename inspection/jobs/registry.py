"""The kinds of background job, each registered by the app that owns the work.

A handler is a plain function `handler(job, progress)`: it reads what it needs from `job`
(`job.params`, `job.inspection`, `job.user`), calls `progress(percent, "what it is doing")` as
it goes, and returns a `JobFile` (something to download) or a `JobRedirect` (a page to go to
when done). It raises `JobFailed("...")` for a failure the person can understand and act on;
anything else is logged and shown as a general "something went wrong" message.

Progress is written to the job's row, on the worker's one database connection: reported inside
the handler's own `transaction.atomic()`, it is seen only when that transaction commits (and
lost if it rolls back). So report progress between transactions where you can, and keep any
one transaction, or any stretch without a report, well under JOB_STALL_SECONDS (5 minutes by
default): a job not heard from for that long is taken to have lost its worker and is run again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from inspection.models import Job


class Progress(Protocol):
    def __call__(self, percent: int, step: str = "") -> None: ...


@dataclass(frozen=True)
class JobFile:
    """A file for the person who asked: give the bytes (`content`) or a file already written
    (`path`, which is moved into the private job files folder)."""

    filename: str
    content_type: str
    content: bytes | str | None = None
    path: Path | None = None

    def __post_init__(self):
        if (self.content is None) == (self.path is None):
            raise ValueError("A JobFile has either content or a path, not both or neither.")


@dataclass(frozen=True)
class JobRedirect:
    """The work changed something: when it is done, the job page sends the person here."""

    url: str


Handler = Callable[["Job", Progress], "JobFile | JobRedirect"]


class JobFailed(Exception):  # noqa: N818 (it is what the handler says: the job failed)
    """Raised by a handler with the words to show the person, e.g.
    JobFailed("The population file has no 'Case reference' column.")."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler
    title: str
    doing: str

    @property
    def general_error(self) -> str:
        return (
            f"Something went wrong while {self.doing}. Try again; if it fails again, tell the "
            "service team."
        )


_kinds: dict[str, JobKind] = {}


def register(kind: str, handler: Handler, *, title: str, doing: str = "") -> JobKind:
    """Register a kind of job. `title` names the result on its page ("Report PDF"); `doing`
    says what the work is in the failure message ("making the report PDF"; by default
    "making the <title>"). Registering the same kind again replaces it (apps' ready() may run
    more than once in tests)."""
    if not kind or len(kind) > 60:
        raise ValueError("A job kind is a short name of at most 60 characters.")
    job_kind = JobKind(
        kind=kind,
        handler=handler,
        title=title,
        doing=doing or f"making the {title[:1].lower()}{title[1:]}",
    )
    _kinds[kind] = job_kind
    return job_kind


def unregister(kind: str) -> None:
    _kinds.pop(kind, None)


def get_kind(kind: str) -> JobKind:
    try:
        return _kinds[kind]
    except KeyError:
        raise LookupError(f"No job kind {kind!r} is registered.") from None


def kinds() -> dict[str, JobKind]:
    return dict(_kinds)
