"""Email delivery over SMTP: a second Postern, configured with POSTERN_SMTP_URL, sends the sign-up code to
a real SMTP server (aiosmtpd) instead of the file sink. It gets its own database so the two servers'
delivery workers do not share a log.

The relay can be told to refuse recipients (a permanent 550 or a transient 451, RFC 5321 §4.2): one bad
address must never stop the mail of everyone else (security issue item 3), and a body cannot smuggle a
second message past the end of data (item 7)."""
from __future__ import annotations

import email
import json
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
        self.refuse = {}  # recipient -> the reply to its RCPT TO, e.g. "550 5.1.1 Mailbox unavailable"
        self.rcpt_attempts = {}  # recipient -> how often it was offered

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd handler hook
        self.rcpt_attempts[address] = self.rcpt_attempts.get(address, 0) + 1
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def wait_for(self, recipient, timeout=15.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for message in self.messages:
                if recipient in message[1]:
                    return message
            time.sleep(0.1)
        pytest.fail(f"no mail for {recipient} within {timeout} s")


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
    # The owner role creates the database; this private server then runs as that single role.
    base = os.environ.get("POSTERN_MIGRATION_DATABASE_URL") or os.environ["POSTERN_DATABASE_URL"]
    name = f"postern_smtp_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(base)
    subprocess.run(["psql", urlunsplit(parts._replace(path="/postgres")), "-qc", f"CREATE DATABASE {name}"], check=True)
    port = free_port()
    own = urlunsplit(parts._replace(path=f"/{name}"))
    env = dict(os.environ, POSTERN_DATABASE_URL=own, POSTERN_MIGRATION_DATABASE_URL=own,
               POSTERN_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", POSTERN_SMTP_FROM="accounts@example.org",
               POSTERN_PUBLIC_URL=f"http://127.0.0.1:{port}", POSTERN_OUTBOX_FILE=str(REPO_ROOT / ".postern" / f"{name}.jsonl"),
               # Fast, short retries so the transient case dead-letters within a second.
               POSTERN_OUTBOX_RETRY_BASE_MS="50", POSTERN_OUTBOX_MAX_ATTEMPTS="3")
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
        yield endpoint, inbox, env["POSTERN_OUTBOX_FILE"], env
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_sign_up_code_is_mailed_through_the_relay(smtp_postern):
    endpoint, inbox, outbox_file, _ = smtp_postern
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


def _admin(endpoint):
    return boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=ADMIN_KEY_ID,
                        aws_secret_access_key=ADMIN_SECRET, config=Config(retries={"max_attempts": 1}))


def _pool_and_client(idp, **pool_settings):
    pool_id = idp.create_user_pool(PoolName="smtp", AutoVerifiedAttributes=["email"], **pool_settings)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def _sign_up(idp, client_id, username, email_address):
    idp.sign_up(ClientId=client_id, Username=username, Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": email_address}])


def _sub(idp, pool_id, username):
    attributes = idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    return next(a["Value"] for a in attributes if a["Name"] == "sub")


def _dead_letters(env, sub, timeout=15.0):
    """The MessageDeadLettered events on the user's stream, read with `postern events` from the SMTP server's database."""
    deadline = time.time() + timeout
    while True:
        proc = subprocess.run([POSTERN_BIN, "events", "--type", "MessageDeadLettered", "--stream", f"user-{sub}"], cwd=REPO_ROOT,
                              env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        if lines or time.time() > deadline:
            return lines, [json.loads(line) for line in lines]
        time.sleep(0.2)


def test_a_permanently_refused_recipient_is_dead_lettered_and_later_mail_still_goes_out(smtp_postern):
    endpoint, inbox, _, env = smtp_postern
    idp = _admin(endpoint)
    pool_id, client_id = _pool_and_client(idp)
    inbox.refuse["bounce@example.com"] = "550 5.1.1 Mailbox unavailable"
    _sign_up(idp, client_id, "bouncer", "bounce@example.com")
    _sign_up(idp, client_id, "later", "later@example.com")

    inbox.wait_for("later@example.com")
    assert inbox.rcpt_attempts["bounce@example.com"] == 1, "a 5xx is not retried"
    lines, events = _dead_letters(env, _sub(idp, pool_id, "bouncer"))
    assert len(events) == 1, lines
    data = events[0]["data"]
    assert data["reason"] == "smtp_550"
    assert data["attempts"] == 1
    assert data["transport"] == "smtp"
    assert data["messageId"]
    assert "bounce" not in lines[0] and "Code" not in lines[0], "no address and no text in the dead letter"


def test_a_transiently_refused_recipient_is_retried_a_bounded_number_of_times_then_dead_lettered(smtp_postern):
    endpoint, inbox, _, env = smtp_postern
    idp = _admin(endpoint)
    pool_id, client_id = _pool_and_client(idp)
    inbox.refuse["greylisted@example.com"] = "451 4.7.1 Try again later"
    _sign_up(idp, client_id, "greylisted", "greylisted@example.com")
    _sign_up(idp, client_id, "after", "after@example.com")

    inbox.wait_for("after@example.com")
    assert inbox.rcpt_attempts["greylisted@example.com"] == 3, "POSTERN_OUTBOX_MAX_ATTEMPTS=3"
    _, events = _dead_letters(env, _sub(idp, pool_id, "greylisted"))
    assert [(e["data"]["reason"], e["data"]["attempts"], e["data"].get("lastFailure")) for e in events] == [
        ("transient_exhausted", 3, "smtp_451")]


def test_a_bare_cr_in_the_body_cannot_smuggle_a_second_message(smtp_postern):
    endpoint, inbox, _, _ = smtp_postern
    idp = _admin(endpoint)
    smuggled = "\r.\rMAIL FROM:<evil@example.net>\rRCPT TO:<victim@example.net>\rDATA\rSmuggled\r.\r"
    pool_id, client_id = _pool_and_client(
        idp, VerificationMessageTemplate={"EmailSubject": "Code", "EmailMessage": "Code: {####}" + smuggled + "end"})
    _sign_up(idp, client_id, "target", "target@example.com")

    mail_from, recipients, content = inbox.wait_for("target@example.com")
    time.sleep(0.5)
    assert len(inbox.messages) == 1, "one message, nothing smuggled after it"
    assert "victim@example.net" not in inbox.rcpt_attempts
    assert (mail_from, recipients) == ("accounts@example.org", ["target@example.com"])
    assert b"\r" not in content.replace(b"\r\n", b""), "every CR on the wire is part of a CRLF"
    body = email.message_from_bytes(content, policy=policy.default).get_content()
    assert "MAIL FROM:<evil@example.net>" in body and body.rstrip().endswith("end"), "the text arrived as text"
