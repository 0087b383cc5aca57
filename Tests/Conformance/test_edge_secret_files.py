"""The outbox holds codes and temporary passwords: the server keeps it owner-only (mode 0600), even
when the file existed with a looser mode before it started (scripts/test creates it with the umask's)."""
from __future__ import annotations

import os
import stat

from support import OUTBOX_FILE, sign_up


def test_the_outbox_file_is_owner_only(anon_idp, pool, client, outbox):
    user = sign_up(anon_idp, pool["Id"], client)
    outbox.code(pool["Id"], user.username, kind="SignUp")  # waits until the server wrote the message
    mode = stat.S_IMODE(os.stat(OUTBOX_FILE).st_mode)
    assert mode == 0o600, oct(mode)
