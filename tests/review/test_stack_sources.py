"""One source of truth for which stacks a project has and what each renders from (crane_it.review.stacks)."""

import pytest

from crane_it.project import ProjectError
from crane_it.review.stacks import UnknownStackError, find_stack, stacks_at, stacks_of
from tests.gitrepo import git


def project(tmp_path, pulumi="name: infra\nruntime: python\n", files=None):
    (tmp_path / "Pulumi.yaml").write_text(pulumi)
    for name, text in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_a_spec_file_a_staging_config_and_a_python_program_are_all_stacks(tmp_path):
    root = project(
        tmp_path,
        "name: infra\nruntime: python\nconfig:\n  crane-it:stacks: [tool, tool-staging]\n",
        {
            "stacks/acme.yaml": "client: acme\n",
            "Pulumi.acme-staging.yaml": "config:\n  crane-it:spec: stacks/acme.yaml\n",
            "Pulumi.acme.yaml": "encryptionsalt: v1:abc\n",
        },
    )
    stacks = stacks_of(root)
    assert list(stacks) == ["acme", "acme-staging", "tool", "tool-staging"]
    assert stacks["acme"].spec == "stacks/acme.yaml" and stacks["acme"].config == "Pulumi.acme.yaml"
    assert stacks["acme"].declared_by == ("stacks/acme.yaml", "Pulumi.acme.yaml")
    assert stacks["acme-staging"].spec == "stacks/acme.yaml" and stacks["acme-staging"].kind == "spec"
    assert stacks["acme-staging"].spec_override() == "stacks/acme.yaml"
    assert stacks["acme-staging"].inputs == {"stacks/acme.yaml", "Pulumi.acme-staging.yaml"}
    assert stacks["tool"].kind == "program" and stacks["tool"].spec is None
    assert stacks["tool"].declared_by == ("Pulumi.yaml crane-it:stacks",)


def test_a_settings_file_without_a_spec_key_renders_its_own_spec_or_its_program(tmp_path):
    root = project(tmp_path, files={"stacks/shop.yaml": "client: shop\n", "Pulumi.shop.yaml": "config: {}\n"})
    (root / "Pulumi.tool.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    stacks = stacks_of(root)
    assert stacks["shop"].spec == "stacks/shop.yaml" and stacks["shop"].spec_override() is None
    assert stacks["tool"].kind == "program" and stacks["tool"].settings == {"aws:region": "eu-west-1"}


def test_the_project_namespace_spec_key_counts_too(tmp_path):
    # This repo's __main__.py reads pulumi.Config().get("spec"): <project>:spec.
    root = project(tmp_path, files={"Pulumi.acme-staging.yaml": "config:\n  infra:spec: ./stacks/acme.yaml\n"})
    assert stacks_of(root)["acme-staging"].spec == "stacks/acme.yaml"


def test_stack_config_dir_is_where_settings_files_are_read(tmp_path):
    root = project(
        tmp_path,
        "name: infra\nruntime: python\nstackConfigDir: config\n",
        {"config/Pulumi.web.yaml": "config:\n  crane-it:spec: stacks/web.yaml\n", "Pulumi.ignored.yaml": "{}\n"},
    )
    assert list(stacks_of(root)) == ["web"]


@pytest.mark.parametrize(
    ("pulumi", "files", "message"),
    [
        ("name: x\nruntime: python\nconfig:\n  crane-it:stacks: tool\n", {}, "must be a list of stack names"),
        ("name: x\nruntime: python\n", {"Pulumi.a.yaml": "config:\n  crane-it:spec: /abs/a.yaml\n"}, "absolute"),
        ("name: x\nruntime: python\n", {"Pulumi.a.yaml": "config: [\n"}, "Pulumi.a.yaml: invalid YAML"),
    ],
)
def test_a_declaration_crane_it_cannot_read_is_refused(tmp_path, pulumi, files, message):
    with pytest.raises(ProjectError, match=message):
        stacks_of(project(tmp_path, pulumi, files))


def test_an_undeclared_stack_is_refused_saying_how_to_declare_it(tmp_path):
    root = project(tmp_path, files={"stacks/acme.yaml": "client: acme\n"})
    with pytest.raises(UnknownStackError) as refused:
        find_stack(root, "acme-staging")
    message = str(refused.value)
    assert message.startswith("stack 'acme-staging': Crane It cannot tell what it renders")
    assert "stacks here: acme" in message and "crane-it:stacks" in message and "crane-it:spec" in message


def test_a_revision_is_read_without_a_checkout(tmp_path):
    root = project(
        tmp_path,
        files={
            "stacks/acme.yaml": "client: acme\n",
            "Pulumi.acme-staging.yaml": "config:\n  crane-it:spec: stacks/acme.yaml\n",
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.email=ci@example.com", "-c", "user.name=CI", "add", "-A")
    git(root, "-c", "user.email=ci@example.com", "-c", "user.name=CI", "commit", "-q", "-m", "two stacks")
    git(root, "mv", "stacks/acme.yaml", "stacks/acme-shop.yaml")
    assert list(stacks_at(root, "HEAD")) == ["acme", "acme-staging"]
    assert stacks_at(root, "HEAD")["acme-staging"].spec == "stacks/acme.yaml"
    assert list(stacks_of(root)) == ["acme-shop", "acme-staging"]
    assert stacks_of(root)["acme-staging"].spec == "stacks/acme.yaml"  # still points at it: the render refuses
