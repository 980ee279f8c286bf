"""Alarm names, written once: the alarms declare them and the service's deployment watches them.

The service cannot take the alarms' ``name`` outputs: the alarms' dimensions take the service
name, so that would be a dependency cycle. The names are deterministic strings instead, built
here from the client name and the alarm's title, and both sides call the same function.
"""

SERVICE_MEMORY = "service memory high"
HTTP_5XX = "server error rate high"
SERVICE_TASKS = "service tasks missing"
NAT_INSTANCE = "NAT instance down"

DEPLOYMENT_ALARMS = (SERVICE_MEMORY, HTTP_5XX, SERVICE_TASKS)
"""The alarms that roll a deployment back when they fire during it (and its bake time)."""


def alarm_name(client: str, title: str) -> str:
    """The CloudWatch alarm name, readable as an email subject: ``acme: service memory high``."""
    return f"{client}: {title}"


def dashboard_name(client: str) -> str:
    """The client's CloudWatch dashboard (dashboards are global to the account: it carries the name)."""
    return f"{client}-overview"
