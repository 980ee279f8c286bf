"""Reads rendered plans (needs only the core dependencies): plan JSON, diff, replacements, revisions, cost."""
