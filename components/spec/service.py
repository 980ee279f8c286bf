"""The service part of a client spec: the stateless web app on ECS Fargate."""

import posixpath
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..facts.cloudwatch import LogRetention
from ..facts.fargate import FARGATE_MEMORY, FargateCpu, describe_memory, valid_memory
from .base import (
    EnvName,
    Matches,
    SecretArn,
    StrictModel,
    refuse,
    refuse_persistent_storage,
)
from .lifecycle import ReleaseSpec, size_problem
from .security import WafSpec

Hostname = Annotated[
    str,
    StringConstraints(max_length=253),
    Matches(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", "a lowercase DNS name like shop.acme.com"),
]
CertificateArn = Annotated[
    str,
    Matches(
        r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$",
        "an ACM certificate ARN like arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
    ),
]


class BuildSpec(StrictModel):
    """Build the image from source and push it to the client's own ECR repository."""

    context: str
    """Build context directory, relative to the repository root (where Pulumi.yaml is)."""
    dockerfile: str = "Dockerfile"
    """Dockerfile path, relative to the context."""
    target: str | None = None
    """Multi-stage build target, if any."""
    args: dict[EnvName, str] = {}
    """Build arguments. Not for secrets: build args are visible in the image history."""


class HealthCheckSpec(StrictModel):
    """The load balancer's HTTP health check, the default way a task is judged alive."""

    path: Annotated[str, Matches(r"^/[^\s]{0,1023}$", "a URL path starting with /, without spaces, like /healthz")] = (
        "/"
    )
    """HTTP path the load balancer requests; it should not touch the database."""
    matcher: Annotated[
        str,
        Matches(
            r"^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$",
            "HTTP codes, ranges or a comma-separated list of them, like 200, 200-399 or 200,302",
        ),
    ] = "200-399"
    """HTTP codes that count as healthy, like `200` or `200-399`."""
    interval_seconds: Annotated[int, Field(ge=5, le=300)] = 15
    timeout_seconds: Annotated[int, Field(ge=2, le=120)] = 5
    healthy_threshold: Annotated[int, Field(ge=2, le=10)] = 2
    unhealthy_threshold: Annotated[int, Field(ge=2, le=10)] = 3
    grace_period_seconds: Annotated[int, Field(ge=0, le=3600)] = 60
    """How long ECS ignores failing checks after a task starts (slow app boot)."""

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> "HealthCheckSpec":
        if self.timeout_seconds >= self.interval_seconds:
            refuse(
                self,
                "timeout_seconds",
                f"timeout_seconds={self.timeout_seconds} must be less than interval_seconds={self.interval_seconds}",
            )
        return self


class ContainerHealthCheckSpec(StrictModel):
    """An opt-in health check run inside the container by the container runtime.

    Every check execs a process in the container; run often, exec health checks are known
    to leak memory in container runtimes until the host dies. The load balancer check is
    the default; this one is for apps that need it, and never more often than every 30 s.
    """

    command: Annotated[list[str], Field(min_length=1)]
    """The check, as ECS expects: `["CMD-SHELL", "curl -f http://localhost:8080/healthz || exit 1"]`
    or `["CMD", "/bin/check"]`."""
    interval_seconds: Annotated[int, Field(ge=30, le=300)] = 60
    """At least 30 s: frequent exec checks leak memory in container runtimes."""
    timeout_seconds: Annotated[int, Field(ge=2, le=60)] = 5
    retries: Annotated[int, Field(ge=1, le=10)] = 3
    start_period_seconds: Annotated[int, Field(ge=0, le=300)] = 60

    @field_validator("command")
    @classmethod
    def _command_form(cls, value: list[str]) -> list[str]:
        if value[0] not in ("CMD", "CMD-SHELL", "NONE"):
            raise ValueError(f"must start with CMD or CMD-SHELL, got {value[0]!r}")
        if value[0] != "NONE" and len(value) < 2:
            raise ValueError(f"{value[0]} needs the command to run after it")
        return value


class AutoscalingSpec(StrictModel):
    """Target-tracking autoscaling of the task count."""

    min: Annotated[int, Field(ge=1, le=100)] = 2
    max: Annotated[int, Field(ge=1, le=100)] = 6
    cpu_percent: Annotated[int, Field(ge=10, le=95)] | None = 60
    """Average CPU the service aims for; null to scale on memory only."""
    memory_percent: Annotated[int, Field(ge=10, le=95)] | None = 75
    """Average memory the service aims for; null to scale on CPU only."""

    @model_validator(mode="after")
    def _bounds(self) -> "AutoscalingSpec":
        if self.min > self.max:
            refuse(self, "min", f"min={self.min} is greater than max={self.max}")
        if self.cpu_percent is None and self.memory_percent is None:
            refuse(self, "cpu_percent", "set cpu_percent or memory_percent (or remove autoscaling)")
        return self


class ServiceSpec(StrictModel):
    """The client's stateless web app: a Fargate service behind an Application Load Balancer."""

    image: (
        Annotated[
            str,
            Matches(r"^[a-z0-9][a-z0-9._/:@-]{0,254}$", "a lowercase image reference like ghcr.io/acme/shop:1.4.2"),
        ]
        | None
    ) = None
    """A registry image reference, like `ghcr.io/acme/shop:1.4.2`. Prefer a fixed tag or digest."""
    build: BuildSpec | None = None
    """Build the image from source instead of `image`."""
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    """The port the app listens on inside the container."""
    cpu: FargateCpu = 256
    """Fargate CPU units (1024 = one vCPU)."""
    memory: int = 512
    """Hard memory limit of the task in MiB; must be a valid Fargate size for `cpu`."""
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    """CPU architecture of the tasks (arm64/Graviton is about 20 % cheaper)."""
    desired_count: Annotated[int, Field(ge=1, le=100)] = 2
    """Tasks to run. Unset: 2 for a client with a VPC of its own, 1 for a client on a platform.
    Two or more keep the app up while one task is replaced after a crash or an AZ outage;
    with one, ECS starts a replacement within about a minute and the app is down until it is
    healthy. Deployments do not interrupt even one task: ECS starts the new task before it
    stops the old (minimum healthy 100 %). Each task costs its Fargate hours again (9.01 USD a
    month at 0.25 vCPU / 0.5 GB, x86_64 in eu-west-1)."""
    autoscaling: AutoscalingSpec | None = None
    health_check: HealthCheckSpec = HealthCheckSpec()
    container_health_check: ContainerHealthCheckSpec | None = None
    """Opt-in; see ContainerHealthCheckSpec for why it is off by default."""
    command: list[str] | None = None
    """Override the image's command."""
    environment: dict[EnvName, str] = {}
    """Plain environment variables. Secrets go in `secrets`."""
    secrets: dict[EnvName, SecretArn] = {}
    """Environment variables read at task start from Secrets Manager or SSM Parameter Store."""
    domain: Hostname | None = None
    """Serve HTTPS on this name: an ACM certificate is requested (DNS validation)."""
    hosted_zone_id: (
        Annotated[str, Matches(r"^Z[A-Z0-9]{4,32}$", "a Route 53 zone ID like Z0123456789ABCDEFGHIJ")] | None
    ) = None
    """Route 53 zone of `domain`: validation and alias records are created in it. Without it
    the certificate waits for you to add the validation record shown in the outputs."""
    certificate_arn: CertificateArn | None = None
    """Serve HTTPS with an existing ACM certificate instead of requesting one."""
    plain_http: bool = False
    """Serve plain HTTP without `domain` or `certificate_arn`. Everything the app sends and
    receives, passwords and session cookies included, crosses the internet in clear text,
    readable and changeable by anyone on the path. For throwaway previews with no real users
    or data only."""
    scratch_paths: Annotated[list[str], Field(max_length=10)] = ["/tmp"]
    """Writable, ephemeral directories; everything else in the container is read-only."""
    log_retention_days: LogRetention = 30
    """How long the app's logs are kept in CloudWatch Logs."""
    exec: bool = False
    """Allow `crane exec` (ECS Exec): a shell in a running task. Costs: whoever may call
    ecs:ExecuteCommand on the cluster gets a shell beside the app's secrets and database; the
    task role gains the SSM channel permissions; the SSM agent gets /var/lib/amazon and
    /var/log/amazon as writable scratch paths. Every session is logged to an encrypted log
    group kept a year."""
    wait_for_steady_state: bool = True
    """`pulumi up` waits until each rollout is healthy or rolled back, and fails on a
    rollback. Turning it off makes `up` return while ECS is still starting tasks: it reports
    success even when the circuit breaker later rolls the app back to the previous version
    (during a reset: back to the previous database), and only the deployment alarm tells."""
    maintenance: bool = False
    """Maintenance mode: a listener rule above every other answers each request with 503 and
    a short "back soon" page, while the tasks keep running behind it (health checks and
    rollouts go on). `crane reset` turns it on while the data is replaced, `crane maintenance
    on|off` by hand. The load balancer cannot add a `Retry-After` header to it."""
    release: ReleaseSpec | None = None
    """A command run once per new task definition revision before it takes traffic, like a
    migration; a failure stops the rollout and the old revision keeps serving (see ReleaseSpec)."""
    waf: WafSpec | None = None
    """Opt-in (`waf: {}` for the defaults): AWS WAF on the load balancer, about 8 USD a month
    plus 0.60 USD per million requests (see WafSpec)."""

    _refuse_storage = model_validator(mode="before")(lambda data: refuse_persistent_storage(data))

    @field_validator("scratch_paths")
    @classmethod
    def _scratch(cls, value: list[str]) -> list[str]:
        for path in value:
            if not path.startswith("/") or posixpath.normpath(path) != path or path == "/":
                raise ValueError(f"{path!r} must be an absolute, normalised path other than / (like /tmp)")
        if len(set(value)) != len(value):
            raise ValueError(f"paths are listed twice: {value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "ServiceSpec":
        if (self.image is None) == (self.build is None):
            refuse(self, "image", "set exactly one of `image` (a registry image) or `build` (build from source)")
        if self.memory not in valid_memory(self.cpu):
            refuse(
                self,
                "memory",
                f"memory={self.memory} is not valid for cpu={self.cpu}; valid: {describe_memory(self.cpu)} "
                f"(Fargate sizes: cpu {sorted(FARGATE_MEMORY)})",
            )
        if self.domain and self.certificate_arn:
            refuse(
                self,
                "certificate_arn",
                "set `domain` (a new certificate) or `certificate_arn` (an existing one), not both",
            )
        if not (self.domain or self.certificate_arn or self.plain_http):
            refuse(
                self,
                "domain",
                "the app is served over HTTPS: set `domain` (a new ACM certificate, like shop.acme.com) or "
                "`certificate_arn` (an existing one); only a throwaway preview may set `plain_http: true`",
            )
        if self.plain_http and (self.domain or self.certificate_arn):
            refuse(self, "plain_http", "`plain_http: true` contradicts `domain`/`certificate_arn`, which serve HTTPS")
        if self.hosted_zone_id and not self.domain:
            refuse(self, "hosted_zone_id", "`hosted_zone_id` needs `domain`")
        release = self.release and size_problem(self.release.cpu, self.release.memory, self.cpu, self.memory)
        if release:
            refuse(self, f"release.{release[0]}", release[1])
        both = sorted(set(self.environment) & set(self.secrets))
        if both:
            refuse(self, "secrets", f"{both} are set in both environment and secrets")
        if self.autoscaling and not self.autoscaling.min <= self.desired_count <= self.autoscaling.max:
            refuse(
                self,
                "desired_count",
                f"desired_count={self.desired_count} is outside autoscaling "
                f"min={self.autoscaling.min}..max={self.autoscaling.max}",
            )
        return self

    @property
    def https(self) -> bool:
        """Whether the load balancer serves HTTPS (and redirects HTTP to it)."""
        return bool(self.domain or self.certificate_arn)
