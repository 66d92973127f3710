"""What an install shows a user: the distribution's name and metadata, and one version
everywhere. (`make wheel-check`, run by .ci/run, builds the wheel and runs it from a venv.)"""

import re
import tomllib
from pathlib import Path

import pytest

import scrape
from scrape.cli.main import main
from scrape.version import __version__

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_version_comes_from_one_place(capsys):
    assert scrape.__version__ == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "scrape.version.__version__"}
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.strip() == f"scrape {__version__}"


def test_distribution_metadata():
    project = PYPROJECT["project"]
    assert project["name"] == "scrape-articles"  # "scrape" on PyPI is another project
    from scrape.version import DISTRIBUTION

    assert DISTRIBUTION == project["name"]  # what the dask extra's install hint names
    assert project["scripts"] == {"scrape": "scrape.cli:main"}
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text("utf-8")
    assert project["readme"] == "README.md"
    assert {"Homepage", "Repository", "Issues"} <= set(project["urls"])
    classifiers = project["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers and "Typing :: Typed" in classifiers


def test_readme_tells_how_to_install():
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Install", 1)[1].split("\n## ", 1)[0]
    for command in ("pip install scrape-articles", "pipx install scrape-articles", "pip install .", "scrape --version"):
        assert command in section, command
