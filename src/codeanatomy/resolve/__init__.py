"""Whole-repository reasoning over the evidence: modules, bindings, hierarchy, calls.

Call graph and hierarchy, in pipeline order:

* :func:`codeanatomy.resolve.facts.collect_facts` (per file, in workers): definitions,
  imports and assignment-graph constraints, with CPG node IDs.
* :func:`codeanatomy.resolve.program.resolve_program` (whole program): module
  resolution (:mod:`.modules`, a DataFusion join), the points-to fixpoint
  (:mod:`.solver`), C3 MROs (:mod:`.hierarchy`); returns the tables of :mod:`.tables`.
* :mod:`codeanatomy.resolve.pycg`: ``to_pycg``, ``to_json``, ``to_dot`` over those tables.

Name bindings (REFERS_TO) live in :mod:`.bindings`.
"""
