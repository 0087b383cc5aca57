"""Postern vs moto_server: the same boto3 workload against both, printed side by side.

Each cell runs for a fixed time with N threads, each thread with its own boto3 client. Both servers
share the machine with the client threads, so absolute numbers are lower than on a dedicated host; the
ratio is the point. Loopback only; every loop is bounded in time.
"""
import argparse
import itertools
import subprocess
import threading
import time
import uuid

import boto3
from botocore.config import Config

PASSWORD = "Bench-Passw0rd!"


def client(endpoint, key_id, secret, concurrency):
    return boto3.session.Session().client(
        "cognito-idp", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, max_pool_connections=max(10, concurrency)))


class Target:
    def __init__(self, name, endpoint, key_id, secret, database_url=None):
        self.name, self.endpoint, self.key_id, self.secret, self.database_url = name, endpoint, key_id, secret, database_url
        admin = client(endpoint, key_id, secret, 1)
        self.pool = admin.create_user_pool(PoolName=f"bench-{uuid.uuid4().hex[:8]}", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        self.client_id = admin.create_user_pool_client(
            UserPoolId=self.pool, ClientName="bench",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        self.users = []
        for index in range(32):
            username = f"signin{index}-{uuid.uuid4().hex[:6]}"
            admin.admin_create_user(UserPoolId=self.pool, Username=username, MessageAction="SUPPRESS",
                                    UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
            admin.admin_set_user_password(UserPoolId=self.pool, Username=username, Password=PASSWORD, Permanent=True)
            self.users.append(username)
        self.tokens = [self.sign_in(admin, user) for user in self.users[:8]]

    def sign_in(self, idp, username):
        result = idp.initiate_auth(ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
        return result["AuthenticationResult"]["AccessToken"]

    def event_count(self):
        if not self.database_url:
            return None
        out = subprocess.run(["psql", self.database_url, "-Atc", "SELECT count(*) FROM eventlog.events"],
                             capture_output=True, text=True, check=True)
        return int(out.stdout.strip())


def run_cell(target, workload, concurrency, seconds):
    clients = [client(target.endpoint, target.key_id, target.secret, concurrency) for _ in range(concurrency)]
    counts = [0] * concurrency
    errors = [0] * concurrency
    start_barrier = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker(index):
        idp = clients[index]
        users = itertools.cycle(target.users[index::concurrency] or target.users)
        tokens = itertools.cycle(target.tokens)
        start_barrier.wait()
        while time.monotonic() < deadline[0]:
            try:
                if workload == "sign-ups":
                    name = f"u{uuid.uuid4().hex[:12]}"
                    idp.sign_up(ClientId=target.client_id, Username=name, Password=PASSWORD,
                                UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
                elif workload == "sign-ins":
                    target.sign_in(idp, next(users))
                else:
                    idp.get_user(AccessToken=next(tokens))
                counts[index] += 1
            except Exception:  # counted, not fatal: a benchmark reports what the server did
                errors[index] += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    before = target.event_count()
    deadline[0] = time.monotonic() + seconds
    began = time.monotonic()
    start_barrier.wait()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.monotonic() - began
    after = target.event_count()
    events = None if before is None else (after - before) / elapsed
    return sum(counts) / elapsed, sum(errors), events


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postern", required=True)
    parser.add_argument("--moto", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", default="1,8,32")
    args = parser.parse_args()

    import os
    postern = Target("postern", args.postern, os.environ["POSTERN_ADMIN_ACCESS_KEY_ID"],
                     os.environ["POSTERN_ADMIN_SECRET_ACCESS_KEY"], args.database_url)
    moto = Target("moto", args.moto, "testing", "testing")
    levels = [int(level) for level in args.concurrency.split(",")]

    print(f"{'workload':<10} {'clients':>7} {'postern/s':>10} {'moto/s':>10} {'ratio':>7} {'events/s':>9} {'errors p/m':>11}")
    for workload in ["sign-ups", "sign-ins", "get-user"]:
        for level in levels:
            p_rate, p_errors, p_events = run_cell(postern, workload, level, args.seconds)
            m_rate, m_errors, _ = run_cell(moto, workload, level, args.seconds)
            ratio = p_rate / m_rate if m_rate else float("inf")
            print(f"{workload:<10} {level:>7} {p_rate:>10.1f} {m_rate:>10.1f} {ratio:>6.2f}x {p_events:>9.1f} {p_errors:>5}/{m_errors:<5}",
                  flush=True)


if __name__ == "__main__":
    main()
