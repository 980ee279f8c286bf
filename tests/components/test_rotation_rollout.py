"""Item 14: a rotation of the database's managed password restarts the app's tasks (ECS reads it at start)."""

from __future__ import annotations

import json

from crane_it.app.rotation_rollout import UPDATE_SERVICE
from crane_it.review.render import render_stack
from crane_it.testing import ACCOUNT_ID

RULE = "aws:cloudwatch/eventRule:EventRule"


def _plan():
    return render_stack("example")


def test_the_rotation_of_the_managed_secret_starts_a_new_deployment_of_the_service():
    plan = _plan()
    db = plan.one("aws:rds/instance:Instance", "example-db")
    secret = db.outputs["masterUserSecrets"][0]["secretArn"]
    rule = plan.one(RULE, "example-db-rotation")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {
            "eventSource": ["secretsmanager.amazonaws.com"],
            "eventName": ["RotationSucceeded"],
            "additionalEventData": {"SecretId": [secret]},
        },
    }
    machine = plan.one("aws:sfn/stateMachine:StateMachine", "example-db-rotation")
    target = plan.one("aws:cloudwatch/eventTarget:EventTarget", "example-db-rotation-to-rollout")
    assert target.inputs["rule"] == rule.outputs["name"] and target.inputs["arn"] == machine.outputs["arn"]
    service = plan.one("aws:ecs/service:Service")
    cluster = plan.one("aws:ecs/cluster:Cluster")
    [state] = json.loads(machine.inputs["definition"])["States"].values()
    assert state["Resource"] == UPDATE_SERVICE and state["End"] is True
    assert state["Parameters"] == {
        "Cluster": cluster.outputs["name"],
        "Service": service.outputs["name"],
        "ForceNewDeployment": True,
    }


def _role_and_policy(plan, name):
    role = plan.one("aws:iam/role:Role", name)
    policy = plan.one("aws:iam/rolePolicy:RolePolicy", name)
    return json.loads(role.inputs["assumeRolePolicy"])["Statement"], json.loads(policy.inputs["policy"])["Statement"]


def test_the_rollout_roles_may_do_exactly_one_thing_each():
    plan = _plan()
    machine = plan.one("aws:sfn/stateMachine:StateMachine", "example-db-rotation")
    service = plan.one("aws:ecs/service:Service")
    cluster = plan.one("aws:ecs/cluster:Cluster")
    trust, statements = _role_and_policy(plan, "example-db-rotation-sfn")
    assert [t["Principal"] for t in trust] == [{"Service": "states.amazonaws.com"}]
    assert statements == [
        {
            "Sid": "RestartThisService",
            "Effect": "Allow",
            "Action": "ecs:UpdateService",
            "Resource": f"arn:aws:ecs:eu-west-1:{ACCOUNT_ID}:service/{cluster.outputs['name']}/{service.outputs['name']}",
        }
    ]
    assert machine.inputs["roleArn"] == plan.one("aws:iam/role:Role", "example-db-rotation-sfn").outputs["arn"]
    trust, statements = _role_and_policy(plan, "example-db-rotation-events")
    assert [t["Principal"] for t in trust] == [{"Service": "events.amazonaws.com"}]
    assert statements == [
        {
            "Sid": "StartTheRollout",
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": machine.outputs["arn"],
        }
    ]
    target = plan.one("aws:cloudwatch/eventTarget:EventTarget", "example-db-rotation-to-rollout")
    assert target.inputs["roleArn"] == plan.one("aws:iam/role:Role", "example-db-rotation-events").outputs["arn"]


def test_a_client_without_a_database_has_no_rotation_rollout():
    plan = render_stack("brochure")
    assert not plan.of_type("aws:sfn/stateMachine:StateMachine")
    assert not [r for r in plan.of_type(RULE) if r.name.endswith("db-rotation")]
