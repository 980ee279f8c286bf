"""A spec's problems come in one run, and a spec deploys only as its own client's stack."""

import textwrap

import pytest
from pydantic import ValidationError

from crane_it.loader import SpecError, from_python, load_stack_spec, parse_spec
from crane_it.spec import ClientSpec
from tests.conftest import NOW
from tests.spec.test_spec import MINIMAL

SIX_MISTAKES = MINIMAL + textwrap.dedent(
    """\
      cpu: 256
      memory: 4096
      environment: {DB_HOST: x, API_KEY: "1"}
      secrets: {API_KEY: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme/key"}
    servce: {}
    bucket: {protect: maybe}
    database: {}
    backup: {copy_to_region: eu-west-1}
    """
)


def test_six_mistakes_field_and_cross_field_are_reported_in_one_run_in_file_order():
    with pytest.raises(SpecError) as refused:
        parse_spec(SIX_MISTAKES, "stacks/acme.yaml", context={"now": NOW})
    heading, *lines = str(refused.value).splitlines()
    assert heading == "stacks/acme.yaml: 6 problem(s) in the client spec:"
    where = [line.split(": ", 2)[:2] for line in (line.strip() for line in lines)]
    assert where == [
        ["stacks/acme.yaml:8", "service.memory"],  # a check across service's fields
        ["stacks/acme.yaml:9", "service.environment"],  # across sections: DB_HOST is the database's
        ["stacks/acme.yaml:10", "service.secrets"],  # the same check's second refusal
        ["stacks/acme.yaml:11", "servce"],  # a field error
        ["stacks/acme.yaml:12", "bucket.protect"],  # a field error
        ["stacks/acme.yaml:14", "backup.copy_to_region"],  # across sections
    ]


def test_a_missing_build_context_is_reported_with_the_field_errors(tmp_path):
    text = MINIMAL.replace("  image: ghcr.io/acme/shop:1.4.2\n", "  build: {context: app}\n") + "  port: -1\n"
    with pytest.raises(SpecError) as refused:
        parse_spec(text, "stacks/acme.yaml", root=tmp_path)
    message = str(refused.value)
    assert "2 problem(s)" in message
    assert "service.port:" in message and "service.build.context: directory 'app' does not exist" in message


def test_a_value_set_aside_is_not_refused_again_through_its_default():
    # cpu: banana is refused; checking memory 4096 against the default cpu 256 would blame a value nobody wrote.
    text = MINIMAL + "  cpu: banana\n  memory: 4096\n"
    with pytest.raises(SpecError) as refused:
        parse_spec(text, "stacks/acme.yaml", context={"now": NOW})
    message = str(refused.value)
    assert "1 problem(s)" in message and "service.cpu:" in message
    assert "cpu=256" not in message


def _project(tmp_path, spec_text, stack_config=None, stack="copycat"):
    (tmp_path / "Pulumi.yaml").write_text("name: infra\nruntime: python\n")
    (tmp_path / "stacks").mkdir()
    path = tmp_path / "stacks" / f"{stack}.yaml"
    path.write_text(textwrap.dedent(spec_text))
    if stack_config is not None:
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(stack_config)
    return path


def test_a_copied_spec_with_a_forgotten_client_is_refused_naming_both(tmp_path):
    path = _project(tmp_path, MINIMAL)  # client: acme, in stacks/copycat.yaml
    with pytest.raises(SpecError) as refused:
        load_stack_spec(path, stack="copycat", root=tmp_path)
    message = str(refused.value)
    assert message.startswith(f"{path}:2: client: client 'acme' is neither stack 'copycat' nor its prefix")
    assert "would deploy as acme-copycat" in message
    assert "pulumi config set crane-it:client acme --stack copycat" in message


def test_a_stack_whose_config_names_the_client_may_deploy_it(tmp_path):
    path = _project(tmp_path, MINIMAL, "config:\n  crane-it:client: acme\n")
    assert load_stack_spec(path, stack="copycat", root=tmp_path).client == "acme"
    (tmp_path / "Pulumi.copycat.yaml").write_text("config:\n  crane-it:client: someone-else\n")
    with pytest.raises(SpecError, match=r"Pulumi\.copycat\.yaml says crane-it:client='someone-else'"):
        load_stack_spec(path, stack="copycat", root=tmp_path)


@pytest.mark.parametrize("stack", ["acme", "acme-staging", "acme-eu-2"])
def test_a_stack_of_its_own_client_or_a_stage_of_it_is_accepted(tmp_path, stack):
    path = _project(tmp_path, MINIMAL, stack="acme")
    assert load_stack_spec(path, stack=stack, root=tmp_path).client == "acme"


def test_a_spec_built_in_python_gets_the_located_message_a_yaml_spec_gets():
    with pytest.raises(ValidationError) as refused:
        ClientSpec.model_validate({"client": "tool", "region": "mars-1", "service": {"image": "x:1", "memroy": 1}})
    message = str(from_python(refused.value, "__main__.py", 25))
    heading, *lines = message.splitlines()
    assert heading == "__main__.py:25: 2 problem(s) in the client spec built in Python:"
    assert lines[0].startswith("  __main__.py:25: region: Input should be ")
    assert lines[1].startswith("  __main__.py:25: service.memroy: unknown field; did you mean 'memory'?")
