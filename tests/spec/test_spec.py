"""Spec validation: every refusal a user can hit, with no Pulumi involved."""

import datetime as dt
import textwrap
import typing

import botocore.session
import pytest
from pydantic import BaseModel, StringConstraints, ValidationError

from crane_it.facts.fargate import FARGATE_MEMORY
from crane_it.facts.regions import REGIONS
from crane_it.loader import SpecError, load_spec, load_stack_spec, parse_spec
from crane_it.spec import ClientSpec
from tests.conftest import NOW

CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
MINIMAL = f"""
client: acme
region: eu-west-1
service:
  certificate_arn: {CERTIFICATE}
  image: ghcr.io/acme/shop:1.4.2
"""


def refusal(yaml_text: str, source: str = "stacks/acme.yaml") -> str:
    """The SpecError message for ``yaml_text``; fails the test if the spec is accepted."""
    with pytest.raises(SpecError) as caught:
        parse_spec(textwrap.dedent(yaml_text), source, context={"now": NOW})
    return str(caught.value)


def accepted(yaml_text: str) -> ClientSpec:
    """The validated spec of ``yaml_text``."""
    return parse_spec(textwrap.dedent(yaml_text), "stacks/acme.yaml", context={"now": NOW})


def test_minimal_spec_gets_safe_defaults():
    spec = accepted(MINIMAL)
    assert spec.network.creates_vpc and spec.network.availability_zones == 2
    assert spec.service.cpu == 256 and spec.service.memory == 512
    assert spec.service.container_health_check is None  # load-balancer check only, by default
    assert spec.service.scratch_paths == ["/tmp"]
    assert spec.bucket is None and spec.database is None and not spec.has_data
    assert spec.alerts.memory_percent == 80


def test_error_names_file_line_field_and_valid_fields_for_a_typo():
    message = refusal(MINIMAL + "servce: {}\n")
    assert "stacks/acme.yaml:7: servce: unknown field; did you mean 'service'?" in message
    assert (
        "valid fields here: access_logs, alerts, backup, bucket, client, database, jobs, keys, listener_rule_priority, network, platform, region, retire, service, tags, workers"
        in message
    )


def test_nested_typo_lists_the_fields_of_that_section():
    message = refusal(MINIMAL + "  memroy: 1024\n")
    assert "service.memroy: unknown field; did you mean 'memory'?" in message
    assert "container_health_check" in message  # the service's own fields are listed


def test_broken_yaml_is_reported_with_its_line():
    message = refusal("client: acme\nservice: [unclosed\nregion: eu-west-1\n")
    assert message.startswith("stacks/acme.yaml:3:")
    assert "invalid YAML" in message


def test_duplicate_keys_are_refused_instead_of_silently_overwritten():
    message = refusal(MINIMAL + "region: us-east-1\n")
    assert "duplicate key 'region'" in message and "first at line 3" in message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n"])
def test_a_spec_that_is_not_a_mapping_is_refused(text):
    assert "a client spec is a mapping" in refusal(text)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_an_empty_spec_file_says_the_file_is_empty(text):
    message = refusal(text)
    assert message.startswith("stacks/acme.yaml: the file is empty;") and "NoneType" not in message


def _raw_patterns(annotation, seen) -> list[str]:
    """Every StringConstraints pattern inside ``annotation``, its models' fields included."""
    found = []
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, StringConstraints) and meta.pattern:
            found.append(meta.pattern)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        for name, info in annotation.model_fields.items():
            raw = [m.pattern for m in info.metadata if isinstance(m, StringConstraints) and m.pattern]
            found += [f"{annotation.__name__}.{name}: {pattern}" for pattern in raw]
            found += _raw_patterns(info.annotation, seen)
    for arg in typing.get_args(annotation):
        found += _raw_patterns(arg, seen)
    return found


def test_every_pattern_says_in_words_what_it_expects():
    # A raw regex in an error message helps nobody: patterns go through spec.base.Matches.
    assert _raw_patterns(ClientSpec, set()) == []


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/stripe", "has no 6-character suffix"),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-stripe-AbC", "has no 6-character suffix"),
        ("acme/stripe", "expected a full Secrets Manager secret ARN with its 6-character suffix, like arn:aws"),
    ],
)
def test_a_secret_arn_without_its_suffix_is_refused_showing_the_right_form(value, words):
    message = refusal(MINIMAL + f"  secrets: {{STRIPE_KEY: '{value}'}}\n")
    assert "service.secrets.STRIPE_KEY: " in message and words in message
    assert "secret:acme/stripe-AbCdEf" in message and "^" not in message  # an example, not a regex


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/stripe-AbCdEf",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/stripe-AbCdEf:api_key::",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/acme/smtp",
    ],
)
def test_full_secret_and_parameter_arns_are_accepted(value):
    assert accepted(MINIMAL + f"  secrets: {{STRIPE_KEY: '{value}'}}\n").service.secrets["STRIPE_KEY"] == value


@pytest.mark.parametrize(
    ("yaml_text", "field", "words"),
    [
        ("alerts: {emails: [ops-at-acme]}\n", "alerts.emails.0", "expected an email address like ops@acme.com"),
        ("", "client", "expected lowercase letters, digits and single hyphens, starting with a letter, like acme-shop"),
    ],
)
def test_emails_and_slugs_are_explained_in_words(yaml_text, field, words):
    message = refusal(
        MINIMAL.replace("client: acme", "client: Acme_Shop" if field == "client" else "client: acme") + yaml_text
    )
    assert f"{field}: {words}" in message and "^" not in message


def test_a_control_character_is_reported_with_its_line():
    message = refusal(MINIMAL + "  command: ['a\x07']\n")
    assert message == "stacks/acme.yaml:7: invalid YAML: control character U+0007 is not allowed"


def test_missing_required_fields_are_named():
    message = refusal("tags: {}\n")
    for field in ("client", "region", "service"):
        assert f"{field}: required field is missing" in message


@pytest.mark.parametrize("slug", ["Acme", "a", "acme_shop", "-acme", "acme-", "acme--shop", "1acme", "a" * 21])
def test_client_slug_is_checked(slug):
    message = refusal(MINIMAL.replace("client: acme", f"client: {slug!r}"))
    assert "client:" in message and repr(slug) in message


def test_unknown_region_lists_valid_regions_and_suggests_one():
    message = refusal(MINIMAL.replace("eu-west-1", "eu-west-9"))
    assert "region:" in message and "'eu-central-1'" in message and "did you mean" in message


def test_region_table_matches_botocore_commercial_regions():
    session = botocore.session.get_session()
    botocore_regions = set(session.get_available_regions("ec2", partition_name="aws"))
    # Every region botocore knows is deployable; ours may be newer than the installed botocore.
    assert botocore_regions <= REGIONS, sorted(botocore_regions - REGIONS)


@pytest.mark.parametrize(
    "cpu,memory", [(cpu, mem) for cpu, mems in FARGATE_MEMORY.items() for mem in (mems[0], mems[-1])]
)
def test_every_fargate_pair_is_accepted(cpu, memory):
    spec = accepted(MINIMAL + f"  cpu: {cpu}\n  memory: {memory}\n")
    assert (spec.service.cpu, spec.service.memory) == (cpu, memory)


@pytest.mark.parametrize(
    "cpu,memory,valid",
    [
        (256, 4096, "valid: 512, 1024, 2048"),
        (1024, 1024, "valid: 2048-8192 in steps of 1024"),
        (8192, 20000, "16384-61440 in steps of 4096"),
    ],
)
def test_invalid_fargate_pair_quotes_the_valid_sizes(cpu, memory, valid):
    message = refusal(MINIMAL + f"  cpu: {cpu}\n  memory: {memory}\n")
    assert f"stacks/acme.yaml:8: service.memory: memory={memory} is not valid for cpu={cpu}" in message
    assert valid in message


def test_unknown_cpu_size_lists_the_fargate_sizes():
    message = refusal(MINIMAL + "  cpu: 300\n")
    assert "service.cpu" in message and "256" in message and "16384" in message


@pytest.mark.parametrize("key", ["volumes", "efs_volumes", "mount_points", "host_path", "persistent_storage"])
def test_local_persistent_storage_is_refused_with_the_stateless_explanation(key):
    message = refusal(MINIMAL + f"  {key}: [/data]\n")
    assert f"service.{key}: local persistent storage is not supported" in message
    assert "stateless" in message and "bucket" in message and "database" in message


def test_top_level_volumes_are_refused_too():
    assert "stateless" in refusal(MINIMAL + "volumes: [/data]\n")


@pytest.mark.parametrize(
    "extra,field,fragment",
    [
        ("  port: 0\n", "service.port", "greater than or equal to 1"),
        ("  port: 70000\n", "service.port", "less than or equal to 65535"),
        ("  desired_count: 0\n", "service.desired_count", "greater than or equal to 1"),
        ("  scratch_paths: [tmp]\n", "service.scratch_paths", "absolute"),
        ("  scratch_paths: [/]\n", "service.scratch_paths", "other than /"),
        ("  scratch_paths: [/tmp, /tmp]\n", "service.scratch_paths", "listed twice"),
        ("  environment: {1BAD: x}\n", "service.environment.1BAD", "expected an environment variable name"),
        ("  secrets: {TOKEN: plaintext}\n", "service.secrets.TOKEN", "expected a full Secrets Manager secret ARN"),
        ("  log_retention_days: 10\n", "service.log_retention_days", "30"),
        ("  health_check: {path: healthz}\n", "service.health_check.path", "expected a URL path starting with /"),
        (
            "  health_check: {interval_seconds: 10, timeout_seconds: 10}\n",
            "service.health_check.timeout_seconds",
            "timeout_seconds=10 must be less than interval_seconds=10",
        ),
        ("  autoscaling: {min: 4, max: 2}\n", "service.autoscaling.min", "min=4 is greater than max=2"),
        (
            "  autoscaling: {min: 3, max: 6}\n",
            "service.desired_count",
            "desired_count=2 is outside autoscaling min=3..max=6",
        ),
        ("  domain: Shop.Acme\n", "service.domain", "expected a lowercase DNS name like shop.acme.com"),
        ("  hosted_zone_id: Z123ABC\n", "service.hosted_zone_id", "`hosted_zone_id` needs `domain`"),
        ("  build: {context: ./app}\n", "service.image", "exactly one of `image`"),
        (
            "  environment: {A: x}\n  secrets: {A: 'arn:aws:ssm:eu-west-1:123456789012:parameter/a'}\n",
            "service.secrets",
            "set in both environment and secrets",
        ),
    ],
)
def test_service_fields_are_range_checked(extra, field, fragment):
    message = refusal(MINIMAL + extra)
    assert f"{field}:" in message and fragment in message


PLAIN = MINIMAL.replace(f"  certificate_arn: {CERTIFICATE}\n", "")
"""MINIMAL without a certificate source."""


def test_https_takes_a_domain_or_a_certificate_but_not_both():
    assert accepted(MINIMAL).service.https
    assert accepted(PLAIN + "  domain: shop.acme.com\n").service.https
    assert "not both" in refusal(MINIMAL + "  domain: shop.acme.com\n")


def test_a_spec_without_a_certificate_source_is_refused_unless_plain_http_is_named():
    message = refusal(PLAIN)
    assert "stacks/acme.yaml:4: service.domain: the app is served over HTTPS: set `domain`" in message
    assert "`certificate_arn`" in message and "`plain_http: true`" in message
    preview = accepted(PLAIN + "  plain_http: true\n")
    assert not preview.service.https
    assert "contradicts" in refusal(MINIMAL + "  plain_http: true\n")


def test_plain_http_says_what_it_costs():
    description = ClientSpec.model_json_schema()["$defs"]["ServiceSpec"]["properties"]["plain_http"]["description"]
    assert "clear text" in description and "session cookies" in description and "throwaway previews" in description


def test_container_health_check_is_opt_in_and_never_tighter_than_30_seconds():
    check = '  container_health_check: {command: ["CMD-SHELL", "curl -f localhost:8080/ || exit 1"], interval_seconds: 10}\n'
    message = refusal(MINIMAL + check)
    assert "service.container_health_check.interval_seconds" in message and "greater than or equal to 30" in message
    spec = accepted(MINIMAL + check.replace("10}", "30}"))
    assert spec.service.container_health_check.interval_seconds == 30


def test_container_health_check_command_form_is_checked():
    message = refusal(MINIMAL + '  container_health_check: {command: ["curl", "-f", "x"]}\n')
    assert "must start with CMD or CMD-SHELL" in message


def test_secrets_accept_secrets_manager_and_ssm_arns():
    spec = accepted(
        MINIMAL
        + "  secrets:\n"
        + "    API_KEY: arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/api-AbCdEf\n"
        + "    TOKEN: arn:aws:ssm:eu-west-1:123456789012:parameter/acme/token\n"
    )
    assert set(spec.service.secrets) == {"API_KEY", "TOKEN"}


@pytest.mark.parametrize(
    "tags,fragment",
    [
        ("{client: other}", "set by Crane It"),
        ("{'aws:owner': x}", "reserved by AWS"),
        ("{team: 'a|b'}", "expected letters, digits, spaces and _ . : / = + - @"),
    ],
)
def test_tags_cannot_override_our_tags_or_aws_ones(tags, fragment):
    assert fragment in refusal(MINIMAL + f"tags: {tags}\n")


def test_brought_vpc_needs_all_three_ids_and_no_created_vpc_settings():
    byo = "network:\n  vpc_id: vpc-0a1b2c3d\n"
    assert "missing: private_subnet_ids, public_subnet_ids" in refusal(MINIMAL + byo)
    full = (
        byo
        + "  public_subnet_ids: [subnet-0a1b2c3d, subnet-1a1b2c3d]\n  private_subnet_ids: [subnet-2a1b2c3d, subnet-3a1b2c3d]\n"
    )
    assert not accepted(MINIMAL + full).network.creates_vpc
    assert "only apply when Crane It creates the VPC" in refusal(MINIMAL + full + "  nat: single\n")


@pytest.mark.parametrize(
    "network,fragment",
    [
        ("{availability_zones: 4}", "Input should be 2 or 3"),
        ("{nat: nat-gateway}", "'gateway', 'single', 'instance' or 'none'"),
        ("{cidr_block: 10.0.0.0/8}", "valid: /16 to /22"),
        ("{cidr_block: 8.8.0.0/16}", "not a private range"),
        ("{cidr_block: banana}", "not an IPv4 CIDR"),
        ("{vpc_id: vpc-123}", "expected a VPC ID like vpc-0a1b2c3d4e5f60718"),
    ],
)
def test_network_fields_are_checked(network, fragment):
    message = refusal(MINIMAL + f"network: {network}\n")
    assert "network" in message and fragment in message


def test_every_problem_is_reported_at_once():
    message = refusal(MINIMAL.replace("eu-west-1", "mars-1") + "  port: -1\nbucket: {protect: maybe}\n")
    assert "3 problem(s)" in message
    assert ":3: region:" in message and ":7: service.port:" in message and ":8: bucket.protect:" in message


# --- data: bucket and database -------------------------------------------------------------

DATA = MINIMAL + "bucket: {}\ndatabase: {}\n"


def test_data_defaults_are_the_safe_ones():
    spec = accepted(DATA)
    assert spec.has_data
    assert spec.bucket.protect and spec.bucket.noncurrent_version_days >= spec.backup.point_in_time_days
    db = spec.database
    assert (db.engine, db.version) == ("postgres", "16")
    assert db.deletion_protection and db.final_snapshot and db.keep_automated_backups and db.protect
    assert db.backup_retention_days >= 7 and db.restore is None


@pytest.mark.parametrize(
    "database,field,fragment",
    [
        ("{engine: oracle}", "database.engine", "'postgres' or 'mysql'"),
        ("{version: '9.6'}", "database.version", "valid majors: 14, 15, 16, 17, 18"),
        ("{engine: mysql, version: '5.7'}", "database.version", "valid majors: 8.0, 8.4"),
        ("{engine: mysql, version: '16'}", "database.version", "is not offered for mysql"),
        ("{storage_gb: 10}", "database.storage_gb", "storage_gb=10 is outside 20-65536"),
        ("{storage_gb: 100, max_storage_gb: 50}", "database.max_storage_gb", "max_storage_gb=50 must be between 110"),
        ("{max_storage_gb: 100000}", "database.max_storage_gb", "and 65536"),
        ("{instance_class: db.x9.huge}", "database.instance_class", "is not offered; valid families"),
        ("{instance_class: t4g.micro}", "database.instance_class", "expected an RDS instance class like db.t4g.micro"),
        ("{backup_retention_days: 3}", "database.backup_retention_days", "greater than or equal to 7"),
        (
            "{engine: mysql, version: '8.4', performance_insights: true}",
            "database.performance_insights",
            "Performance Insights is not available for mysql on db.t4g.micro",
        ),
    ],
)
def test_database_fields_are_refused_with_named_fields(database, field, fragment):
    message = refusal(MINIMAL + f"database: {database}\n")
    assert f"{field}:" in message and fragment in message


def test_exact_versions_are_accepted_per_engine():
    assert accepted(MINIMAL + "database: {version: '16.4'}\n").database.version == "16.4"
    assert accepted(MINIMAL + "database: {engine: mysql, version: '8.4.6'}\n").database.version == "8.4.6"


def test_mysql_8_0_without_accepting_extended_support_is_refused_naming_database_version():
    # NOW is 2026-11-26: MySQL 8.0 left RDS standard support on 2026-07-31.
    message = refusal(MINIMAL + "database: {engine: mysql, version: '8.0'}\n")
    assert "stacks/acme.yaml:7: database.version: mysql 8.0 left RDS standard support on 2026-07-31" in message
    assert "Move to 8.4, or accept the cost with database.extended_support: true" in message
    # An exact version is judged by its major.
    assert "database.version: mysql 8.0 left" in refusal(MINIMAL + "database: {engine: mysql, version: '8.0.39'}\n")


def test_a_major_past_standard_support_is_accepted_when_the_cost_is():
    spec = accepted(MINIMAL + "database: {engine: mysql, version: '8.0', extended_support: true}\n")
    assert spec.database is not None and spec.database.extended_support


def test_standard_support_is_judged_against_the_validation_clock():
    text = textwrap.dedent(MINIMAL + "database: {version: '14'}\n")
    # Postgres 14 is under standard support until 2027-02-28 inclusive, refused the day after.
    for day, ok in ((dt.date(2027, 2, 28), True), (dt.date(2027, 3, 1), False)):
        now = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        if ok:
            assert parse_spec(text, "acme.yaml", context={"now": now}).database is not None
        else:
            with pytest.raises(
                SpecError, match=r"postgres 14 left RDS standard support on 2027-02-28.*Move to 15 or 16"
            ):
                parse_spec(text, "acme.yaml", context={"now": now})


def test_restore_time_in_the_future_is_refused():
    future = (NOW + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = refusal(MINIMAL + f"database:\n  restore: {{id: r1, point_in_time: '{future}'}}\n")
    assert "database.restore.point_in_time" in message and "is in the future" in message


def test_restore_time_before_the_point_in_time_window_is_refused():
    old = (NOW - dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = refusal(
        MINIMAL + f"database:\n  restore: {{id: r1, point_in_time: '{old}'}}\nbackup: {{point_in_time_days: 14}}\n"
    )
    assert "database.restore.point_in_time=2026-11-06T12:00:00+00:00 is before the backup window" in message
    assert "backup.point_in_time_days=14 days reach back to 2026-11-12T12:00:00+00:00" in message
    assert "if this restore was already applied, set database.restore.applied: true" in message
    # Once applied, the time is history and later deploys are not refused as the window moves on.
    applied = accepted(
        MINIMAL
        + f"database:\n  restore: {{id: r1, point_in_time: '{old}', applied: true}}\nbackup: {{point_in_time_days: 14}}\n"
    )
    assert applied.database.restore.applied
    # The same time is fine with AWS Backup's default 35-day continuous window.
    restore = accepted(MINIMAL + f"database:\n  restore: {{id: r1, point_in_time: '{old}'}}\n").database.restore
    assert restore.point_in_time == dt.datetime(2026, 11, 6, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("'yesterday'", ""),
        ("'2026-13-01T00:00:00Z'", ""),
        ("'2026-11-20T10:00:00'", "2026-11-20T10:00:00 has no time zone; "),
        ("2026-11-20T10:00:00", "2026-11-20T10:00:00 has no time zone; "),  # a YAML timestamp
        ("2026-11-20", ""),  # a YAML date
        ("17", ""),
    ],
)
def test_malformed_or_zoneless_restore_time_gets_one_line_with_the_accepted_forms(value, problem):
    message = refusal(MINIMAL + f"database:\n  restore: {{id: r1, point_in_time: {value}}}\n")
    assert "1 problem(s)" in message
    (line,) = message.splitlines()[1:]
    forms = "expected `latest` or an ISO-8601 time with a zone, like 2026-11-20T10:00:00Z"
    assert f"database.restore.point_in_time: {problem}{forms}" in line


def test_restore_accepts_a_recent_time_or_latest():
    recent = accepted(
        MINIMAL + "database:\n  restore: {id: r1, point_in_time: '2026-11-26T10:00:00Z', source: shop-db}\n"
    )
    assert recent.database.restore.point_in_time == dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC)
    assert recent.database.restore.source == "shop-db"
    assert accepted(MINIMAL + "database: {restore: {id: r2, point_in_time: latest}}\n").database.restore.id == "r2"


def test_a_restore_needs_its_own_id():
    message = refusal(MINIMAL + "database: {restore: {point_in_time: latest}}\n")
    assert "database.restore.id: required field is missing" in message


def test_instance_classes_are_checked_by_family_and_size():
    assert accepted(MINIMAL + "database: {instance_class: db.r6g.16xlarge}\n").database
    message = refusal(MINIMAL + "database: {instance_class: db.r6g.24xlarge}\n")
    assert "database.instance_class: instance_class='db.r6g.24xlarge': r6g has no 24xlarge" in message
    assert "db.r5.micro" not in message and "r5 has no micro" in refusal(
        MINIMAL + "database: {instance_class: db.r5.micro}\n"
    )


def test_monthly_snapshots_count_against_the_snapshot_quota_with_a_database():
    backup = "backup: {daily_retention_days: 40, monthly_retention_days: 365}\n"
    message = refusal(MINIMAL + "database: {}\n" + backup)
    assert "backup.monthly_retention_days" in message and "over RDS's quota of 100 manual snapshots" in message
    assert accepted(MINIMAL + "bucket: {noncurrent_version_days: 120}\n" + backup).backup.daily_retention_days == 40


def test_bucket_fields_are_checked():
    assert "bucket.cors_origins.0" in refusal(MINIMAL + "bucket: {cors_origins: [shop.acme.com]}\n")
    assert "bucket.noncurrent_version_days" in refusal(MINIMAL + "bucket: {noncurrent_version_days: 0}\n")


def test_old_versions_must_outlive_the_reset_window():
    message = refusal(MINIMAL + "bucket: {noncurrent_version_days: 7}\nbackup: {point_in_time_days: 35}\n")
    assert "bucket.noncurrent_version_days=7 is shorter than backup.point_in_time_days=35" in message


@pytest.mark.parametrize("name", ["BUCKET_NAME", "DB_PASSWORD"])
def test_app_cannot_shadow_the_variables_the_stack_sets(name):
    spec_text = DATA.replace(
        "  image: ghcr.io/acme/shop:1.4.2\n", f"  image: ghcr.io/acme/shop:1.4.2\n  environment: {{{name}: x}}\n"
    )
    assert f"['{name}'] are set by Crane It" in refusal(spec_text)


# --- backup and alerts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "backup,field,fragment",
    [
        ("{point_in_time_days: 90}", "backup.point_in_time_days", "less than or equal to 35"),
        ("{point_in_time_days: 0}", "backup.point_in_time_days", "greater than or equal to 1"),
        ("{monthly_retention_days: 30}", "backup", "at least 120"),
        ("{vault_lock: strict}", "backup.vault_lock", "'none', 'governance' or 'compliance'"),
        ("{compliance_grace_days: 5}", "backup", "only applies with vault_lock: compliance"),
        (
            "{vault_lock: compliance, compliance_grace_days: 1}",
            "backup.compliance_grace_days",
            "greater than or equal to 3",
        ),
        ("{copy_to_region: eu-west-1}", "backup", "is the client's own region"),
        ("{copy_to_region: moon-1}", "backup.copy_to_region", "Input should be"),
        ("{restore_testing: {start_window_hours: 0}}", "backup.restore_testing", "start_window_hours"),
        ("{restore_testing: {retain_hours: 200}}", "backup.restore_testing", "retain_hours"),
        ("{restore_testing: {schedule: 'every sunday'}}", "backup.restore_testing", "schedule"),
    ],
)
def test_backup_fields_are_range_checked(backup, field, fragment):
    message = refusal(DATA + f"backup: {backup}\n")
    assert f"{field}" in message and fragment in message


def test_restore_testing_accepts_true_false_or_settings():
    assert accepted(DATA).backup.restore_testing_settings.start_window_hours == 24
    assert accepted(DATA + "backup: {restore_testing: false}\n").backup.restore_testing_settings is None
    custom = accepted(DATA + "backup: {restore_testing: {retain_hours: 12}}\n")
    assert custom.backup.restore_testing_settings.retain_hours == 12


@pytest.mark.parametrize(
    "alerts,field",
    [
        ("{memory_percent: 0}", "alerts.memory_percent"),
        ("{memory_percent: 101}", "alerts.memory_percent"),
        ("{cpu_percent: 150}", "alerts.cpu_percent"),
        ("{sustained_minutes: 0}", "alerts.sustained_minutes"),
        ("{emails: [not-an-email]}", "alerts.emails.0"),
        ("{emails: [ops@acme.example, OPS@acme.example]}", "alerts.emails"),
        ("{database_free_storage_percent: 100}", "alerts.database_free_storage_percent"),
    ],
)
def test_alert_thresholds_are_range_checked(alerts, field):
    assert f"{field}:" in refusal(MINIMAL + f"alerts: {alerts}\n")


def test_build_context_and_dockerfile_must_exist(tmp_path):
    build = MINIMAL.replace("  image: ghcr.io/acme/shop:1.4.2\n", "  build: {context: app}\n")
    with pytest.raises(SpecError, match=r"acme.yaml:6: service.build.context: directory 'app' does not exist"):
        parse_spec(build, "stacks/acme.yaml", root=tmp_path)
    (tmp_path / "app").mkdir()
    with pytest.raises(SpecError, match=r"service.build.dockerfile: 'Dockerfile' not found"):
        parse_spec(build, "stacks/acme.yaml", root=tmp_path)
    (tmp_path / "app" / "Dockerfile").write_text("FROM scratch\n")
    assert parse_spec(build, "stacks/acme.yaml", root=tmp_path).service.build.context == "app"


def test_a_spec_built_in_python_names_the_field_of_a_cross_field_error():
    # Not only the YAML loader: ClientSpec.model_validate itself points at service.memory.
    with pytest.raises(ValidationError) as refused:
        ClientSpec.model_validate(
            {"client": "xy", "region": "eu-west-1", "service": {"image": "nginx:1", "cpu": 256, "memory": 4096}}
        )
    [error] = refused.value.errors()
    assert error["loc"] == ("service", "memory")
    assert error["msg"].startswith("memory=4096 is not valid for cpu=256; valid: 512, 1024, 2048")
    assert "service.memory" in str(refused.value)


def test_a_missing_spec_file_lists_the_specs_beside_it(tmp_path):
    (tmp_path / "acme.yaml").write_text("client: acme\n")
    for load in (load_spec, load_stack_spec):
        with pytest.raises(SpecError, match=r"acmee\.yaml: no such spec file; specs in .*: acme$"):
            load(tmp_path / "acmee.yaml", root=tmp_path)


def test_keys_names_its_two_values():
    message = refusal(MINIMAL + "keys: one\n")
    assert "stacks/acme.yaml:7: keys: Input should be 'per_purpose' or 'per_client' (got 'one')" in message
