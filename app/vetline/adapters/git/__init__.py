"""git: one command runner, reading a working tree, staging and restoring per verdict."""
