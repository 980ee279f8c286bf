"""Which input changes replace a resource, and which resources hold client data.

``crane diff`` reports ``replace`` instead of ``update`` when an input below changed: the
provider cannot change it in place, so ``pulumi up`` creates a new resource and deletes the
old one (for a protected resource, the up fails instead).

Source. pulumi-aws 7.x is bridged from the Terraform AWS provider, and its replace decisions
are that provider's: attributes declared ``ForceNew: true`` (SDKv2 resources) or with a
``RequiresReplace()`` plan modifier (plugin-framework resources) in
``hashicorp/terraform-provider-aws`` ``internal/service/<service>/<resource>.go``. The
installed SDK (``pulumi_aws/<svc>/<res>.py``) does not carry that flag: its docstrings and
arguments were read to map each Terraform attribute to its Pulumi input name (camelCase
``names`` below). ``internal/service/rds/instance.go`` was read for this table; the other
entries were written from the same provider's schemas and its documentation, not re-read
attribute by attribute, so treat an entry that surprises you as a lead to check, not a fact.
Every pulumi-aws 7 resource also takes ``region``, which replaces it.

A resource whose URN changes (renamed, moved to another parent) is always a delete plus a
create, whatever this table says.
"""

from __future__ import annotations

REGION = "region"
"""pulumi-aws 7's per-resource region: moving a resource to another region recreates it."""

REPLACE_FORCING: dict[str, frozenset[str]] = {
    # The provider: a new region means a new provider, and Pulumi replaces what it manages.
    "pulumi:providers:aws": frozenset({"region"}),
    "aws:acm/certificate:Certificate": frozenset(
        {"domainName", "subjectAlternativeNames", "validationMethod", "keyAlgorithm", "certificateAuthorityArn"}
    ),
    "aws:acm/certificateValidation:CertificateValidation": frozenset({"certificateArn", "validationRecordFqdns"}),
    "aws:appautoscaling/policy:Policy": frozenset({"name", "resourceId", "scalableDimension", "serviceNamespace"}),
    "aws:appautoscaling/target:Target": frozenset({"resourceId", "scalableDimension", "serviceNamespace"}),
    "aws:autoscaling/group:Group": frozenset({"name", "namePrefix"}),
    "aws:backup/plan:Plan": frozenset({"name"}),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": frozenset({"name"}),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": frozenset(
        {"name", "restoreTestingPlanName", "protectedResourceType"}
    ),
    # aws_backup_selection has no update: every argument recreates it.
    "aws:backup/selection:Selection": frozenset(
        {"name", "planId", "iamRoleArn", "resources", "notResources", "selectionTags", "conditions"}
    ),
    "aws:backup/vault:Vault": frozenset({"name", "kmsKeyArn"}),
    # aws_backup_vault_lock_configuration has no update either.
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": frozenset(
        {"backupVaultName", "changeableForDays", "maxRetentionDays", "minRetentionDays"}
    ),
    "aws:cloudwatch/dashboard:Dashboard": frozenset({"dashboardName"}),
    "aws:cloudwatch/eventRule:EventRule": frozenset({"name", "namePrefix", "eventBusName"}),
    "aws:cloudwatch/eventTarget:EventTarget": frozenset({"rule", "targetId", "eventBusName"}),
    "aws:sfn/stateMachine:StateMachine": frozenset({"name", "namePrefix", "type"}),
    "aws:cloudwatch/logGroup:LogGroup": frozenset({"name", "namePrefix", "logGroupClass"}),
    "aws:cloudwatch/metricAlarm:MetricAlarm": frozenset({"name"}),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": frozenset({"vpcId"}),
    "aws:ec2/eip:Eip": frozenset(
        {"address", "domain", "customerOwnedIpv4Pool", "networkBorderGroup", "publicIpv4Pool", "ipamPoolId"}
    ),
    # aws_flow_log updates only its tags.
    "aws:ec2/flowLog:FlowLog": frozenset(
        {
            "vpcId",
            "subnetId",
            "eniId",
            "transitGatewayId",
            "transitGatewayAttachmentId",
            "trafficType",
            "iamRoleArn",
            "logDestination",
            "logDestinationType",
            "logFormat",
            "maxAggregationInterval",
            "destinationOptions",
            "deliverCrossAccountRole",
        }
    ),
    "aws:ec2/internetGateway:InternetGateway": frozenset(),
    "aws:ec2/launchTemplate:LaunchTemplate": frozenset({"name", "namePrefix"}),
    "aws:ec2/networkInterface:NetworkInterface": frozenset({"subnetId", "interfaceType"}),
    "aws:ec2/natGateway:NatGateway": frozenset({"allocationId", "subnetId", "connectivityType", "privateIp"}),
    "aws:ec2/route:Route": frozenset(
        {"routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"}
    ),
    "aws:ec2/routeTable:RouteTable": frozenset({"vpcId"}),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": frozenset({"subnetId", "gatewayId"}),
    "aws:ec2/securityGroup:SecurityGroup": frozenset({"name", "namePrefix", "description", "vpcId"}),
    "aws:ec2/subnet:Subnet": frozenset(
        {"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn", "ipv4IpamPoolId"}
    ),
    "aws:ec2/vpc:Vpc": frozenset({"cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"}),
    "aws:ec2/vpcEndpoint:VpcEndpoint": frozenset({"vpcId", "serviceName", "vpcEndpointType", "serviceRegion"}),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": frozenset({"repository"}),
    "aws:ecr/repository:Repository": frozenset({"name", "encryptionConfigurations"}),
    "aws:ecs/cluster:Cluster": frozenset({"name"}),
    "aws:ecs/service:Service": frozenset({"name", "cluster", "iamRole", "launchType", "schedulingStrategy"}),
    # A task definition revision is immutable: everything but tags, skipDestroy and trackLatest
    # makes a new revision (the old one stays registered with skipDestroy).
    "aws:ecs/taskDefinition:TaskDefinition": frozenset(
        {
            "family",
            "containerDefinitions",
            "cpu",
            "memory",
            "executionRoleArn",
            "taskRoleArn",
            "networkMode",
            "requiresCompatibilities",
            "runtimePlatform",
            "volumes",
            "ephemeralStorage",
            "pidMode",
            "ipcMode",
            "placementConstraints",
            "proxyConfiguration",
            "enableFaultInjection",
        }
    ),
    "aws:iam/role:Role": frozenset({"name", "namePrefix", "path"}),
    "aws:iam/instanceProfile:InstanceProfile": frozenset({"name", "namePrefix", "path"}),
    "aws:iam/rolePolicy:RolePolicy": frozenset({"name", "namePrefix", "role"}),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": frozenset({"role", "policyArn"}),
    "aws:kms/alias:Alias": frozenset({"name", "namePrefix"}),
    "aws:kms/key:Key": frozenset({"customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"}),
    "aws:lambda/function:Function": frozenset({"name", "packageType"}),
    # With lifecycleScope CREATE_ONLY (Crane It's release) the provider invokes only on create,
    # so a changed input or trigger replaces the invocation: the release runs again.
    "aws:lambda/invocation:Invocation": frozenset({"functionName", "input", "qualifier", "triggers"}),
    "aws:lb/listener:Listener": frozenset({"loadBalancerArn"}),
    "aws:lb/listenerCertificate:ListenerCertificate": frozenset({"listenerArn", "certificateArn"}),
    "aws:lb/listenerRule:ListenerRule": frozenset({"listenerArn"}),
    "aws:lb/loadBalancer:LoadBalancer": frozenset(
        {"name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"}
    ),
    "aws:lb/targetGroup:TargetGroup": frozenset(
        {
            "name",
            "namePrefix",
            "port",
            "protocol",
            "protocolVersion",
            "vpcId",
            "targetType",
            "ipAddressType",
            "lambdaMultiValueHeadersEnabled",
        }
    ),
    "aws:rds/instance:Instance": frozenset(
        {
            "identifier",
            "identifierPrefix",
            "engine",
            "availabilityZone",
            "characterSetName",
            "dbName",
            "kmsKeyId",
            "ncharCharacterSetName",
            "storageEncrypted",
            "timezone",
            "username",
            "snapshotIdentifier",
            "restoreToPointInTime",
            "s3Import",
            "customIamInstanceProfile",
        }
    ),
    "aws:rds/parameterGroup:ParameterGroup": frozenset({"name", "namePrefix", "family", "description"}),
    "aws:rds/subnetGroup:SubnetGroup": frozenset({"name", "namePrefix"}),
    "aws:route53/record:Record": frozenset({"zoneId", "name", "setIdentifier"}),
    "aws:s3/bucket:Bucket": frozenset({"bucket", "bucketPrefix", "objectLockEnabled"}),
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": frozenset({"bucket", "expectedBucketOwner"}),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": frozenset({"bucket", "expectedBucketOwner"}),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": frozenset({"bucket"}),
    "aws:s3/bucketPolicy:BucketPolicy": frozenset({"bucket"}),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": frozenset({"bucket"}),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": frozenset(
        {"bucket", "expectedBucketOwner"}
    ),
    "aws:s3/bucketVersioning:BucketVersioning": frozenset({"bucket", "expectedBucketOwner"}),
    "aws:scheduler/schedule:Schedule": frozenset({"name", "namePrefix", "groupName"}),
    "aws:scheduler/scheduleGroup:ScheduleGroup": frozenset({"name", "namePrefix"}),
    "aws:sns/topic:Topic": frozenset({"name", "namePrefix", "fifoTopic"}),
    "aws:sns/topicPolicy:TopicPolicy": frozenset({"arn"}),
    "aws:sns/topicSubscription:TopicSubscription": frozenset(
        {"topic", "protocol", "endpoint", "endpointAutoConfirms", "confirmationTimeoutInMinutes"}
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": frozenset({"securityGroupId"}),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": frozenset({"securityGroupId"}),
    # pulumi-docker's Image rebuilds and pushes on any change: an update, never a replace.
    "docker:index/image:Image": frozenset(),
}
"""Pulumi type token -> the inputs whose change replaces the resource (besides ``region``)."""

DATA_HOLDING: frozenset[str] = frozenset(
    {
        "aws:s3/bucket:Bucket",
        # Recreating a bucket's configuration children briefly removes what they guarantee
        # (versioning suspended, default encryption reset, lifecycle and policy gone).
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
        "aws:rds/instance:Instance",
        "aws:backup/vault:Vault",
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        # A deleted key makes everything encrypted with it unreadable once its window ends.
        "aws:kms/key:Key",
    }
)
"""Types whose replace or delete puts client data at risk."""


def forces_replace(type_: str, key: str) -> bool:
    """Whether changing input ``key`` of a ``type_`` resource replaces it."""
    return key == REGION or key in REPLACE_FORCING.get(type_, frozenset())


def holds_data(type_: str) -> bool:
    """Whether a resource of ``type_`` holds client data (or guards data that does)."""
    return type_ in DATA_HOLDING
