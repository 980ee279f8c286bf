"""What holds client data: the bucket, the database and its point-in-time restore, backups and restore tests."""
