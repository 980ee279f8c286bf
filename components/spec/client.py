"""The whole client spec, `stacks/<client>.yaml`, and its cross-section checks."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from ..facts import tags as tag_keys
from ..facts.env_names import BUCKET_ENV, DATABASE_ENV, DATABASE_SECRETS
from ..facts.regions import Region
from . import platform_defaults
from .alerts import AlertsSpec
from .backup import BackupSpec
from .base import Matches, Slug, StrictModel, refuse, refuse_persistent_storage
from .data import BucketSpec, DatabaseSpec, now_from
from .lifecycle import JobSpec, TaskName, WorkerSpec, size_problem
from .network import NetworkSpec
from .security import AccessLogsSpec
from .service import ServiceSpec

_TAG_CHARACTERS = "letters, digits, spaces and _ . : / = + - @"
TagKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128),
    Matches(r"^[\w .:/=+@-]+$", f"{_TAG_CHARACTERS}, like cost-center"),
]
TagValue = Annotated[
    str, StringConstraints(max_length=256), Matches(r"^[\w .:/=+@-]*$", f"{_TAG_CHARACTERS}, like web-team")
]
RESERVED_TAGS = frozenset({tag_keys.CLIENT, tag_keys.STACK, tag_keys.MANAGED_BY, tag_keys.RETIRING, tag_keys.WORKER})

# Environment names the stack sets itself from the bucket and the database.


class ClientSpec(StrictModel):
    """Everything Crane It deploys for one client, validated as a whole before any resource."""

    client: Slug
    """The client's slug: used in resource names and the `client` tag."""
    region: Region
    """The AWS region the client runs in."""
    tags: Annotated[dict[TagKey, TagValue], Field(max_length=40)] = {}
    """Extra tags on every resource, beside client, stack and managed-by."""
    network: NetworkSpec = NetworkSpec()
    platform: Slug | None = None
    """Run on this platform stack (`stacks/<platform>.yaml`) instead of a VPC of its own: the
    client shares its VPC, NAT, load balancer and cluster and declares only its own listener
    rule, certificate, target group, task security group, service, data and alarms.
    Needs `service.domain` (the platform routes by host) and no `network`."""
    listener_rule_priority: Annotated[int, Field(ge=2, le=999)] | None = None
    """Pin the platform listener rule's priority (2-999). Unset (the usual case), it is
    derived from the client slug (1000-50000), so adding a client never renumbers another;
    set it only when the derived one collides with another client's (refused by name). The
    priority one below it is the client's maintenance rule (`service.maintenance`)."""
    service: ServiceSpec
    jobs: Annotated[dict[TaskName, JobSpec], Field(max_length=20)] = {}
    """Named scheduled tasks of the app (EventBridge Scheduler to ECS RunTask), like
    `clear-sessions: {schedule: "cron(0 3 * * ? *)", command: [python, manage.py, clearsessions]}`."""
    workers: Annotated[dict[TaskName, WorkerSpec], Field(max_length=10)] = {}
    """Named background services without a load balancer, like
    `emails: {command: [celery, -A, shop, worker]}`."""
    bucket: BucketSpec | None = None
    """Present: the client gets a bucket (`bucket: {}` for the defaults)."""
    database: DatabaseSpec | None = None
    """Present: the client gets a database."""
    backup: BackupSpec = BackupSpec()
    """AWS Backup settings; applied whenever the client has a bucket or a database."""
    alerts: AlertsSpec = AlertsSpec()
    keys: Literal["per_purpose", "per_client"] = "per_purpose"
    """How many customer-managed KMS keys encrypt what the client keeps. KMS bills 1 USD a key
    a month, plus 1 USD for each of the first two yearly rotations: 3 USD a key from the third
    year. Unset: `per_client` for a client on a `platform`, `per_purpose` for one with a VPC
    of its own.
    `per_client` (the default on a platform): one key encrypts all of it, with a policy
    admitting the account's IAM, CloudWatch Logs (this account's groups) and CloudWatch alarms
    and EventBridge (alert messages); 1 USD a month the first year, 3 from the third. Clients
    stay isolated from each other (the key is the client's own), but disabling or losing the
    key makes the client's files, database, logs and backups unreadable at once. A copy region
    (`backup.copy_to_region`) and ECS Exec (`service.exec`) keep keys of their own.
    `per_purpose` (the default with a VPC of its own, an opt-in on a platform): five keys, one
    each for the bucket, the database (with its snapshots and password secret), the backup
    vault, the log groups and the alert topic; 5 USD a month the first year, 15 from the
    third. What it adds is separation inside one client: disabling or losing one key touches
    one purpose, S3 recovery points are under a key apart from the bucket's, and a key policy
    can be granted per purpose. Choose it for a client whose auditors ask for key separation
    or whose people hold different rights on its files and its database.
    Choose when the client is created: RDS cannot change an instance's key, so switching an
    existing client replaces its database and backup vault. Their protection refuses that
    `pulumi up`, and `crane diff` reports it as data at risk. A platform client deployed
    before `per_client` became the platform default keeps its keys only by naming them
    (`keys: per_purpose`)."""
    retire: bool = False
    """Retire this stack on purpose, the first step of the retire flow (docs/client-data.md). `pulumi up`
    with `retire: true` turns off Pulumi `protect` everywhere and the deletion protection
    of the database instances and the load balancer, so that `pulumi destroy` can run. That
    destroy then DELETES the database instances: RDS first takes a final snapshot of each
    (`<identifier>-final`, unless `database.final_snapshot: false`) and keeps their automated
    backups. It also deletes the load balancer, which takes the app off the internet. The
    bucket, the backup vault with its recovery points and the KMS keys stay in the account
    (retained on delete), and so do the final snapshots. Every resource is tagged
    `retiring: true`; the policy pack allows these settings only with that tag."""
    access_logs: AccessLogsSpec | None = None
    """Opt-in (`access_logs: {}` for the defaults): load balancer and bucket access logs in a
    log bucket of the client's own; it costs their S3 storage (see AccessLogsSpec). On a
    platform only the bucket's: the shared load balancer is the platform's."""

    _refuse_storage = model_validator(mode="before")(lambda data: refuse_persistent_storage(data))
    _platform_defaults = model_validator(mode="before")(lambda data: platform_defaults.apply(data))

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if key.lower().startswith("aws:"):
                raise ValueError(f"tag {key!r}: keys starting with aws: are reserved by AWS")
            if key in RESERVED_TAGS:
                raise ValueError(f"tag {key!r} is set by Crane It; reserved: {', '.join(sorted(RESERVED_TAGS))}")
        return value

    @model_validator(mode="after")
    def _sections_agree(self, info: ValidationInfo) -> "ClientSpec":
        injected: list[str] = []
        if self.bucket:
            injected += BUCKET_ENV
        if self.database:
            injected += DATABASE_ENV + DATABASE_SECRETS
        clash = sorted(set(injected) & (set(self.service.environment) | set(self.service.secrets)))
        if clash:
            refuse(
                self,
                "service.secrets" if set(clash) & set(self.service.secrets) else "service.environment",
                f"service environment/secrets {clash} are set by Crane It from the bucket/database",
            )
        if self.database:
            # AWS Backup's continuous rule takes over the instance's automated backups and sets
            # their retention to point_in_time_days, so that is how far back a restore reaches.
            problem = self.database.restore_window_problem(
                self.backup.point_in_time_days, "backup.point_in_time_days", now_from(info)
            )
            if problem:
                refuse(self, "database.restore.point_in_time", problem)
            snapshots = self.backup.snapshot_problem()
            if snapshots:
                refuse(self, "backup.monthly_retention_days", snapshots)
        self._platform_fits()
        self._tasks_fit()
        if self.backup.copy_to_region == self.region:
            refuse(
                self,
                "backup.copy_to_region",
                f"backup.copy_to_region={self.region!r} is the client's own region; pick another",
            )
        if self.bucket and self.has_data and self.bucket.noncurrent_version_days < self.backup.point_in_time_days:
            refuse(
                self,
                "bucket.noncurrent_version_days",
                f"bucket.noncurrent_version_days={self.bucket.noncurrent_version_days} is shorter than "
                f"backup.point_in_time_days={self.backup.point_in_time_days}: old versions would expire "
                "before the reset window ends; raise it or shorten the window",
            )
        return self

    def _platform_fits(self) -> None:
        if self.platform is None:
            if self.listener_rule_priority is not None:
                refuse(self, "listener_rule_priority", "`listener_rule_priority` needs `platform`")
            return
        if "network" in self.model_fields_set:
            refuse(
                self, "network", f"a client on platform {self.platform!r} uses the platform's network; remove `network`"
            )
        if not self.service.domain:
            refuse(
                self,
                "service.domain",
                f"a client on platform {self.platform!r} needs `service.domain`: the shared load balancer "
                "routes by host and serves the client's own certificate for it",
            )
        if self.service.waf is not None:
            refuse(
                self,
                "service.waf",
                f"a client on platform {self.platform!r} is behind the platform's shared load balancer, "
                "which a web ACL of one client cannot guard; remove `service.waf` (set `waf` in the "
                "platform's spec to guard every client on it)",
            )
        if self.service.exec:
            refuse(
                self,
                "service.exec",
                f"a client on platform {self.platform!r} runs in the platform's shared cluster, whose ECS Exec "
                "settings (session key, session log) belong to the platform: sessions would be neither encrypted "
                "with this client's key nor logged; remove `service.exec` (use `crane run` for one-off commands)",
            )

    def _tasks_fit(self) -> None:
        """Every job and worker task is a Fargate size (cpu/memory default to the service's)."""
        for section, tasks in (("jobs", self.jobs), ("workers", self.workers)):
            for task_name, task in tasks.items():
                problem = size_problem(task.cpu, task.memory, self.service.cpu, self.service.memory)
                if problem:
                    refuse(self, f"{section}.{task_name}.{problem[0]}", problem[1])
        both = sorted(set(self.jobs) & set(self.workers))
        if both:
            refuse(self, "workers", f"{both} name both a job and a worker; give each its own name")

    @property
    def has_data(self) -> bool:
        """Whether the client has a bucket or a database (and so gets backups)."""
        return self.bucket is not None or self.database is not None
