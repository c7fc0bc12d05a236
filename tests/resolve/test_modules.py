"""Module resolution: relative levels, namespace packages, src layouts, extra roots, star imports."""

from __future__ import annotations

from codeanatomy.resolve.facts import collect_facts
from codeanatomy.resolve.modules import ModuleIndex, resolve_imports
from codeanatomy.resolve.program import resolve_program
from codeanatomy.resolve.pycg import to_pycg
from codeanatomy.source import SourceFile
from codeanatomy.spans import file_id_for
from tests.resolve._programs import facts_of, resolve_files, source_of


def _targets(files: dict[str, str], **kwargs: object) -> dict[tuple[str, str | None], tuple[str, str | None]]:
    facts = facts_of(files)
    index = ModuleIndex(facts, **kwargs)  # type: ignore[arg-type]
    resolved = resolve_imports(facts, index)
    out = {}
    for item in facts:
        for imp in item.imports:
            target = resolved[imp.node_id]
            out[(f"{item.module}:{imp.module}", imp.name)] = (target.kind, target.target_module or target.base or target.external)
    return out


def test_relative_levels_and_submodules() -> None:
    files = {
        "pkg/__init__.py": "from . import sub\nfrom .sub import mod\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/mod.py": "from .. import helper\nfrom ..helper import go\nfrom . import *\n",
        "pkg/helper.py": "def go():\n    pass\n",
    }
    targets = _targets(files)
    assert targets[("pkg:None", "sub")] == ("MODULE", "pkg.sub")
    assert targets[("pkg:sub", "mod")] == ("MODULE", "pkg.sub.mod")
    assert targets[("pkg.sub.mod:None", "helper")] == ("MODULE", "pkg.helper")
    assert targets[("pkg.sub.mod:helper", "go")] == ("DEFINITION", "pkg.helper")
    assert targets[("pkg.sub.mod:None", "*")] == ("MODULE", "pkg.sub")


def test_namespace_packages_resolve_without_init() -> None:
    files = {"ns/part/mod.py": "def f():\n    pass\n", "main.py": "import ns.part.mod\nns.part.mod.f()\n"}
    targets = _targets(files)
    assert targets[("main:ns.part.mod", None)] == ("MODULE", "ns.part.mod")
    assert to_pycg(resolve_files(files))["main"] == ["ns.part.mod.f"]


def test_src_layout_and_extra_roots_are_import_roots() -> None:
    sources = [
        SourceFile("src/app/core.py", file_id_for("src/app/core.py"), "src.app.core", b"def run():\n    pass\n"),
        SourceFile("lib/util.py", file_id_for("lib/util.py"), "lib.util", b"def helper():\n    pass\n"),
        source_of("main.py", "from app.core import run\nimport util\nrun()\nutil.helper()\n"),
    ]
    result = resolve_program([collect_facts(s) for s in sources], extra_roots=["lib"])
    assert to_pycg(result)["main"] == ["lib.util.helper", "src.app.core.run"]


def test_star_import_chain_and_all() -> None:
    files = {
        "a.py": "from b import *\nvisible()\n",
        "b.py": "from c import *\n__all__ = ['visible', 'deep']\ndef visible():\n    pass\ndef hidden():\n    pass\n",
        "c.py": "def deep():\n    pass\n",
    }
    graph = to_pycg(resolve_files(files))
    assert graph["a"] == ["b.visible"]
    facts = facts_of(files)
    assert facts[1].all_names == ("visible", "deep")


def test_external_origins() -> None:
    result = resolve_files({"m.py": "import json\nimport pytest\nimport not_a_real_dist_abc\nimport builtins\n"})
    rows = {r["target_qualname"]: r["origin"] for r in result.tables["resolved_imports"].to_pylist()}
    assert rows == {"json": "stdlib", "pytest": "third_party", "not_a_real_dist_abc": "unknown", "builtins": "builtin"}
    dists = {r["qualname"]: r["distribution"] for r in result.tables["external_symbols"].to_pylist()}
    assert dists["pytest"] == "pytest"
