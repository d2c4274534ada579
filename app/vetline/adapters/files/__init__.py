"""The workspace on disk: path safety, atomic writes, the multi-file transaction and its journal."""
