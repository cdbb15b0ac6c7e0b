"""README.md's two opening commands are exactly what .ci/run executes, and the `pip install .`
they start with ships every file the package reads."""

import tomllib

from conftest import ROOT


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
