"""The steps of `crane reset`, the state file that records them, and the reset's duration.

Pure: no AWS and no Pulumi here (``engine.py`` and ``steps.py`` do the calls), so the order of the steps,
what resume and undo do with a half-finished reset, and the duration estimate can be read
and tested on their own.

A reset is recorded in ``stacks/<stack>.reset.json`` beside the spec, one entry per step as
it finishes. A reset interrupted anywhere (Ctrl-C, a lost laptop, a failed `pulumi up`) is
continued with ``--resume`` (done steps are skipped; each step can safely run twice) or
reverted with ``--undo`` (bucket back to the time the reset was requested, spec back to its
image, restore block and maintenance flag from before).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import FlowError
from ...facts.ecs import DEREGISTRATION_DELAY, TASK_START_SECONDS

if TYPE_CHECKING:
    from ...spec import ClientSpec
    from ...spec.service import ServiceSpec

STEPS = (
    "noted",
    "spec-written",
    "maintenance-on",
    "restore-started",
    "bucket-reset",
    "restore-available",
    "deployed",
    "verified",
    "maintenance-off",
)
"""The reset, in order. ``restore-started`` and ``bucket-reset`` run side by side."""
NEEDS_PULUMI = frozenset({"maintenance-on", "deployed", "maintenance-off"})
"""Steps that run `pulumi up`: with ``--apply`` only, otherwise left to the pull request."""
WITHOUT_PULUMI = ("noted", "spec-written", "restore-started", "bucket-reset")
"""What a reset without ``--apply`` does; the pull request's `pulumi up` and ``--resume --apply`` do the rest."""
UNDO_STEPS = ("bucket-undone", "spec-undone", "unprotected", "undeployed")
"""The undo, in order; ``unprotected`` and ``undeployed`` need the Pulumi CLI (``--apply``)."""


UNSET_RESTORE: Any = object()
"""No database: the restore block is left as it is."""


def restore_id_at(moment: dt.datetime) -> str:
    """The ``RestoreSpec.id`` convention: the UTC time the reset was requested, ``yyyymmddthhmm``."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dt%H%M")


def state_path(spec_path: Path, stack: str) -> Path:
    """Where a stack's reset is recorded: beside its spec."""
    return spec_path.with_name(f"{stack}.reset.json")


@dataclass
class ResetState:
    """Everything a reset needs to resume or be undone, written after every step."""

    client: str
    stack: str
    to: str
    """The time the client is reset to (UTC, ISO-8601)."""
    requested_at: str
    """When the reset was requested: where ``--undo`` takes the bucket back to."""
    restore_id: str
    restored: str
    """The identifier of the instance the reset restores into."""
    source: str
    """The instance it restores from (the one the app used before)."""
    bucket: str | None
    image: str | None
    """The image that ran at ``to``; None when the spec builds its image."""
    image_source: str
    before: dict[str, Any]
    """The spec's ``service.image``, ``service.maintenance`` and ``database.restore`` before."""
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    undo: dict[str, dict[str, Any]] = field(default_factory=dict)

    def done(self, step: str) -> bool:
        return self.steps.get(step, {}).get("status") == "done"

    def undone(self, step: str) -> bool:
        return self.undo.get(step, {}).get("status") == "done"

    def record(self, step: str, status: str, now: dt.datetime, **detail: Any) -> None:
        """Note that ``step`` (a reset or an undo step) ended with ``status`` (done, pending, failed)."""
        book = self.undo if step in UNDO_STEPS else self.steps
        if step not in STEPS and step not in UNDO_STEPS:
            raise FlowError(f"unknown step {step!r}")
        book[step] = {"status": status, "at": iso(now), **detail}

    @property
    def finished(self) -> bool:
        return all(self.done(step) for step in STEPS) or (self.undone("spec-undone") and self.undone("bucket-undone"))

    def remaining(self, apply: bool) -> list[str]:
        """The reset steps still to run; without ``apply``, only those that need no `pulumi up`."""
        todo = [step for step in STEPS if not self.done(step)]
        return todo if apply else [step for step in todo if step in WITHOUT_PULUMI]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ResetState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FlowError(f"no reset is recorded in {path}: nothing to resume or undo") from None
        except json.JSONDecodeError as error:
            raise FlowError(f"{path} is not a reset state file ({error}); fix or remove it") from None
        return cls(**data)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- which app ran at a time -------------------------------------------------------------------


@dataclass(frozen=True)
class RanAt:
    """The app that served at a time, and where that answer came from."""

    image: str | None
    revision: str | None
    source: str
    """``ecs`` (the service's deployment history), ``git`` (the spec's history) or ``given``."""
    note: str = ""


def app_at(deployments: Sequence[Mapping[str, str]], when: dt.datetime) -> RanAt | None:
    """The task definition and image serving at ``when``, from ``history.read_history`` rows.

    The newest deployment that started at or before ``when`` and completed: a rolled-back or
    stopped one never took over, so the one before it still served. A deployment still in
    progress at ``when`` means old and new tasks both served; the older (completed) one is
    returned and the note says so.
    """
    earlier = sorted(
        (d for d in deployments if parse_iso(d["started"]) <= when), key=lambda d: d["started"], reverse=True
    )
    rolling = [d for d in earlier if d["outcome"] in ("in progress", "rolling back")]
    for deployment in earlier:
        if deployment["outcome"] == "completed":
            note = ""
            newer = [d for d in rolling if d["started"] > deployment["started"]]
            if newer:
                note = f"deployment of {newer[0]['revision']} was rolling out at that time"
            return RanAt(deployment["image"], deployment["revision"], "ecs", note)
    return None


def git_image_at(spec_path: Path, when: dt.datetime) -> tuple[str, str] | None:
    """(image, commit) of ``service.image`` in the last commit of the spec at or before ``when``.

    A commit's time is when it was written, not when it was deployed: this is the cross-check,
    the deployment history is the answer. None outside a git repository or without history.
    """
    import yaml

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=spec_path.parent, capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()

    try:
        relative = git("ls-files", "--full-name", spec_path.name)
        commit = git("log", "-1", "--format=%H", f"--before={iso(when)}", "--", spec_path.name)
        if not relative or not commit:
            return None
        text = git("show", f"{commit}:{relative}")
    except (OSError, subprocess.SubprocessError):
        return None
    image = ((yaml.safe_load(text) or {}).get("service") or {}).get("image")
    return (str(image), commit[:12]) if image else None


def choose_image(ecs: RanAt | None, git: tuple[str, str] | None, given: str | None) -> RanAt | None:
    """The image to run after the reset: ``--image`` if given, else ECS's answer, else git's."""
    if given:
        return RanAt(given, None, "given", "--image")
    if ecs is not None:
        if git is None:
            return RanAt(ecs.image, ecs.revision, "ecs", _join(ecs.note, "the spec's git history was not at hand"))
        agree = "agrees" if git[0] == ecs.image else f"DISAGREES: it had {git[0]}"
        return RanAt(ecs.image, ecs.revision, "ecs", _join(ecs.note, f"the spec at {git[1]} {agree}"))
    if git is not None:
        return RanAt(git[0], None, "git", f"no deployment history reaches that time; spec at commit {git[1]}")
    return None


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


# --- how long it takes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One node of the reset's dependency graph."""

    minutes: float
    after: tuple[str, ...] = ()


def critical_path(graph: Mapping[str, Task]) -> tuple[float, list[str]]:
    """The longest path through ``graph``: its length in minutes and its nodes in order."""
    finish: dict[str, tuple[float, list[str]]] = {}

    def visit(name: str) -> tuple[float, list[str]]:
        if name not in finish:
            task = graph[name]
            start, path = max((visit(dep) for dep in task.after), default=(0.0, []), key=lambda item: item[0])
            finish[name] = (start + task.minutes, [*path, name])
        return finish[name]

    return max((visit(name) for name in graph), key=lambda item: item[0])


@dataclass(frozen=True)
class Durations:
    """The inputs of the estimate, in minutes (see ``benchmarks/reset_duration.py``)."""

    restore: float = 30.0
    """RDS point-in-time restore of a small instance; grows with the volume and the log replayed."""
    review: float = 30.0
    """Pull request review and CI."""
    manual_prep: float = 15.0
    """By hand: note the time, dry-run the bucket, find the image (`git log -p`), edit the spec."""
    rollout: float = 7.0
    """New task definition and a healthy rollout (``rollout.healthy_rollout_minutes``)."""
    bucket: float = 5.0
    """The bucket reset's copies (``reset-bucket`` on 8 threads)."""
    rule: float = 1.0
    """A targeted `pulumi up` adding or removing the maintenance rule."""
    plan: float = 1.0
    """`crane reset` checking the windows, reading the history and planning the bucket."""


def before_graph(d: Durations) -> dict[str, Task]:
    """Today's README procedure: the restore starts only at `pulumi up`, after review."""
    return {
        "prepare by hand": Task(d.manual_prep),
        "review and CI": Task(d.review, ("prepare by hand",)),
        "restore": Task(d.restore, ("review and CI",)),
        "task definition and rollout": Task(d.rollout, ("restore",)),
        "bucket reset": Task(d.bucket, ("task definition and rollout",)),
    }


def after_graph(d: Durations) -> dict[str, Task]:
    """`crane reset --apply`: restore and bucket start at minute zero, review runs beside them."""
    return {
        "plan": Task(d.plan),
        "maintenance on": Task(d.rule, ("plan",)),
        "restore": Task(d.restore, ("plan",)),
        "bucket reset": Task(d.bucket, ("maintenance on",)),
        "review and CI": Task(d.review, ("plan",)),
        "deploy, task definition and rollout": Task(d.rollout, ("restore", "bucket reset", "review and CI")),
        "maintenance off": Task(d.rule, ("deploy, task definition and rollout",)),
    }


SECONDS_PER_COPY = 0.1
"""One S3 CopyObject of a small object, a generous figure: tens of milliseconds in region."""


def rollout_minutes(service: ServiceSpec) -> float:
    """A healthy rollout: a task starts, passes the grace period and its healthy checks, the old one drains."""
    check = service.health_check
    seconds = TASK_START_SECONDS + check.grace_period_seconds + check.healthy_threshold * check.interval_seconds
    return (seconds + DEREGISTRATION_DELAY) / 60


def bucket_minutes(actions: int, workers: int) -> float:
    """The bucket reset's copies on ``workers`` threads."""
    return actions * SECONDS_PER_COPY / max(1, workers) / 60


def estimate_for(spec: ClientSpec, actions: int, workers: int) -> tuple[float, float]:
    """(before, after) minutes from the request to a verified app, for this client."""
    durations = Durations(rollout=rollout_minutes(spec.service), bucket=bucket_minutes(actions, workers))
    if spec.database is None:
        durations = Durations(**{**asdict(durations), "restore": 0.0})
    return critical_path(before_graph(durations))[0], critical_path(after_graph(durations))[0]
