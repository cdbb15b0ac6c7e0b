"""Ships the top-level rules/ folder inside the package, as clean_articles/rules (everything
else is in pyproject.toml)."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithRules(build_py):
    def run(self):
        super().run()
        if not self.editable_mode:  # an editable install reads the source tree's rules/
            self.copy_tree("rules", str(Path(self.build_lib) / "clean_articles" / "rules"))


setup(cmdclass={"build_py": BuildWithRules})
