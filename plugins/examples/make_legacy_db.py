#!/usr/bin/python3
"""Creates or extends a legacy user database for usermigration_sqlite.py.

usage: make_legacy_db.py PATH USERNAME:EMAIL:PASSWORD[:NAME] ...

Passwords are stored as bcrypt hashes; an existing username is replaced. A password cannot contain
':' (the name may).
"""
import sqlite3
import sys

import bcrypt

SCHEMA = """CREATE TABLE IF NOT EXISTS users(
    username TEXT PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL, name TEXT)"""


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    rows = []
    for spec in argv[2:]:
        parts = spec.split(":", 3)
        if len(parts) < 3 or not all(parts[:3]):
            print(f"make_legacy_db.py: expected USERNAME:EMAIL:PASSWORD[:NAME], got {spec!r}", file=sys.stderr)
            return 2
        username, email, password = parts[:3]
        name = parts[3] if len(parts) == 4 else None
        rows.append((username, email, bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode(), name))
    with sqlite3.connect(argv[1]) as db:
        db.execute(SCHEMA)
        db.executemany("INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?)", rows)
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
