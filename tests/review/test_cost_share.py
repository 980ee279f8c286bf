"""A client on a platform is priced on its own and beside its share of the platform; the NAT instance is priced."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crane_it.ops.status import estimated_cost
from crane_it.review import cost_share, plan_json
from crane_it.review.cost import estimate
from crane_it.review.cost_share import stack_cost
from crane_it.review.diff_report import cost_text
from crane_it.review.render import render_stack

ROOT = Path(__file__).resolve().parents[2]
CRANE = str(Path(sys.executable).with_name("crane"))
SHARED_ITEMS = ("load balancer", "NAT", "Elastic IP", "EC2 ", "EBS ", "launch-time")


@pytest.fixture(scope="module")
def costs():
    return {stack: stack_cost(stack, project=ROOT) for stack in ("agency", "bakery", "florist", "example")}


def test_a_platform_client_pays_for_no_shared_infrastructure_of_its_own(costs):
    for stack in ("bakery", "florist"):
        items = [line.item for line in costs[stack].own.lines]
        assert not [i for i in items if any(shared in i for shared in SHARED_ITEMS)], f"{stack}: {items}"
    agency = {line.item for line in costs["agency"].own.lines}
    assert {"load balancer hours", "EC2 t4g.nano (on-demand Linux)", "EBS gp3 root volumes"} <= agency


def test_the_nat_instance_is_an_instance_a_root_volume_and_two_public_addresses(costs):
    lines = {line.item: line for line in costs["agency"].own.lines}
    assert lines["EC2 t4g.nano (on-demand Linux)"].quantity == 730
    assert lines["EBS gp3 root volumes"].quantity == 8 and lines["EBS gp3 root volumes"].assumption
    # the Elastic IP it takes over, and the address its launch template asks for at boot
    assert lines["public IPv4 addresses (Elastic IPs)"].quantity == 730
    assert lines["public IPv4 addresses (instances' launch-time address)"].quantity == 730
    assert not [i for i in lines if i.startswith("NAT gateway")]
    free = " ".join(costs["agency"].own.free)
    assert "auto-scaling groups" in free and "listener rules" not in free


def test_listener_rules_certificates_and_stack_references_are_listed_as_free_with_a_source(costs):
    free = costs["bakery"].own.free
    assert any(f.startswith("listener rules and listener certificates") and "source: http" in f for f in free)
    assert any(f.startswith("StackReference") for f in free)


def test_the_share_is_the_platform_total_divided_by_the_clients_that_name_it(costs):
    share = costs["bakery"].share
    assert share is not None and share.clients == ("bakery", "florist")
    assert share.platform_total == costs["agency"].own.total
    assert share.per_client == round(costs["agency"].own.total / 2, 2)
    assert costs["florist"].share == share == costs["agency"].share
    assert costs["example"].share is None


def test_cost_command_shows_a_client_with_its_share_and_a_platform_per_client():
    bakery = subprocess.run([CRANE, "cost", "bakery"], cwd=ROOT, capture_output=True, text=True)
    assert bakery.returncode == 0, bakery.stderr
    own = estimate(plan_json.document(render_stack("bakery"))).total
    share_line = bakery.stdout.splitlines()[-1]
    assert share_line.startswith("  platform share: agency costs ") and f"own {own:.2f} + share " in share_line
    agency = subprocess.run([CRANE, "cost", "agency", "--json"], cwd=ROOT, capture_output=True, text=True)
    report = json.loads(agency.stdout)
    assert report["share"]["clients"] == ["bakery", "florist"]
    assert report["share"]["per_client_usd"] == round(report["total_usd"] / 2, 2)


def test_status_cost_column_renders_the_stack_from_the_repo_or_says_why_not(costs, tmp_path):
    bakery = costs["bakery"]
    share = bakery.share.per_client
    expected = f"{bakery.own.total + share:.2f} USD ({bakery.own.total:.2f} own + {share:.2f} platform share)"
    assert estimated_cost("bakery", ROOT) == expected
    assert estimated_cost("example", ROOT) == f"{costs['example'].own.total:.2f} USD"
    assert estimated_cost("globex", ROOT) == (
        f"n/a (stack globex is not declared in {ROOT}: no stacks/globex.yaml or Pulumi.globex.yaml)"
    )
    assert estimated_cost("bakery", tmp_path).startswith("n/a (no Pulumi project here")
    assert (
        estimated_cost("bakery", ROOT, client="globex") == "n/a (stacks/bakery.yaml is client bakery's, not globex's)"
    )


def test_a_program_without_a_spec_file_has_no_platform_share():
    # examples/internal-tool builds its spec in Python: `crane plan tool-staging` there has no
    # stacks/tool-staging.yaml to read, and is priced on its own (CI runs exactly that).
    project = ROOT / "examples" / "internal-tool"
    result = subprocess.run([CRANE, "plan", "tool-staging"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("cost: ~")


def test_a_small_client_on_a_platform_costs_at_most_32_usd_of_its_own(costs):
    # The small client: 1 task of 0.25 vCPU / 0.5 GB, db.t4g.micro, a bucket, backups
    # and alarms, on a platform. bakery is that client, with arm64 tasks; one key, no
    # dashboard and quarterly restore tests are a platform client's defaults.
    plan = render_stack("bakery")
    (task,) = plan.of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("256", "512")
    assert plan.one("aws:ecs/service:Service").inputs["desiredCount"] == 1
    assert plan.one("aws:rds/instance:Instance").inputs["instanceClass"] == "db.t4g.micro"
    for kind in ("aws:s3/bucket:Bucket", "aws:backup/plan:Plan", "aws:backup/restoreTestingPlan:RestoreTestingPlan"):
        assert plan.of_type(kind), kind
    assert not plan.of_type("aws:cloudwatch/dashboard:Dashboard")
    assert len(plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")) >= 5
    bakery = costs["bakery"]
    assert bakery.own.total <= 32, bakery.own.total
    assert bakery.share is not None and bakery.share.platform_total == costs["agency"].own.total


def test_the_small_client_with_five_keys_and_x86_tasks_costs_what_they_add(tmp_path, costs):
    spec = yaml.safe_load((ROOT / "stacks" / "bakery.yaml").read_text())
    spec["keys"] = "per_purpose"
    spec["service"]["architecture"] = "x86_64"
    path = tmp_path / "bakery.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    default = estimate(plan_json.document(render_stack("bakery", spec=path)))
    saved = round(default.total - costs["bakery"].own.total, 2)
    # 4 keys (4.00) and Graviton's lower Fargate rates (9.01 - 7.21 = 1.80, eu-west-1); a
    # cent of rounding between the two totals
    assert saved == pytest.approx(5.80, abs=0.011), saved
    assert default.total > 35


def test_the_cost_page_quotes_crane_cost_as_it_prints():
    page = (ROOT / "docs" / "cost.md").read_text(encoding="utf-8")
    block = page[page.index("```\n$ crane cost bakery") + 4 :]
    block = block[: block.index("```")]
    outputs: dict[str, list[str]] = {}
    command = ""
    for line in block.splitlines():
        if line.startswith("$ crane cost "):
            command = line.split("#")[0].split()[-1]
            done = subprocess.run([CRANE, "cost", command], cwd=ROOT, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            outputs[command] = done.stdout.splitlines()
        elif line.strip() != "...":
            quoted = line.split("(source: ...)")[0]
            assert any(printed.startswith(quoted) for printed in outputs[command]), f"{command}: {line}"
    assert set(outputs) == {"bakery", "agency"}


def test_status_prices_a_platform_once_for_all_its_clients(costs, monkeypatch):
    rendered: list[str] = []
    real = cost_share.share_of

    def counting(platform, *args, **kwargs):
        rendered.append(platform)
        return real(platform, *args, **kwargs)

    monkeypatch.setattr(cost_share, "share_of", counting)
    shares: dict = {}
    columns = [estimated_cost(stack, ROOT, shares=shares) for stack in ("bakery", "florist")]
    assert rendered == ["agency"] and set(shares) == {"agency"}
    # the same figures as without the cache
    for stack, column in zip(("bakery", "florist"), columns, strict=True):
        share = costs[stack].share.per_client
        assert (
            column
            == f"{costs[stack].own.total + share:.2f} USD ({costs[stack].own.total:.2f} own + {share:.2f} platform share)"
        )


def test_diff_tells_a_client_its_share_and_a_platform_what_each_client_pays():
    share = {
        "platform": "agency",
        "platform_total_usd": 49.68,
        "clients": ["bakery", "florist"],
        "per_client_usd": 24.84,
    }
    cost = {"base": 49.68, "head": 49.68, "platform_share_head": share}
    assert (
        cost_text("agency", cost)
        == "cost: 49.68 → 49.68 USD/month (+0.00); 24.84 per client at head (49.68 / 2 clients)"
    )
    assert cost_text("bakery", cost | {"base": 34.5, "head": 34.5}) == (
        "cost: 34.50 → 34.50 USD/month (+0.00); plus 24.84 share of platform agency at head (49.68 / 2 clients)"
    )
