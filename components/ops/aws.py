"""What the day-two commands share: AWS clients, finding a client's app by its tags, and errors.

Every command finds the client's ECS service through the Resource Groups Tagging API (tags
``client``, ``stack`` and ``managed-by=crane-it``, set by the stack's provider on everything
it creates) and reads the rest from the service itself: its cluster, task definition, log
group (the task definition's awslogs options), subnets and security groups. Nothing here
writes to AWS.

boto3 and botocore are imported only inside these functions (they are the ``ops`` extra), so
``crane --help`` and the offline commands work without them; without them, :func:`import_boto3`
raises MissingExtraError naming the extra.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import OpsError, missing_extra
from ..facts import tags
from ..facts.regions import REGIONS

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


def import_boto3() -> Any:
    """The boto3 module, or MissingExtraError naming the ``ops`` extra that installs it."""
    try:
        import boto3
    except ImportError as error:
        raise missing_extra("this command", "boto3") from error
    return boto3


def refusal(error: BaseException) -> str | None:
    """What to tell the person when ``error`` is AWS refusing the credentials or the region, or
    an endpoint out of reach; None for any other error (a bug, to be raised as it is)."""
    try:
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError
    except ImportError:
        return None  # without botocore, no error can be botocore's
    if isinstance(error, (NoCredentialsError, NoRegionError)):
        return str(error)
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach AWS ({error}): check --region"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in _CREDENTIAL_ERRORS:
            return f"AWS refused the credentials or the call ({code}): {error.response['Error'].get('Message', '')}"
    return aws_error(error)


def aws_error(error: BaseException) -> str | None:
    """One line naming the AWS call that failed and AWS's answer; None when ``error`` is not AWS's.

    Covers botocore's errors (a refused call, a waiter that gave up, a connection lost) and an
    endpoint that lacks the API (moto raises NotImplementedError naming the action).
    """
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return None
    if isinstance(error, ClientError):
        answer = error.response.get("Error", {})
        return (
            f"AWS {error.operation_name} failed: {answer.get('Code', '?')}: {_line(answer.get('Message', ''))}".rstrip(
                ": "
            )
        )
    if isinstance(error, BotoCoreError):
        return f"AWS call failed: {_line(str(error))}"
    if isinstance(error, NotImplementedError) and "action has not been implemented" in str(error):
        action = str(error).split()[1]
        call = "".join(part.title() for part in action.split("_"))
        return f"AWS {call} failed: the endpoint does not implement it"
    return None


def _line(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut at ``limit`` characters (an endpoint may answer with a whole HTML page)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Aws:
    """boto3 clients for one region (and endpoint), created on first use."""

    def __init__(self, region: str | None, endpoint_url: str | None = None) -> None:
        boto3 = import_boto3()
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
    """The client's one Crane It web service in the region; refuse with the clients found instead.

    Workers (services tagged ``crane-worker``) are not the app: they are skipped.
    """
    found = [item for item in tagged_services(aws, client, stack) if tags.WORKER not in item[1]]
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


def iso(moment: datetime | None) -> str:
    """UTC ISO-8601 to the second, or '-' for no time."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def short_arn(arn: str) -> str:
    """The last path segment of an ARN: a task id, ``family:revision`` of a task definition."""
    return arn.rsplit("/", 1)[-1]
