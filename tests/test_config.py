"""Configuration files: found up the tree, under the command line, checked like rule files."""

from __future__ import annotations

import json

import pytest
from conftest import SKIP_PACK, write_pack

from clean_articles.cli import main

PAGE = "Skip to main content\nThe council met on Monday and decided to reopen the harbour next spring.\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project whose pyproject.toml disables the skip-links rule, worked in from a subfolder."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.clean-articles]\ndisable = ["navigation.skip-links"]\nfavor = "precision"\n'
    )
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "deep" / "er")
    return tmp_path


def skip_links(runner, *args) -> bool:
    """Whether the rule the project disables removed a line."""
    return "navigation.skip-links" in runner.invoke(main, [*args, "--explain"], input=PAGE).stdout


def test_settings_come_from_the_nearest_file_up_the_tree(runner, project):
    assert not skip_links(runner)
    shown = runner.invoke(main, ["config"]).stdout
    assert f'disable = ["navigation.skip-links"]  # {project / "pyproject.toml"}:5' in shown
    assert f'favor = "precision"  # {project / "pyproject.toml"}:6' in shown
    assert "# jobs: worker processes (default)" in shown


def test_the_command_line_wins(runner, project):
    assert skip_links(runner, "--disable", "sputnik")


def test_no_config_and_config_file(runner, project, tmp_path):
    assert skip_links(runner, "--no-config")
    other = tmp_path / "other.toml"
    other.write_text('favor = "recall"\n')
    shown = runner.invoke(main, ["config", "--config", str(other)]).stdout
    assert f'favor = "recall"  # {other}:1' in shown and "disable =" not in shown
    assert skip_links(runner, "--config", str(other))


def test_a_dot_file_comes_before_pyproject_and_its_paths_are_read_from_its_folder(runner, project):
    write_pack(project, SKIP_PACK, "mine.toml")
    (project / "deep" / ".clean-articles.toml").write_text('rules = ["../mine.toml"]\nno-builtin-rules = true\n')
    listed = runner.invoke(main, ["rules", "list"]).stdout
    assert listed.split()[0] == "mine.skip" and "navigation" not in listed


@pytest.mark.parametrize(
    "text, message",
    [('favour = "precision"\n', ":1: unknown setting 'favour'. Did you mean 'favor'?"),
     ('\n\njobs = "4"\n', ":3: 'jobs' must be a whole number of at least 1"),
     ('favor = "fast"\n', ":1: 'favor' must be one of precision, balanced, recall"),
     ("rules = [1]\n", ":1: 'rules' must be a list of paths (strings)"),
     ("favor = \n", ":1: invalid TOML: Invalid value")],
)  # fmt: skip
def test_a_bad_setting_is_one_line_with_file_and_line(runner, tmp_path, monkeypatch, text, message):
    (tmp_path / ".clean-articles.toml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, [], input=PAGE)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / '.clean-articles.toml'}{message}\n"


def test_batch_takes_its_settings_too(runner, project, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.page").write_text(PAGE)
    (project / "pyproject.toml").write_text('[tool.clean-articles]\nglob = "*.page"\njobs = 1\n')
    result = runner.invoke(main, ["batch", str(src), str(tmp_path / "out")])
    assert result.exit_code == 0 and (tmp_path / "out" / "a.page").read_text() == PAGE.split("\n", 1)[1]
    assert json.loads((tmp_path / "out" / ".clean-articles-manifest.json").read_text())["files"].keys() == {"a.page"}
