"""Citations' source texts: captured, workspace files or fetched URLs, read as plain text."""
