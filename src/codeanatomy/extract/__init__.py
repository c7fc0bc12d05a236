"""Evidence layers: each parses one file at a time and returns Arrow tables plus error rows."""
