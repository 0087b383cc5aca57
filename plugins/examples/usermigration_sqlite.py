"""UserMigration: moves users from a legacy SQLite database with bcrypt password hashes into the pool.

Reads the database named by LEGACY_DB (default examples/legacy-users.sqlite, relative to the plugins
directory; make one with make_legacy_db.py), read-only, table
users(username TEXT PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL, name TEXT).
The typed user name may be the legacy username or email. Needs the bcrypt module (Debian:
python3-bcrypt). A plain Cognito Lambda handler; Postern runs it through shims/python-lambda.
"""
import os
import sqlite3
import urllib.parse

import bcrypt


def find_user(name):
    path = os.path.abspath(os.environ.get("LEGACY_DB", "examples/legacy-users.sqlite"))
    # mode=ro: a missing database is an error instead of a new empty file.
    db = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True)
    try:
        return db.execute(
            "SELECT username, email, password_hash, name FROM users WHERE username = ? OR lower(email) = lower(?)"
            " ORDER BY username = ? DESC LIMIT 1",  # an exact username match wins over an email match
            (name, name, name),
        ).fetchone()
    finally:
        db.close()


def handler(event, context):
    source = event["triggerSource"]
    if source not in ("UserMigration_Authentication", "UserMigration_ForgotPassword"):
        raise Exception(f"Unsupported trigger source {source}")
    user = find_user(event["userName"])
    if user is None:
        raise Exception("User not found")
    _, email, password_hash, name = user
    if source == "UserMigration_Authentication":
        if not bcrypt.checkpw(event["request"]["password"].encode(), password_hash.encode()):
            raise Exception("Bad password")
        event["response"]["finalUserStatus"] = "CONFIRMED"
    attributes = {"email": email, "email_verified": "true"}
    if name:
        attributes["name"] = name
    event["response"]["userAttributes"] = attributes
    event["response"]["messageAction"] = "SUPPRESS"
    return event
