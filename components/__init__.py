"""Crane It: Pulumi components for stateless client web apps on AWS, and their specs.

Import ``components.client.ClientStack`` to build a whole client from a ``ClientSpec``, or
the single components (``Network``, ``Service``, ``Bucket``, ``Database``, ``Backup``,
``Alarms``) to assemble your own.
"""
