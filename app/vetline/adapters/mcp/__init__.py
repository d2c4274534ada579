"""The Model Context Protocol server agents send proposals to (no Qt: the window hooks it in)."""
