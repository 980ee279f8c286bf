"""The alarms, alert rules and dashboard that tell a person when a client needs them."""
