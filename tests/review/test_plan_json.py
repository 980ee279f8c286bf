"""`crane plan --json` is byte-identical across runs, with fixed markers for unknowns and secrets."""

import json
import subprocess
import sys
from pathlib import Path

from pulumi.output import Unknown
from pulumi.runtime import rpc

from crane_it.review.plan_json import SECRET, UNKNOWN, canonical

ROOT = Path(__file__).resolve().parents[2]
CRANE = str(Path(sys.executable).with_name("crane"))


def test_plan_json_twice_gives_identical_bytes():
    runs = [subprocess.run([CRANE, "plan", "example", "--json"], cwd=ROOT, capture_output=True) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    text = runs[0].stdout.decode()
    assert "pulumi.output.Unknown" not in text and " at 0x" not in text
    resources = json.loads(text)
    assert [r["urn"] for r in resources] == sorted(r["urn"] for r in resources)
    nat = next(r for r in resources if r["type"] == "aws:ec2/natGateway:NatGateway")
    eip = next(r for r in resources if r["type"] == "aws:ec2/eip:Eip")
    # The mock engine answers the EIP's allocation id (the NAT instance's boot script needs
    # one), so it is stable text here rather than the unknown marker (tested below).
    assert nat["inputs"]["allocationId"].startswith("eipalloc-") and eip["urn"] in nat["dependencies"]
    task = next(r for r in resources if r["type"] == "aws:ecs/taskDefinition:TaskDefinition")
    assert task["inputs"]["memory"] == "512" and task["inputs"]["cpu"] == "256"
    service = next(r for r in resources if r["type"] == "aws:ecs/service:Service")
    assert service["inputs"]["desiredCount"] == 2, "integral floats are ints"
    assert service["references"]["taskDefinition"] == [task["urn"]]


def test_secret_values_are_masked_and_unknowns_are_one_marker():
    secret = rpc.wrap_rpc_secret("hunter2")
    value = {"b": [Unknown(), 1.0, 1.5], "a": secret, "password": {"nested": secret}}
    masked = canonical(value)
    assert masked == {"b": [UNKNOWN, 1, 1.5], "a": SECRET, "password": {"nested": SECRET}}
    assert "hunter2" not in json.dumps(masked)


def test_the_tree_shows_env_secrets_iam_dns_certificates_and_thresholds():
    done = subprocess.run([CRANE, "plan", "acme"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert '"SHOP_CURRENCY":"EUR"' in out, "env var names and plain values"
    assert '"secrets":["DB_PASSWORD","STRIPE_KEY"]' in out, "secret names"
    assert (
        "arn:aws:secretsmanager:eu-central-1:123456789012:secret:acme/stripe"
        in out.split("RolePolicy acme-execution")[1]
    )
    assert "Allow s3:GetObject,s3:GetObjectVersion,s3:PutObject" in out, "IAM actions and resources"
    assert 'name: "shop.acme.com"' in out and 'domainName: "shop.acme.com"' in out, "DNS name, certificate domain"
    assert "threshold=80" in out and "ANOMALY_DETECTION_BAND(memory, 3.0)" in out, "alarm thresholds"
    assert "cost: ~" in out and "USD/month" in out
