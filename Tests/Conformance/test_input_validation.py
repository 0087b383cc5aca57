"""Control characters never enter usernames or attribute values (botocore's UsernameType pattern
`[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+` must match the whole value; a trailing line break is no exception)."""
from __future__ import annotations

import pytest

from support import PASSWORD, expect_error, unique


@pytest.mark.parametrize("suffix", ["\n", "\r", "\r\n", "\x00", "\t", " "])
def test_usernames_with_control_characters_or_white_space_are_refused(anon_idp, idp, pool, client, suffix):
    username = unique("ctl") + suffix
    with expect_error("InvalidParameterException"):
        anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "ctl@example.com"}])
    with expect_error("InvalidParameterException"):
        idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS")
    assert idp.list_users(UserPoolId=pool["Id"])["Users"] == []


@pytest.mark.parametrize("email", ["a@example.com\n", "a@example.com\r\nBcc: victim@example.org", "a\x00@example.com",
                                   "a@exam\tple.com", "a@example.com\u202e"])
def test_emails_with_control_characters_are_refused(anon_idp, pool, client, email):
    with expect_error("InvalidParameterException"):
        anon_idp.sign_up(ClientId=client["ClientId"], Username=unique("u"), Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": email}])


def test_free_text_attributes_refuse_control_characters_but_keep_line_breaks(anon_idp, idp, pool, client):
    with expect_error("InvalidParameterException"):
        anon_idp.sign_up(ClientId=client["ClientId"], Username=unique("u"), Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "ok@example.com"}, {"Name": "name", "Value": "Ann\x07"}])
    username = unique("addr")
    anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                     UserAttributes=[{"Name": "email", "Value": "ok@example.com"},
                                     {"Name": "address", "Value": "1 Main St\nSpringfield"}])
    got = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserAttributes"]}
    assert got["address"] == "1 Main St\nSpringfield"
