"""A client on a platform gets the small-client defaults only where its spec says nothing (no Pulumi)."""

import pytest

from crane_it.spec import AlertsSpec, BackupSpec, ClientSpec, RestoreTestingSpec, ServiceSpec
from crane_it.spec.platform_defaults import QUARTERLY_RESTORE_TESTS

SERVICE = {"image": "public.ecr.aws/nginx/nginx:1.27", "domain": "shop.apps.agency.example"}


def spec(**fields) -> ClientSpec:
    return ClientSpec.model_validate({"client": "shop", "region": "eu-west-1", "service": SERVICE, **fields})


def test_a_platform_client_that_says_nothing_gets_one_key_one_task_no_dashboard_quarterly_tests():
    on = spec(platform="agency", database={}, bucket={})
    assert on.keys == "per_client"
    assert on.service.desired_count == 1
    assert on.alerts.dashboard is False
    assert on.backup.restore_testing_settings == RestoreTestingSpec(schedule=QUARTERLY_RESTORE_TESTS)


def test_a_client_with_its_own_vpc_keeps_the_old_defaults():
    own = spec(database={}, bucket={})
    assert (own.keys, own.service.desired_count, own.alerts.dashboard) == ("per_purpose", 2, True)
    assert own.backup.restore_testing_settings == RestoreTestingSpec()
    assert own.backup.restore_testing_settings.schedule == "cron(0 5 ? * SUN *)"


@pytest.mark.parametrize("as_models", [False, True])
def test_what_a_platform_client_names_is_kept(as_models):
    alerts = {"dashboard": True, "emails": ["ops@shop.example"]}
    backup = {"restore_testing": {"schedule": "rate(7 days)", "retain_hours": 2}}
    service = {**SERVICE, "desired_count": 3}
    if as_models:  # a program that builds its spec in Python
        alerts, backup, service = AlertsSpec(**alerts), BackupSpec(**backup), ServiceSpec(**service)
    named = ClientSpec.model_validate(
        {
            "client": "shop",
            "region": "eu-west-1",
            "platform": "agency",
            "keys": "per_purpose",
            "service": service,
            "alerts": alerts,
            "backup": backup,
        }
    )
    assert (named.keys, named.service.desired_count, named.alerts.dashboard) == ("per_purpose", 3, True)
    assert named.alerts.emails == ["ops@shop.example"]
    assert named.backup.restore_testing_settings == RestoreTestingSpec(schedule="rate(7 days)", retain_hours=2)


def test_restore_tests_turned_off_stay_off_and_settings_without_a_schedule_get_the_quarterly_one():
    assert spec(platform="agency", backup={"restore_testing": False}).backup.restore_testing_settings is None
    tuned = spec(platform="agency", backup={"restore_testing": {"retain_hours": 8}}).backup.restore_testing_settings
    assert tuned == RestoreTestingSpec(schedule=QUARTERLY_RESTORE_TESTS, retain_hours=8)
    models = spec(platform="agency", backup=BackupSpec(restore_testing=True, point_in_time_days=7)).backup
    assert models.point_in_time_days == 7
    assert models.restore_testing_settings == RestoreTestingSpec(schedule=QUARTERLY_RESTORE_TESTS)


def test_a_wrong_value_is_still_refused_by_name_on_a_platform():
    with pytest.raises(ValueError, match="dashboard"):
        spec(platform="agency", alerts={"dashboard": "sometimes"})
    with pytest.raises(ValueError, match="keys"):
        spec(platform="agency", keys="one")
