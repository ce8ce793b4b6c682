"""Cross-cutting protections: the app's own writes, sessions ended after commit, guest rate limits."""
