"""The graph's own tables (``cpg_nodes``, ``cpg_edges``, ``cpg_props``) and the passes that fill them."""
