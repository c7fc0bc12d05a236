"""Facts are a function of the source alone, whatever the worker's string-hash seed."""

from __future__ import annotations

import os
import subprocess
import sys

_PROGRAM = '''
def pick(mode, items):
    value = None
    if mode == 1:
        value = "one"
    elif mode == 2:
        value = []
    elif mode == 3:
        value = {}
    elif mode == 4:
        value = 4.0
    elif mode == 5:
        value = (1,)
    while items:
        value = items.pop() or value
    return value
'''

_DUMP = f"""
from codeanatomy.resolve.facts import collect_facts
from codeanatomy.source import SourceFile
facts = collect_facts(SourceFile("m.py", "fid", "m", {_PROGRAM!r}.encode()))
print(repr(facts.constraints))
"""


def _constraints_with_seed(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-c", _DUMP], env=env, capture_output=True, text=True, check=True).stdout


def test_constraints_do_not_depend_on_the_hash_seed() -> None:
    outputs = {_constraints_with_seed(seed) for seed in ("1", "2", "3", "4", "5")}
    assert len(outputs) == 1
    assert "'cp'" in outputs.pop()  # the loop head merges the branches' versions
