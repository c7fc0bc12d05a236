"""The one options resolver: precedence and refusal of bad keys and values."""

from __future__ import annotations

from pathlib import Path

import pytest

import codeanatomy
from codeanatomy.config import resolve_options
from codeanatomy.errors import ConfigError
from tests.conftest import RepoFactory


def test_precedence_cli_env_own_file_pyproject_default(make_repo: RepoFactory) -> None:
    root = make_repo(
        {
            "pyproject.toml": "[tool.codeanatomy]\njobs = 3\nprofile = 'full'\nexclude = ['a/**']\ncode_chars = 40\n",
            "codeanatomy.toml": "jobs = 4\nexclude = ['b/**']\n",
        }
    )
    resolved = resolve_options(root, {"exclude": ("c/**",)}, environ={"CODEANATOMY_JOBS": "5"})
    opts = resolved.options
    assert (opts.jobs, opts.exclude, opts.profile, opts.code_chars, opts.max_file_bytes) == (
        5, ("c/**",), "full", 40, 5 * 1024 * 1024,
    )
    assert resolved.sources["jobs"] == "env:CODEANATOMY_JOBS"
    assert resolved.sources["exclude"] == "cli"
    assert resolved.sources["profile"].endswith("pyproject.toml [tool.codeanatomy]")
    assert resolved.sources["max_file_bytes"] == "default"
    assert opts.selected_layers == ("ast", "symtable", "bytecode", "tree_sitter", "libcst", "scip")


def test_relative_paths_in_files_are_relative_to_the_repository(make_repo: RepoFactory) -> None:
    root = make_repo({"pyproject.toml": "[tool.codeanatomy]\nscip = 'idx/index.scip'\n", "codeanatomy.toml": "out = 'graph'\n"})
    opts = resolve_options(root, {}, environ={}).options
    assert (opts.out, opts.scip) == (str(root / "graph"), str(root / "idx" / "index.scip"))
    kept = resolve_options(root, {}, environ={"CODEANATOMY_OUT": "here", "CODEANATOMY_SCIP": "run"}).options
    assert (kept.out, kept.scip) == ("here", "run")  # the environment's, like the CLI's, are the caller's
    assert resolve_options(root, {"out": "cli-out"}, environ={}).options.out == "cli-out"
    (root / "codeanatomy.toml").write_text("out = '/abs/graph'\nscip = 'run'\n")
    assert (resolve_options(root, {}, environ={}).options.out, resolve_options(root, {}, environ={}).options.scip) == (
        "/abs/graph", "run",
    )


def test_a_build_configured_with_a_relative_out_is_found_from_anywhere(
    make_repo: RepoFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"codeanatomy.toml": "out = 'graph'\n", "pkg/a.py": "def f():\n    pass\n"})
    monkeypatch.chdir(tmp_path)
    result = codeanatomy.build(root, jobs=1)
    assert result.out == str(root / "graph") and not (tmp_path / "graph").exists()
    monkeypatch.chdir(root / "pkg")
    files = codeanatomy.open_graph(root).query("SELECT path FROM files").column(0).to_pylist()
    assert files == ["pkg/a.py"]  # the output directory itself is not scanned


def test_env_lists_are_comma_separated(make_repo: RepoFactory) -> None:
    root = make_repo({})
    opts = resolve_options(root, {}, environ={"CODEANATOMY_LAYERS": "ast, symtable"}).options
    assert opts.selected_layers == ("ast", "symtable")


@pytest.mark.parametrize(("value", "expected"), [("false", False), ("0", False), ("No", False), ("on", True), ("1", True)])
def test_the_cache_flag_reads_words_and_digits_from_the_environment(make_repo: RepoFactory, value: str, expected: bool) -> None:
    root = make_repo({})
    assert resolve_options(root, {}, environ={"CODEANATOMY_CACHE": value}).options.cache is expected
    assert resolve_options(make_repo({"codeanatomy.toml": "cache = false\n"}), {}).options.cache is False


@pytest.mark.parametrize(
    ("files", "env", "explicit", "message"),
    [
        ({"codeanatomy.toml": "jobz = 2\n"}, {}, {}, r"unknown option 'jobz' \(from .*codeanatomy.toml\)"),
        ({}, {"CODEANATOMY_NOPE": "1"}, {}, r"unknown option 'CODEANATOMY_NOPE'"),
        ({"pyproject.toml": "[tool.codeanatomy]\njobs = 0\n"}, {}, {}, r"invalid value 0 for 'jobs' \(from .*pyproject"),
        ({}, {"CODEANATOMY_PROFILE": "turbo"}, {}, r"'profile' \(from env:CODEANATOMY_PROFILE\): expected one of fast, full"),
        ({}, {}, {"layers": ("ast", "magic")}, r"invalid value 'ast,magic' for 'layers' .*unknown layer 'magic'"),
        ({"codeanatomy.toml": "jobs = [\n"}, {}, {}, r"cannot read configuration"),
        ({}, {"CODEANATOMY_CACHE": "maybe"}, {}, r"invalid value 'maybe' for 'cache' \(from env:CODEANATOMY_CACHE\): expected true or false"),
        ({"codeanatomy.toml": "cache = 1\n"}, {}, {}, r"invalid value 1 for 'cache' \(from .*codeanatomy.toml\)"),
    ],
)
def test_bad_configuration_names_key_and_source(
    make_repo: RepoFactory, files: dict[str, str], env: dict[str, str], explicit: dict[str, object], message: str
) -> None:
    root = make_repo(files)
    with pytest.raises(ConfigError, match=message):
        resolve_options(root, explicit, environ=env)
