"""Crane It: client stacks on Pulumi and the operational commands that look after them."""
