"""The reset engine: the steps of `crane reset`, their state file, and the bucket reset."""
