"""What AWS accepts as a name, per Pulumi resource type, and how the provider auto-names it.

One row per type Crane It declares. The strict offline engine (``crane_it.testing``) makes
every auto-name the way ``pulumi up`` would and checks every name, given or made, against
its row, so a name AWS would refuse fails a test instead of a client's deploy. A type with
no row fails strict mode loudly: add the row (with its source) when you declare a new type.

Auto-naming (pulumi-aws ``provider/resources.go``): every resource whose Terraform schema
has an input ``name`` is auto-named ``<logical name>-<7 random hex>`` up to 255 characters
(``setAutonaming(255, "-")``) unless its row overrides it (``aws_iam_role`` 64,
``aws_lb_target_group`` 32, ``aws_kms_alias`` 238 then ``alias/`` prepended, ``aws_s3_bucket``
63 lowercased). Past that maximum the engine refuses the resource outright (pulumi
``resource.NewUniqueHex``: "name '<prefix>' plus 7 random chars is longer than maximum
length N"); under it, AWS's own limit may still be lower (a backup vault: 50), and then the
create call fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RANDOM_SUFFIX_LENGTH = 7
"""Random hex characters the engine appends to an auto-name (pulumi-terraform-bridge ``Randlen``)."""
PROVIDER_AUTONAME_MAX = 255
"""pulumi-aws's default auto-name maximum (``setAutonaming(255, "-")``)."""


@dataclass(frozen=True)
class NameRule:
    """How one resource type is named and what AWS accepts."""

    source: str
    """Where the limit comes from (botocore model, API reference, provider code)."""
    prop: str | None = "name"
    """The input (Pulumi wire name) that names the resource; None: AWS gives it an id only."""
    max_length: int = 255
    """AWS's longest name."""
    pattern: str = r".+"
    """What AWS accepts, matched against the whole name."""
    min_length: int = 1
    auto: bool = True
    """The provider fills ``prop`` when the program leaves it out (auto-naming)."""
    auto_max: int = PROVIDER_AUTONAME_MAX
    """The provider's own maximum for an auto-name (the engine refuses a longer one)."""
    auto_lowercase: bool = False
    """The provider lowercases the logical name before adding the suffix."""
    auto_prefix: str = ""
    """Prepended after the suffix (``alias/`` for a KMS alias)."""
    scope: str = "region"
    """Where AWS wants the name unique: ``region`` (account and region), ``global`` (every
    account: S3), ``parent`` (only inside its parent: a restore testing selection), ``zone``
    (a hosted zone's record), ``none`` (unnamed)."""

    def problems(self, name: str) -> list[str]:
        """Why AWS refuses ``name``; empty when it accepts it."""
        found = []
        if not self.min_length <= len(name) <= self.max_length:
            found.append(f"{len(name)} characters, AWS allows {self.min_length}-{self.max_length}")
        if not re.fullmatch(self.pattern, name):
            found.append(f"does not match {self.pattern}")
        return found


def unnamed(source: str = "no name input: AWS identifies it by an id it generates") -> NameRule:
    """A type AWS names by an id of its own (an association, a route, a subnet)."""
    return NameRule(source=source, prop=None, auto=False, scope="none")


_RDS_ID = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"
"""RDS identifiers and group names: a letter first, letters, digits and single hyphens, no
trailing hyphen (CreateDBInstance API reference, DBInstanceIdentifier; RDS lowercases them)."""
_BACKUP = r"[a-zA-Z0-9\-_.]+"

NAMES: dict[str, NameRule] = {
    "pulumi:providers:aws": unnamed("a provider, not an AWS resource"),
    "pulumi:pulumi:StackReference": unnamed("a read of another stack, not an AWS resource"),
    "docker:index/image:Image": unnamed("a local image build: named by imageName, not an AWS resource"),
    "aws:acm/certificate:Certificate": unnamed(),
    "aws:acm/certificateValidation:CertificateValidation": unnamed("a wait, not an AWS resource"),
    # botocore application-autoscaling PutScalingPolicy.PolicyName: 1-256, \p{Print}+.
    "aws:appautoscaling/policy:Policy": NameRule("botocore PutScalingPolicy.PolicyName", max_length=256),
    "aws:appautoscaling/target:Target": unnamed(),
    # botocore autoscaling CreateAutoScalingGroup.AutoScalingGroupName: 1-255, printable.
    "aws:autoscaling/group:Group": NameRule("botocore CreateAutoScalingGroup.AutoScalingGroupName"),
    # AWS Backup API reference, CreateBackupPlan: BackupPlanName, 1-50 of letters, digits, -_.
    "aws:backup/plan:Plan": NameRule("AWS Backup API CreateBackupPlan.BackupPlanName", max_length=50, pattern=_BACKUP),
    # AWS Backup API reference, CreateRestoreTestingPlan: 1-50 of letters, digits, underscores
    # (the Terraform provider validates ^[a-zA-Z0-9_]+$, 1-50); not auto-named (required).
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": NameRule(
        "AWS Backup API CreateRestoreTestingPlan.RestoreTestingPlanName", max_length=50, pattern=r"\w+", auto=False
    ),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": NameRule(
        "AWS Backup API CreateRestoreTestingSelection.RestoreTestingSelectionName",
        max_length=50,
        pattern=r"\w+",
        auto=False,
        scope="parent",
    ),
    # botocore backup CreateBackupSelection.SelectionName: ^[a-zA-Z0-9\-\_\.]{1,50}$; unique in its plan.
    "aws:backup/selection:Selection": NameRule(
        "botocore CreateBackupSelection.SelectionName", max_length=50, pattern=_BACKUP, scope="parent"
    ),
    # botocore backup CreateBackupVault.BackupVaultName: ^[a-zA-Z0-9\-\_]{2,50}$.
    "aws:backup/vault:Vault": NameRule(
        "botocore CreateBackupVault.BackupVaultName", min_length=2, max_length=50, pattern=r"[a-zA-Z0-9\-_]+"
    ),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": unnamed("a setting of its vault"),
    # CloudWatch PutDashboard API reference: DashboardName up to 255 of A-Za-z0-9 - _.
    "aws:cloudwatch/dashboard:Dashboard": NameRule(
        "CloudWatch API PutDashboard.DashboardName", prop="dashboardName", pattern=r"[\-_A-Za-z0-9]+", auto=False
    ),
    # botocore events PutRule.Name: 1-64, [\.\-_A-Za-z0-9]+.
    "aws:cloudwatch/eventRule:EventRule": NameRule(
        "botocore events PutRule.Name", max_length=64, pattern=r"[\.\-_A-Za-z0-9]+"
    ),
    # botocore events PutTargets Targets[].Id: 1-64, [\.\-_A-Za-z0-9]+; unique in its rule. Not
    # auto-named by Pulumi (no `name` input): the Terraform provider makes a unique
    # `terraform-<26 digits>` id itself, which fits.
    "aws:cloudwatch/eventTarget:EventTarget": NameRule(
        "botocore events PutTargets.Targets[].Id; terraform-provider-aws event_target id.UniqueId()",
        prop="targetId",
        max_length=64,
        pattern=r"[\.\-_A-Za-z0-9]+",
        auto=False,
        scope="parent",
    ),
    # botocore logs CreateLogGroup.logGroupName: 1-512, [\.\-_/#A-Za-z0-9]+.
    "aws:cloudwatch/logGroup:LogGroup": NameRule(
        "botocore logs CreateLogGroup.logGroupName", max_length=512, pattern=r"[\.\-_/#A-Za-z0-9]+"
    ),
    # botocore cloudwatch PutMetricAlarm.AlarmName: 1-255 (any characters).
    "aws:cloudwatch/metricAlarm:MetricAlarm": NameRule("botocore cloudwatch PutMetricAlarm.AlarmName"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": unnamed("the VPC's own group, named default by AWS"),
    "aws:ec2/eip:Eip": unnamed(),
    "aws:ec2/flowLog:FlowLog": unnamed(),
    "aws:ec2/internetGateway:InternetGateway": unnamed(),
    # EC2 CreateLaunchTemplate API reference: 3-128 of A-Za-z0-9 ( ) . - / _.
    "aws:ec2/launchTemplate:LaunchTemplate": NameRule(
        "EC2 API CreateLaunchTemplate.LaunchTemplateName", min_length=3, max_length=128, pattern=r"[a-zA-Z0-9().\-/_]+"
    ),
    "aws:ec2/natGateway:NatGateway": unnamed(),
    "aws:ec2/networkInterface:NetworkInterface": unnamed(),
    "aws:ec2/route:Route": unnamed(),
    "aws:ec2/routeTable:RouteTable": unnamed(),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": unnamed(),
    # EC2 CreateSecurityGroup API reference: GroupName up to 255, a-zA-Z0-9 spaces ._-:/()#,@[]+=&;{}!$*;
    # unique per VPC, not per region.
    "aws:ec2/securityGroup:SecurityGroup": NameRule(
        "EC2 API CreateSecurityGroup.GroupName", pattern=r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+", scope="parent"
    ),
    "aws:ec2/subnet:Subnet": unnamed(),
    "aws:ec2/vpc:Vpc": unnamed(),
    "aws:ec2/vpcEndpoint:VpcEndpoint": unnamed(),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": unnamed("a setting of its repository"),
    # botocore ecr CreateRepository.repositoryName: 2-256, lowercase path segments.
    "aws:ecr/repository:Repository": NameRule(
        "botocore ecr CreateRepository.repositoryName",
        min_length=2,
        max_length=256,
        pattern=r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*",
        auto_lowercase=True,
    ),
    # ECS CreateCluster API reference: up to 255 of letters, digits, hyphens, underscores.
    "aws:ecs/cluster:Cluster": NameRule("ECS API CreateCluster.clusterName", pattern=r"[a-zA-Z0-9\-_]+"),
    # ECS CreateService API reference: up to 255 of letters, digits, hyphens, underscores; unique in its cluster.
    "aws:ecs/service:Service": NameRule(
        "ECS API CreateService.serviceName", pattern=r"[a-zA-Z0-9\-_]+", scope="parent"
    ),
    # ECS RegisterTaskDefinition API reference: family up to 255 of letters, digits, hyphens, underscores.
    "aws:ecs/taskDefinition:TaskDefinition": NameRule(
        "ECS API RegisterTaskDefinition.family", prop="family", pattern=r"[a-zA-Z0-9\-_]+", auto=False
    ),
    # botocore iam CreateInstanceProfile.InstanceProfileName: 1-128, [\w+=,.@-]+.
    "aws:iam/instanceProfile:InstanceProfile": NameRule(
        "botocore iam CreateInstanceProfile.InstanceProfileName", max_length=128, pattern=r"[\w+=,.@-]+", scope="global"
    ),
    # botocore iam CreateRole.RoleName: 1-64, [\w+=,.@-]+; pulumi-aws auto-names it up to 64.
    "aws:iam/role:Role": NameRule(
        "botocore iam CreateRole.RoleName; pulumi-aws AutoName(name, 64)",
        max_length=64,
        pattern=r"[\w+=,.@-]+",
        auto_max=64,
        scope="global",
    ),
    # botocore iam PutRolePolicy.PolicyName: 1-128, [\w+=,.@-]+; unique in its role.
    "aws:iam/rolePolicy:RolePolicy": NameRule(
        "botocore iam PutRolePolicy.PolicyName", max_length=128, pattern=r"[\w+=,.@-]+", scope="parent"
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": unnamed("an attachment of a policy ARN to a role"),
    # botocore kms CreateAlias.AliasName: 1-256, ^[a-zA-Z0-9:/_-]+$, and must start with alias/;
    # pulumi-aws auto-names it up to 238 then prepends alias/.
    "aws:kms/alias:Alias": NameRule(
        "botocore kms CreateAlias.AliasName; pulumi-aws AutoNameWithCustomOptions(238, alias/)",
        max_length=256,
        pattern=r"alias/[a-zA-Z0-9:/_-]+",
        auto_max=238,
        auto_prefix="alias/",
    ),
    "aws:kms/key:Key": unnamed("a key id AWS generates; the alias names it"),
    # botocore lambda CreateFunction.FunctionName: [a-zA-Z0-9-_]+; the Lambda API reference
    # limits a name given alone (no ARN) to 64 characters; pulumi-aws auto-names it up to 64.
    "aws:lambda/function:Function": NameRule(
        "botocore lambda CreateFunction.FunctionName (64 for a bare name); pulumi-aws AutoName(name, 64)",
        max_length=64,
        pattern=r"[a-zA-Z0-9\-_]+",
        auto_max=64,
    ),
    "aws:lambda/invocation:Invocation": unnamed("one call of a function, recorded in the state only"),
    "aws:lb/listener:Listener": unnamed(),
    "aws:lb/listenerCertificate:ListenerCertificate": unnamed(),
    "aws:lb/listenerRule:ListenerRule": unnamed(),
    # ELBv2 CreateLoadBalancer API reference: up to 32 of letters, digits, hyphens, not starting
    # or ending with a hyphen nor starting with internal-; pulumi-aws auto-names it up to 32.
    "aws:lb/loadBalancer:LoadBalancer": NameRule(
        "ELBv2 API CreateLoadBalancer.Name; pulumi-aws AutoName(name, 32)",
        max_length=32,
        pattern=r"(?!internal-)[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?",
        auto_max=32,
    ),
    # ELBv2 CreateTargetGroup API reference: up to 32 of letters, digits, hyphens, not starting
    # or ending with a hyphen; pulumi-aws provider/resources.go: AutoName("name", 32, "-").
    "aws:lb/targetGroup:TargetGroup": NameRule(
        "ELBv2 API CreateTargetGroup.Name; pulumi-aws AutoName(name, 32)",
        max_length=32,
        pattern=r"[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?",
        auto_max=32,
    ),
    # RDS CreateDBInstance API reference: DBInstanceIdentifier 1-63; pulumi-aws lowercases the auto-name.
    "aws:rds/instance:Instance": NameRule(
        "RDS API CreateDBInstance.DBInstanceIdentifier",
        prop="identifier",
        max_length=63,
        pattern=_RDS_ID,
        auto_lowercase=True,
    ),
    # RDS CreateDBParameterGroup API reference: 1-255, a letter first, letters, digits, single hyphens.
    "aws:rds/parameterGroup:ParameterGroup": NameRule(
        "RDS API CreateDBParameterGroup.DBParameterGroupName", pattern=_RDS_ID, auto_lowercase=True
    ),
    # RDS CreateDBSubnetGroup API reference: up to 255 of letters, digits, periods, underscores,
    # spaces, hyphens; must not be default. RDS stores it lowercased.
    "aws:rds/subnetGroup:SubnetGroup": NameRule(
        "RDS API CreateDBSubnetGroup.DBSubnetGroupName", pattern=r"(?!default$)[a-z0-9._ \-]+", auto_lowercase=True
    ),
    # Route 53: a domain name up to 255 characters, unique in its hosted zone (with its type).
    "aws:route53/record:Record": NameRule(
        "Route 53 API ChangeResourceRecordSets.Name", pattern=r"[a-zA-Z0-9.\-_*]+", auto=False, scope="zone"
    ),
    # S3 bucket naming rules (S3 user guide): 3-63 lowercase letters, digits, dots, hyphens, a letter
    # or digit at both ends; unique in every account. pulumi-aws AutoNameTransform("bucket", 63, lower).
    "aws:s3/bucket:Bucket": NameRule(
        "S3 user guide, bucket naming rules; pulumi-aws AutoNameTransform(bucket, 63, lowercase)",
        prop="bucket",
        min_length=3,
        max_length=63,
        pattern=r"[a-z0-9][a-z0-9.\-]*[a-z0-9]",
        auto_max=63,
        auto_lowercase=True,
        scope="global",
    ),
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": unnamed("a setting of its bucket"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": unnamed("a setting of its bucket"),
    "aws:s3/bucketLogging:BucketLogging": unnamed("a setting of its bucket"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": unnamed("a setting of its bucket"),
    "aws:s3/bucketPolicy:BucketPolicy": unnamed("a setting of its bucket"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": unnamed("a setting of its bucket"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": unnamed(
        "a setting of its bucket"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": unnamed("a setting of its bucket"),
    # botocore sfn CreateStateMachine.name: 1-80 (Step Functions API reference: letters, digits, - and _).
    # botocore scheduler CreateScheduleGroup.Name and CreateSchedule.Name: 1-64, [0-9a-zA-Z-_.]+;
    # a schedule's name is unique in its group.
    "aws:scheduler/scheduleGroup:ScheduleGroup": NameRule(
        "botocore scheduler CreateScheduleGroup.Name", max_length=64, pattern=r"[0-9a-zA-Z\-_.]+"
    ),
    "aws:scheduler/schedule:Schedule": NameRule(
        "botocore scheduler CreateSchedule.Name", max_length=64, pattern=r"[0-9a-zA-Z\-_.]+", scope="parent"
    ),
    "aws:sfn/stateMachine:StateMachine": NameRule(
        "botocore sfn CreateStateMachine.name", max_length=80, pattern=r"[0-9A-Za-z_\-]+"
    ),
    # SNS CreateTopic API reference: up to 256 of letters, digits, hyphens, underscores.
    "aws:sns/topic:Topic": NameRule("SNS API CreateTopic.Name", max_length=256, pattern=r"[A-Za-z0-9\-_]+"),
    "aws:sns/topicPolicy:TopicPolicy": unnamed("a setting of its topic"),
    "aws:sns/topicSubscription:TopicSubscription": unnamed(),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": unnamed(),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": unnamed(),
    # botocore wafv2 CreateWebACL.Name: 1-128, ^[\w\-]+$.
    "aws:wafv2/webAcl:WebAcl": NameRule("botocore wafv2 CreateWebACL.Name", max_length=128, pattern=r"[\w\-]+"),
    "aws:wafv2/webAclAssociation:WebAclAssociation": unnamed(),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": unnamed("a setting of its web ACL"),
}
"""Pulumi type token -> its naming rule. Every type Crane It declares has a row."""


def auto_name(rule: NameRule, logical_name: str, suffix: str) -> str:
    """The name the engine gives a resource of ``rule`` named ``logical_name`` in the program.

    ``suffix`` stands for the engine's random hex (7 characters). Raises ValueError as the
    engine does when the logical name leaves no room for the suffix.
    """
    prefix = (logical_name.lower() if rule.auto_lowercase else logical_name) + "-"
    if len(prefix) + RANDOM_SUFFIX_LENGTH > rule.auto_max:
        raise ValueError(
            f"name '{prefix}' plus {RANDOM_SUFFIX_LENGTH} random chars is longer than maximum length {rule.auto_max}"
        )
    return f"{rule.auto_prefix}{prefix}{suffix[:RANDOM_SUFFIX_LENGTH]}"
