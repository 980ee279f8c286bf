"""Client specs, one YAML file per client stack, and the loader that validates them."""
