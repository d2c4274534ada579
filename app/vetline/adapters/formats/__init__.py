"""Every input format read into proposals, and proposals written back out as JSON."""
