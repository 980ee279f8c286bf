"""How requests reach the app: a client's own ALB, a platform's shared ALB and a client's rule on it, certificates, maintenance, WAF, access logs."""
