"""The tags Crane It puts on every resource, and that its commands find a client's resources by."""

CLIENT = "client"
STACK = "stack"
MANAGED_BY = "managed-by"
MANAGED_BY_VALUE = "crane-it"
"""Value of the managed-by tag: only resources carrying it are ever touched by a crane command."""
RETIRING = "retiring"
"""Tag key (value "true") on every resource of a client being retired (`retire: true`); the
policy pack allows the settings a retirement needs only on resources that carry it."""
WORKER = "crane-worker"
"""Tag key on a worker's ECS service (value: the worker's name): the day-two commands that
look for the client's web service (`crane run`, `logs`, `status`, ...) skip services carrying it."""
