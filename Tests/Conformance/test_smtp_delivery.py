"""Email delivery over SMTP: a second Postern, configured with POSTERN_SMTP_URL, sends the sign-up code to
a real SMTP server (aiosmtpd) instead of the file sink. It gets its own database so the two servers'
delivery workers do not share a log."""
from __future__ import annotations

import email
import os
import socket
import subprocess
import time
import uuid
from email import policy
from urllib.parse import urlsplit, urlunsplit

import boto3
import pytest
import requests
from aiosmtpd.controller import Controller
from botocore.config import Config

from support import ADMIN_KEY_ID, ADMIN_SECRET, PASSWORD, POSTERN_BIN, REPO_ROOT


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def smtp_postern(smtp_server):
    inbox, smtp_port = smtp_server
    base = os.environ["POSTERN_DATABASE_URL"]
    name = f"postern_smtp_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(base)
    subprocess.run(["psql", urlunsplit(parts._replace(path="/postgres")), "-qc", f"CREATE DATABASE {name}"], check=True)
    port = free_port()
    env = dict(os.environ, POSTERN_DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")),
               POSTERN_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", POSTERN_SMTP_FROM="accounts@example.org",
               POSTERN_PUBLIC_URL=f"http://127.0.0.1:{port}", POSTERN_OUTBOX_FILE=str(REPO_ROOT / ".postern" / f"{name}.jsonl"))
    process = subprocess.Popen([POSTERN_BIN, "serve", "--port", str(port)], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{endpoint}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the SMTP-configured server did not start")
        yield endpoint, inbox, env["POSTERN_OUTBOX_FILE"]
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_sign_up_code_is_mailed_through_the_relay(smtp_postern):
    endpoint, inbox, outbox_file = smtp_postern
    idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=ADMIN_KEY_ID,
                       aws_secret_access_key=ADMIN_SECRET, config=Config(retries={"max_attempts": 1}))
    pool = idp.create_user_pool(PoolName="smtp", AutoVerifiedAttributes=["email"],
                                VerificationMessageTemplate={"EmailSubject": "Votre code", "EmailMessage": "Code: {####}\n.done"})
    pool_id = pool["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username="mallory", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "mallory@example.com"}])

    deadline = time.time() + 10
    while not inbox.messages and time.time() < deadline:
        time.sleep(0.1)
    assert len(inbox.messages) == 1, "exactly one mail for one sign-up"
    mail_from, recipients, content = inbox.messages[0]
    assert mail_from == "accounts@example.org"
    assert recipients == ["mallory@example.com"]
    message = email.message_from_bytes(content, policy=policy.default)
    assert message["Subject"] == "Votre code"
    body = message.get_content()
    assert body.startswith("Code: ")
    assert ".done" in body, "dot-stuffing keeps a line that starts with a dot"
    code = body.split()[1]

    idp.confirm_sign_up(ClientId=client_id, Username="mallory", ConfirmationCode=code)
    user = idp.admin_get_user(UserPoolId=pool_id, Username="mallory")
    assert user["UserStatus"] == "CONFIRMED"
    assert not os.path.exists(outbox_file) or "mallory" not in open(outbox_file).read(), "email did not also go to the file sink"
