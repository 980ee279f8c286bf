"""AWS fact tables: pure data about what AWS accepts, kept apart from the components."""
