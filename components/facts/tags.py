"""The tags Crane It puts on every resource, and that its commands find a client's resources by."""

CLIENT = "client"
STACK = "stack"
MANAGED_BY = "managed-by"
MANAGED_BY_VALUE = "crane-it"
"""Value of the managed-by tag: only resources carrying it are ever touched by a crane command."""
