"""What the day-two commands share: AWS clients, finding a client's app by its tags, and errors.

Every command finds the client's ECS service through the Resource Groups Tagging API (tags
``client``, ``stack`` and ``managed-by=crane-it``, set by the stack's provider on everything
it creates) and reads the rest from the service itself: its cluster, task definition, log
group (the task definition's awslogs options), subnets and security groups. Nothing here
writes to AWS.

boto3 is imported only when a command runs (it is the ``ops`` extra), so ``crane --help`` and
the other commands work without it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..facts import tags
from ..facts.regions import REGIONS

NOTHING_CHANGED = 2
"""Exit code of a refusal before any change: no credentials, unknown client, wrong region, bad input."""

AwsClient = Any
"""A boto3 client (boto3 builds its classes at run time)."""

_CREDENTIAL_ERRORS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "AccessDenied",
        "AccessDeniedException",
    }
)


class OpsError(Exception):
    """A command refused before changing anything; the message says what to do."""


def add_aws_arguments(parser: argparse.ArgumentParser, *, client: bool = True) -> None:
    """The options every day-two command takes: the client, --stack, --region, --endpoint-url, --json."""
    parser.set_defaults(command_name=parser.prog.rsplit(" ", 1)[-1])
    if client:
        parser.add_argument("client", metavar="CLIENT", help="the client's slug (its `client` tag)")
    parser.add_argument("--stack", help="the stack (its `stack` tag), when the client has several in the region")
    parser.add_argument("--region", help="AWS region of the client (default: the AWS profile's region)")
    parser.add_argument("--endpoint-url", help="AWS endpoint for every service, e.g. a local moto server")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def command_after_dashes(args: argparse.Namespace, add_options: Callable[[argparse.ArgumentParser], None]) -> list[str]:
    """The command after ``--`` in ``args.command``; options written before the ``--`` are parsed.

    argparse cannot mix options with a positional command that follows them, so the command
    is declared with ``nargs=REMAINDER`` and everything between the client and ``--``
    (``crane run acme --force -- python manage.py migrate``) is parsed here into ``args``.
    """
    rest = list(args.command)
    if "--" not in rest:
        if rest and rest[0].startswith("-"):
            raise OpsError(f"put the command after --, like: crane {args.command_name} CLIENT {rest[0]} -- COMMAND")
        return rest
    split = rest.index("--")
    options = argparse.ArgumentParser(prog=f"crane {args.command_name}", add_help=False)
    add_aws_arguments(options, client=False)
    add_options(options)
    try:
        options.parse_args(rest[:split], namespace=args)
    except SystemExit as exit_:
        raise OpsError(f"unreadable options before --: {' '.join(rest[:split])}") from exit_
    return rest[split + 1 :]


class Aws:
    """boto3 clients for one region (and endpoint), created on first use."""

    def __init__(self, region: str | None, endpoint_url: str | None = None) -> None:
        try:
            import boto3
        except ImportError as error:  # pragma: no cover - the test extra installs boto3
            raise OpsError("this command needs boto3: pip install 'crane-it[ops]'") from error
        self._session = boto3.session.Session(region_name=region)
        self.region: str = self._session.region_name or ""
        self.endpoint_url = endpoint_url
        if not self.region:
            raise OpsError("no AWS region: pass --region or set AWS_REGION (or a region in your AWS profile)")
        if self.region not in REGIONS:
            raise OpsError(
                f"{self.region!r} is not an AWS region Crane It deploys to; valid: {', '.join(sorted(REGIONS))}"
            )
        if self._session.get_credentials() is None:
            raise OpsError(
                "no AWS credentials found: set AWS_PROFILE (then `aws sso login` if it uses SSO), "
                "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        self._clients: dict[str, AwsClient] = {}

    def client(self, service: str) -> AwsClient:
        """The boto3 client of ``service``, with standard retries."""
        if service not in self._clients:
            from botocore.config import Config

            self._clients[service] = self._session.client(
                service, endpoint_url=self.endpoint_url, config=Config(retries={"mode": "standard"})
            )
        return self._clients[service]


def guarded(command: str, body: Callable[[], int]) -> int:
    """Run a command's body; turn refusals and credential/region errors into exit 2 on stderr."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

    try:
        return body()
    except OpsError as error:
        print(f"crane {command}: {error}; nothing changed", file=sys.stderr)
    except (NoCredentialsError, NoRegionError) as error:
        print(f"crane {command}: {error}; nothing changed", file=sys.stderr)
    except EndpointConnectionError as error:
        print(f"crane {command}: cannot reach AWS ({error}): check --region; nothing changed", file=sys.stderr)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code not in _CREDENTIAL_ERRORS:
            raise
        print(
            f"crane {command}: AWS refused the credentials or the call ({code}): "
            f"{error.response['Error'].get('Message', '')}; nothing changed",
            file=sys.stderr,
        )
    except KeyboardInterrupt:
        print(f"crane {command}: interrupted", file=sys.stderr)
        return 130
    return NOTHING_CHANGED


# --- finding a client's app ---------------------------------------------------------------


@dataclass(frozen=True)
class App:
    """One client's running app: its ECS service as DescribeServices returns it."""

    client: str
    stack: str
    region: str
    service: dict[str, Any] = field(repr=False)

    @property
    def cluster_arn(self) -> str:
        return str(self.service["clusterArn"])

    @property
    def service_name(self) -> str:
        return str(self.service["serviceName"])

    @property
    def task_definition_arn(self) -> str:
        return str(self.service["taskDefinition"])


def _tag_filters(client: str | None, stack: str | None) -> list[dict[str, Any]]:
    filters = [{"Key": tags.MANAGED_BY, "Values": [tags.MANAGED_BY_VALUE]}]
    if client:
        filters.append({"Key": tags.CLIENT, "Values": [client]})
    if stack:
        filters.append({"Key": tags.STACK, "Values": [stack]})
    return filters


def tagged_services(aws: Aws, client: str | None = None, stack: str | None = None) -> list[tuple[str, dict[str, str]]]:
    """(service ARN, tags) of every Crane It ECS service in the region, optionally of one client/stack."""
    pages = (
        aws.client("resourcegroupstaggingapi")
        .get_paginator("get_resources")
        .paginate(TagFilters=_tag_filters(client, stack), ResourceTypeFilters=["ecs:service"])
    )
    return [
        (item["ResourceARN"], {tag["Key"]: tag["Value"] for tag in item.get("Tags", [])})
        for page in pages
        for item in page.get("ResourceTagMappingList", [])
    ]


def find_app(aws: Aws, client: str, stack: str | None = None) -> App:
    """The client's one Crane It service in the region; refuse with the clients found instead."""
    found = tagged_services(aws, client, stack)
    if not found:
        where = f"client={client}" + (f", stack={stack}" if stack else "")
        others = sorted({item_tags.get(tags.CLIENT, "?") for _, item_tags in tagged_services(aws)})
        hint = (
            f"clients in {aws.region}: {', '.join(others)}"
            if others
            else f"no Crane It client runs in {aws.region}: wrong --region?"
        )
        raise OpsError(f"no Crane It service is tagged {where} in {aws.region} ({hint})")
    if len(found) > 1:
        stacks = sorted(item_tags.get(tags.STACK, "?") for _, item_tags in found)
        raise OpsError(
            f"client {client} has {len(found)} stacks in {aws.region}: {', '.join(stacks)}; choose one with --stack"
        )
    arn, item_tags = found[0]
    return App(client, item_tags.get(tags.STACK, ""), aws.region, describe_service(aws, arn))


def describe_service(aws: Aws, service_arn: str) -> dict[str, Any]:
    """DescribeServices of one service ARN (``arn:...:service/<cluster>/<service>``)."""
    cluster = service_arn.split(":", 5)[5].split("/")[1]
    services = aws.client("ecs").describe_services(cluster=cluster, services=[service_arn])["services"]
    if not services or services[0].get("status") == "INACTIVE":
        raise OpsError(f"service {service_arn} is tagged but no longer exists")
    return dict(services[0])


def task_definition(aws: Aws, arn: str) -> dict[str, Any]:
    """The registered task definition (any revision: Crane It keeps old ones registered)."""
    return dict(aws.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"])


def app_container(definition: dict[str, Any]) -> dict[str, Any]:
    """The app container of a Crane It task definition."""
    from ..app.container import CONTAINER

    for container in definition.get("containerDefinitions", []):
        if container.get("name") == CONTAINER:
            return dict(container)
    raise OpsError(f"task definition {definition.get('taskDefinitionArn')} has no container named {CONTAINER!r}")


def log_target(definition: dict[str, Any]) -> tuple[str, str]:
    """(log group, stream prefix) of the app container, from its awslogs options."""
    container = app_container(definition)
    options = container.get("logConfiguration", {}).get("options", {})
    if "awslogs-group" not in options:
        raise OpsError(f"the app container of {definition.get('taskDefinitionArn')} does not log to CloudWatch")
    return options["awslogs-group"], f"{options.get('awslogs-stream-prefix', '')}/{container['name']}/"


def deployment_in_progress(service: dict[str, Any]) -> dict[str, Any] | None:
    """The service's deployment still rolling out, or None (the rollout state of its deployments)."""
    for deployment in service.get("deployments", []):
        if deployment.get("rolloutState") == "IN_PROGRESS":
            return dict(deployment)
    return None


# --- small shared helpers -----------------------------------------------------------------


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``1h``, ``30d`` -> timedelta, refusing anything else by name."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit() or int(number) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 90s, 15m, 1h or 30d")
    return timedelta(**{units[unit]: int(number)})


def iso(moment: datetime | None) -> str:
    """UTC ISO-8601 to the second, or '-' for no time."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def short_arn(arn: str) -> str:
    """The last path segment of an ARN: a task id, ``family:revision`` of a task definition."""
    return arn.rsplit("/", 1)[-1]


def table(rows: list[list[str]]) -> Iterator[str]:
    """Left-aligned columns, two spaces apart; the first row is the header."""
    if not rows:
        return
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
