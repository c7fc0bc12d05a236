"""Whole-repository reasoning over the evidence: modules, bindings, hierarchy, calls."""
