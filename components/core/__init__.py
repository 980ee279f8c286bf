"""What every component keeps: options, naming, IAM documents, the provider and the contracts between components."""
