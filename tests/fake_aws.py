"""Fake AWS for the tests that call AWS APIs: fake credentials, and a moto server on 127.0.0.1."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from moto.server import ThreadedMotoServer


def use_fake_credentials(monkeypatch: pytest.MonkeyPatch, region: str | None = None) -> None:
    """Fake credentials, no config files and no instance metadata: nothing can reach real AWS."""
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if region:
        env["AWS_DEFAULT_REGION"] = region
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on a free port of 127.0.0.1; yields its URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


class DeploymentsApi:
    """Stubbed: moto has no ListServiceDeployments, DescribeServiceDeployments or
    DescribeServiceRevisions. This wrapper answers those three as ECS does and passes every
    other call (DescribeServices, DescribeTaskDefinition) to the moto client."""

    def __init__(self, ecs, deployments: list[dict], revisions: dict[str, str]) -> None:
        self._ecs, self._deployments, self._revisions = ecs, deployments, revisions
        self.calls: list[str] = []

    def __getattr__(self, name):
        return getattr(self._ecs, name)

    def list_service_deployments(self, **request):
        self.calls.append("ListServiceDeployments")
        after = request["createdAt"]["after"]
        return {
            "serviceDeployments": [
                {"serviceDeploymentArn": d["serviceDeploymentArn"]} for d in self._deployments if d["createdAt"] > after
            ]
        }

    def describe_service_deployments(self, serviceDeploymentArns):  # noqa: N803 - the API's name
        self.calls.append("DescribeServiceDeployments")
        return {
            "serviceDeployments": [d for d in self._deployments if d["serviceDeploymentArn"] in serviceDeploymentArns]
        }

    def describe_service_revisions(self, serviceRevisionArns):  # noqa: N803
        self.calls.append("DescribeServiceRevisions")
        return {
            "serviceRevisions": [
                {"serviceRevisionArn": a, "taskDefinition": self._revisions[a]} for a in serviceRevisionArns
            ]
        }
