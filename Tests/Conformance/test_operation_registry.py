"""The operation registry against the botocore model (the wire spec): every operation Postern serves exists
in cognito-idp, and is unsigned exactly when the model says `authtype: none`."""
import json
import os
import subprocess

import botocore.session

from support import POSTERN_BIN, REPO_ROOT


def test_access_matches_the_botocore_model():
    model = botocore.session.get_session().get_service_model("cognito-idp")
    out = subprocess.run([POSTERN_BIN, "operations", "--json"], cwd=REPO_ROOT, env=dict(os.environ),
                         capture_output=True, text=True, check=True).stdout
    entries = [json.loads(line) for line in out.splitlines() if line]
    assert len(entries) >= 37
    for entry in entries:
        assert entry["name"] in model.operation_names, entry
        unsigned = model.operation_model(entry["name"]).auth_type == "none"
        assert unsigned == (entry["access"] in ("public", "accessToken")), entry
        if entry["access"] == "accessToken":
            assert "AccessToken" in model.operation_model(entry["name"]).input_shape.members, entry
