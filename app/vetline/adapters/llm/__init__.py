"""Asking OpenAI-compatible model servers for proposals: providers, prompt, replies, keys."""
