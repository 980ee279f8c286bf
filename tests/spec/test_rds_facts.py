"""The RDS fact table: memory by family and size, and each engine's own max_connections formula."""

from __future__ import annotations

import pytest

from crane_it.facts import rds


@pytest.mark.parametrize(
    ("instance_class", "gib"),
    [
        ("db.t4g.micro", 1),
        ("db.t3.medium", 4),
        ("db.m6g.large", 8),
        ("db.r6g.large", 16),  # memory-optimized: twice the m class of the same size
        ("db.r5.24xlarge", 768),
        ("db.m7i.24xlarge", 384),
    ],
)
def test_memory_is_keyed_by_family_and_size(instance_class, gib):
    family, size = rds.split_class(instance_class)
    assert rds.INSTANCE_MEMORY_GIB[family][size] == gib


@pytest.mark.parametrize("instance_class", ["db.r5.micro", "db.m6g.small", "db.t4g.4xlarge", "db.r6g.24xlarge"])
def test_classes_aws_does_not_offer_are_not_in_the_table(instance_class):
    assert not rds.offers_class(instance_class)


@pytest.mark.parametrize(
    ("nominal_gib", "observed"),
    # PostgreSQL's default max_connections reported by real instances of these sizes.
    [(2, 198), (4, 413), (8, 856)],
)
def test_class_memory_estimate_stays_just_below_what_real_instances_report(nominal_gib, observed):
    instance_class = {2: "db.t3.small", 4: "db.t3.medium", 8: "db.t3.large"}[nominal_gib]
    computed = rds.default_max_connections("postgres", instance_class)
    assert observed * 0.95 <= computed <= observed
    assert rds.class_memory_bytes(instance_class) < nominal_gib * 1024**3


def test_each_engine_uses_its_own_formula_and_postgres_keeps_superuser_slots():
    memory = rds.class_memory_bytes("db.r6g.large")
    assert rds.default_max_connections("postgres", "db.r6g.large") == memory // 9531392
    assert rds.default_max_connections("mysql", "db.r6g.large") == memory // 12582880
    assert rds.usable_connections("postgres", "db.r6g.large") == memory // 9531392 - 5
    assert rds.usable_connections("mysql", "db.r6g.large") == memory // 12582880
    # LEAST(..., 5000) for PostgreSQL on large classes.
    assert rds.default_max_connections("postgres", "db.r6i.24xlarge") == 5000


def test_an_r_class_counts_its_real_memory_not_one_gib():
    assert rds.default_max_connections("mysql", "db.r6g.large") > 10 * rds.default_max_connections(
        "mysql", "db.t4g.micro"
    )
