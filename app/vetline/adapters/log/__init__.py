"""The decision log's parts: chain, schema, head file, checks, backups, sharing, exports."""
