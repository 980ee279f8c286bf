"""The environment variables Crane It gives the app, written once.

The bucket and the database inject them (``Bucket.link``, ``Database.link``), the spec refuses
a user variable of the same name, and the reset command reads ``DB_HOST`` back from a task
definition.
"""

BUCKET_NAME = "BUCKET_NAME"
BUCKET_REGION = "BUCKET_REGION"
DB_HOST = "DB_HOST"
DB_PORT = "DB_PORT"
DB_NAME = "DB_NAME"
DB_USER = "DB_USER"
DB_ENGINE = "DB_ENGINE"
DB_SECRET_ARN = "DB_SECRET_ARN"
DB_PASSWORD = "DB_PASSWORD"

BUCKET_ENV = (BUCKET_NAME, BUCKET_REGION)
DATABASE_ENV = (DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_ENGINE, DB_SECRET_ARN)
DATABASE_SECRETS = (DB_PASSWORD,)
