"""Talks to AWS or the Pulumi CLI (the `ops` extra): look-ups, history, spec edits and the reset engine."""
