"""The VPC a client or platform runs in, and its way out (NAT gateway or NAT instance)."""
