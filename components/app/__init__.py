"""The stateless app: the ECS service, its container, image, task roles, exec access and rollout."""
