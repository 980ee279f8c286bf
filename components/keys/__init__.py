"""The customer-managed KMS keys a client's data, logs and alerts are encrypted with."""
