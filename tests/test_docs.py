"""The README and docs/ stay true: links resolve, the spec reference is the schema's, paths exist.

`mkdocs build --strict` (in .ci/run) checks the links between docs pages; the README is
outside the site, so its links are checked here, and the docs' links too so that a broken
one fails the test suite as well as the site build.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
MARKDOWN = [ROOT / "README.md", *PAGES]
CRANE = str(Path(sys.executable).with_name("crane"))

sys.path.insert(0, str(DOCS))
import gen_reference  # noqa: E402  (docs/ is not a package)

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def prose(path: Path) -> str:
    """The page without its code blocks (a link-like string in a code block is not a link)."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def slug(heading: str) -> str:
    """A heading's anchor as MkDocs' toc extension writes it (and GitHub, for these headings)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(path: Path) -> set[str]:
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+?)\s*$", prose(path), re.M)}


def relative_links(path: Path) -> list[str]:
    found = []
    for target in LINK.findall(re.sub(r"`[^`\n]*`", "", prose(path))):  # nor one in a code span
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        found.append(target)
    return found


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_to_a_file_and_heading(path):
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        if not destination.exists():
            broken.append(
                f"{target}: no file {destination.relative_to(ROOT) if ROOT in destination.parents else destination}"
            )
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {destination.relative_to(ROOT)}")
    assert broken == [], f"{path.relative_to(ROOT)}: broken links: {broken}"


def test_the_link_check_finds_a_broken_link(tmp_path):
    """The check above can fail: a missing page and a missing heading are both reported."""
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## Real heading\n", encoding="utf-8")
    page.write_text("[a](missing.md) [b](other.md#gone) [c](other.md#real-heading) `[e](y.md)`\n```\n[d](x.md)\n```\n")
    targets = relative_links(page)
    assert targets == ["missing.md", "other.md#gone", "other.md#real-heading"]
    assert not (tmp_path / "missing.md").exists()
    assert "gone" not in anchors(tmp_path / "other.md") and "real-heading" in anchors(tmp_path / "other.md")


def test_the_readme_links_every_docs_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in relative_links(ROOT / "README.md")}
    missing = [str(p.relative_to(ROOT)) for p in PAGES if p.resolve() not in linked]
    assert missing == [], f"README.md does not link {missing}"
    assert len(readme.splitlines()) < 250


def test_every_docs_page_is_in_the_site_nav():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s*([\w/-]+\.md)\s*$", nav, re.M))
    assert listed == {str(p.relative_to(DOCS)) for p in PAGES}


def test_the_docs_quick_start_is_the_readmes():
    """.ci/run runs the README's block; the site's home page shows the same two lines."""

    def block(text: str) -> str:
        section = re.search(r"^## Quick start\n(.*?)(?=^## )", text, re.S | re.M)
        assert section, "no '## Quick start' section"
        return re.search(r"```bash\n(.*?)```", section.group(1), re.S).group(1)

    readme = block((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(readme.strip().splitlines()) == 2
    assert block((DOCS / "index.md").read_text(encoding="utf-8")) == readme


@pytest.mark.parametrize("page", sorted(gen_reference.PAGES))
def test_the_spec_reference_is_generated_from_the_current_schema(page):
    committed = (DOCS / "reference" / page).read_text(encoding="utf-8")
    assert committed == gen_reference.page(page), f"docs/reference/{page} is stale: run `python docs/gen_reference.py`"


@pytest.mark.parametrize("page", sorted(gen_reference.PAGES))
def test_the_spec_reference_lists_every_field_of_the_schema(page):
    """Every property of every definition the schema reaches has a heading with its path."""
    schema_file = gen_reference.PAGES[page][0]
    root = json.loads((ROOT / "components" / schema_file).read_text(encoding="utf-8"))
    text = (DOCS / "reference" / page).read_text(encoding="utf-8")
    paths = [path for path, *_ in gen_reference.fields(root, root)]
    headings = re.findall(r"^## `([^`]+)`$", text, re.M)
    assert headings == paths
    leaves = {path.rsplit(".", 1)[-1] for path in paths}
    defined = set(root["properties"]) | {name for d in root["$defs"].values() for name in d.get("properties", {})}
    assert defined == leaves


PATH = re.compile(r"`((?:components|tests|benchmarks|examples|policy|stacks|\.github|\.ci|docs)/[\w./-]*)`")


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repo_path_the_docs_name_exists(path):
    """A file or folder named in backticks (`components/review/replacements.py`) is there."""
    text = path.read_text(encoding="utf-8")
    runtime = {"stacks/acme.reset.json", "stacks/other.yaml", "stacks/prod.yaml"}  # written or named as examples
    missing = sorted({p for p in PATH.findall(text) if p not in runtime and not (ROOT / p).exists()})
    assert missing == [], f"{path.relative_to(ROOT)} names paths that do not exist: {missing}"


def test_the_readme_quotes_crane_plan_as_it_prints():
    """Each quoted line of the README's `crane plan example` is the start of a printed line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("```text\n$ crane plan example\n") :].split("\n", 2)[2]
    block = block[: block.index("```")]
    done = subprocess.run([CRANE, "plan", "example"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    quoted = [line for line in block.splitlines() if line.strip() != "..."]
    assert len(quoted) >= 5
    for line in quoted:
        start = line.split(", ...")[0] if line.endswith(", ...") else line
        assert any(out.startswith(start) for out in printed), f"crane plan example does not print {line!r}"
