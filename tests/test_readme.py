"""README.md's two opening commands are exactly what .ci/run executes, the `pip install .`
they start with ships every file the package reads, and its Python section runs."""

import shutil
import tomllib

from conftest import ROOT
from synthetic_site import page


def test_ci_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```sh\n")[1:3]]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in blocks:
        assert command in ci, command


def test_package_data_covers_every_data_file():
    package = ROOT / "src" / "clean_articles"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["clean_articles"]
    shipped = {p for g in globs for p in package.glob(g)}
    code = {".py", ".c", ".so", ".pyc"}
    data = {p for p in package.rglob("*") if p.is_file() and p.suffix not in code and p.name != "README.md"}
    assert data <= shipped, sorted(str(p.relative_to(package)) for p in data - shipped)


def test_the_python_section_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("## Python\n", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copy(ROOT / "rules" / "generic" / "recurring.toml", tmp_path / "my-site.toml")
    monkeypatch.chdir(tmp_path)
    pages = [page(k) for k in range(6)]
    scope = {"texts": pages[:4], "sites": ["example.com"] * 4, "more_texts": pages[4:],
             "more_sites": ["example.com"] * 2, "text": pages[0]}  # fmt: skip
    exec(code, scope)
    assert (
        scope["counts"].pages("example.com") == 6
        and "Sign up for our newsletter"
        not in scope["cleaner"].clean(pages[0], scope["counts"], site="example.com").text
    )
