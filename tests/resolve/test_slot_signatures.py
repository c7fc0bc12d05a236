"""The size and widened kinds the solver keeps for each container slot match the slot."""

from __future__ import annotations

from codeanatomy.resolve.program import solve_program
from codeanatomy.resolve.solver import MAX_VALUES
from tests.resolve._programs import facts_of


def _program() -> dict[str, str]:
    """Dicts updated from one another, a slot widened past the literal limit, and a list
    element given up past the bound."""
    classes = MAX_VALUES + 8
    text = "".join(f"class C{i}:\n    pass\n\n" for i in range(classes))
    text += "config = {}\n" + "".join(f"config['level'] = {n}\n" for n in range(12))
    text += "config['name'] = 'x'\n"
    text += "merged = {}\nmerged.update(config)\nconfig.update(merged)\n"
    text += "items = []\n" + "".join(f"items.append(C{i}())\n" for i in range(classes))
    text += "copied = {'all': items}\nagain = dict(copied)\n"
    return {"main.py": text}


def test_every_slot_signature_is_the_slot_s_size_and_widened_kinds() -> None:
    _, solver = solve_program(facts_of(_program()))
    slot_keys = [key for key in solver.vals if isinstance(key, tuple) and key[0] == "S"]
    assert slot_keys
    for key in slot_keys:
        _, container, slot = key
        assert solver._slot_signatures[container][slot] == (len(solver.vals[key]), solver.widened.get(key)), key
    # The program reaches each case the signatures must follow.
    assert any(isinstance(key, tuple) and key[0] == "S" for key in solver.widened)
    assert any(isinstance(key, tuple) and key[0] == "S" for key in solver.given_up)
    named = [container for container, slots in solver._slot_signatures.items() if ("str", "name") in slots]
    assert len(named) >= 2  # ``config``'s slot, copied into ``merged`` by ``update``
