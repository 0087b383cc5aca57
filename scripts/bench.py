"""Postern vs moto_server under wrk: the same requests against both, printed side by side.

scripts/bench starts PostgreSQL (with pg_stat_statements), Postern and moto_server on loopback and
runs this. Here: boto3 creates the pools, users and tokens on both servers; each cell is one bounded
wrk run (scripts/wrk/*.lua) against one server; around each Postern cell the server's and the
cluster's CPU time are read from /proc and pg_stat_statements is reset and summed, so every figure
is per request. Last, `postern projections rebuild` is timed over the whole log.

wrk, both servers and PostgreSQL share the machine, so absolute numbers are lower than on a dedicated
host; the ratio and the per-request costs are the point.
"""
import argparse
import concurrent.futures
import datetime
import json
import math
import os
import resource
import subprocess
import sys
import time
import uuid

import boto3
import botocore.exceptions
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

PASSWORD = "Bench-Passw0rd!"  # satisfies the default policy (8+, upper, lower, digit, symbol)
USERS = 256          # AdminGetUser cycles through all of them (distinct signed requests)
SIGNIN_USERS = 64    # InitiateAuth and GetUser cycle through the first 64
REBUILD_MIN_EVENTS = int(os.environ.get("POSTERN_BENCH_REBUILD_MIN_EVENTS", 50_000))  # fewer: a meaningless figure
TOPUP_MAX_SECONDS = 300
CLK_TCK = os.sysconf("SC_CLK_TCK")
WRK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wrk")
ALL_OPERATIONS = ["SignUp", "InitiateAuth", "SRPSignIn", "GetUser", "AdminGetUser", "GetCredentialsForIdentity",
                  "GatewayInvoke", "UpstreamDirect"]
# GatewayInvoke: a GET through `postern gateway` (SigV4 for execute-api with a guest's temporary credentials,
# the role's policy evaluated) to the server's identity-pool discovery document; UpstreamDirect: the same GET
# straight to the server, the gateway's baseline. moto has no execute-api authorizer: these rows have no ratio.
GATEWAY_OPERATIONS = ("GatewayInvoke", "UpstreamDirect")
GATEWAY_API, GATEWAY_STAGE = "bench", "prod"
UPSTREAM_PATH = "/cognito-identity/.well-known/openid-configuration"
# POSTERN_BENCH_OPERATIONS=SRPSignIn,GetUser runs only those rows (the rebuild still runs).
OPERATIONS = [op for op in os.environ.get("POSTERN_BENCH_OPERATIONS", ",".join(ALL_OPERATIONS)).split(",") if op in ALL_OPERATIONS]
# POSTERN_BENCH_PERF=1 records the server with `perf` during every Postern cell at the most connections and
# writes the hottest symbols beside the wrk output (<work>/<cell>.perf.txt).
# POSTERN_BENCH_PERF=dwarf unwinds with DWARF (stacks through libcrypto, which keeps no frame pointers; slower).
PERF = os.environ.get("POSTERN_BENCH_PERF", "") in ("1", "dwarf")
PERF_CALL_GRAPH = "dwarf,16384" if os.environ.get("POSTERN_BENCH_PERF") == "dwarf" else "fp"
# POSTERN_BENCH_SKIP_MOTO=1 measures Postern alone (quick iterations; the ratio needs moto).
SKIP_MOTO = os.environ.get("POSTERN_BENCH_SKIP_MOTO") == "1"


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- /proc -----------------------------------------------------------------------------------------

def proc_stat(pid):
    """(state, ppid, utime, stime, cutime, cstime) in clock ticks; comm may hold spaces, so split after ')'."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    rest = data[data.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), int(rest[11]), int(rest[12]), int(rest[13]), int(rest[14])


def process_cpu(pid):
    _, _, utime, stime, _, _ = proc_stat(pid)
    return (utime + stime) / CLK_TCK


def cluster_cpu(postmaster):
    """The postmaster's own time plus what it reaped (exited backends), plus every live child's."""
    _, _, utime, stime, cutime, cstime = proc_stat(postmaster)
    total = utime + stime + cutime + cstime
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            _, ppid, utime, stime, _, _ = proc_stat(int(entry))
        except (OSError, ValueError, IndexError):
            continue  # exited meanwhile: its time is in the postmaster's cutime by now
        if ppid == postmaster:
            total += utime + stime
    return total / CLK_TCK


def alive(pid):
    try:
        return proc_stat(pid)[0] != "Z"  # a dead server stays a zombie: bash waits on us, not on it
    except OSError:
        return False


# --- PostgreSQL ------------------------------------------------------------------------------------

class Database:
    def __init__(self, psql, url, app_role):
        self.psql, self.url, self.app_role = psql, url, app_role

    def rows(self, sql):
        out = subprocess.run([self.psql, "-X", "-q", "-At", "-F", "\t", self.url, "-c", sql],
                             capture_output=True, text=True, check=True, timeout=120)
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def events(self):
        return int(self.rows("SELECT count(*) FROM eventlog.events")[0][0])

    def reset_statements(self):
        self.rows("SELECT pg_stat_statements_reset()")

    def statements(self):
        """Calls by the server's role since the reset: all (nested too), top-level, touching ratelimit."""
        row = self.rows(f"""
            SELECT coalesce(sum(calls), 0), coalesce(sum(calls) FILTER (WHERE toplevel), 0),
                   coalesce(sum(calls) FILTER (WHERE query ILIKE '%ratelimit.%'), 0)
            FROM pg_stat_statements WHERE userid = '{self.app_role}'::regrole""")[0]
        return tuple(int(value) for value in row)

    def top_statements(self, limit=12):
        """The server's most frequent statements since the reset, for the JSON (where the SQL/op goes)."""
        return [{"calls": int(calls), "toplevel": toplevel == "t", "plan_ms": float(plan), "exec_ms": float(execute),
                 "query": " ".join(query.split())[:160]}
                for calls, toplevel, plan, execute, query in self.rows(f"""
                    SELECT calls, toplevel, round(total_plan_time::numeric, 1), round(total_exec_time::numeric, 1),
                           replace(replace(query, E'\\t', ' '), E'\\n', ' ') FROM pg_stat_statements
                    WHERE userid = '{self.app_role}'::regrole ORDER BY calls DESC LIMIT {limit}""")]


# --- the servers -----------------------------------------------------------------------------------

def client(endpoint, key_id, secret):
    return boto3.session.Session().client(
        "cognito-idp", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=16))


class Target:
    """One server with the same fixtures: a pool for SignUp and one holding USERS users."""

    def __init__(self, name, endpoint, key_id, secret, pid):
        self.name, self.endpoint, self.key_id, self.secret, self.pid = name, endpoint, key_id, secret, pid
        self.host = endpoint.split("//", 1)[1].rstrip("/")  # 127.0.0.1:PORT, what wrk sends as Host

    def setup(self):
        started = time.monotonic()
        idp = client(self.endpoint, self.key_id, self.secret)
        tag = uuid.uuid4().hex[:8]

        def pool(kind):
            # AutoVerifiedAttributes=email: SignUp queues a code message, as with Cognito's default pool.
            pool_id = idp.create_user_pool(PoolName=f"bench-{kind}-{tag}", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
            client_id = idp.create_user_pool_client(
                UserPoolId=pool_id, ClientName="bench",
                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            )["UserPoolClient"]["ClientId"]
            return pool_id, client_id

        self.signup_pool, self.signup_client = pool("signup")
        self.pool, self.client_id = pool("signin")
        self.users = [f"user{index:03d}-{tag}" for index in range(USERS)]

        def create(index):
            username = self.users[index]
            idp.admin_create_user(UserPoolId=self.pool, Username=username, MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"},
                                                  {"Name": "email_verified", "Value": "true"}])
            if index < SIGNIN_USERS:
                idp.admin_set_user_password(UserPoolId=self.pool, Username=username, Password=PASSWORD, Permanent=True)
                result = idp.initiate_auth(ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                           AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
                return result["AuthenticationResult"]["AccessToken"]
            return None

        with concurrent.futures.ThreadPoolExecutor(8) as pool_executor:
            tokens = list(pool_executor.map(create, range(USERS)))
        self.tokens = tokens[:SIGNIN_USERS]
        self.identities = self.guest_identities(tag)
        log(f"{self.name}: {USERS} users, {SIGNIN_USERS} tokens in {time.monotonic() - started:.1f}s")

    def guest_identities(self, tag):
        """An identity pool for guests whose unauthenticated role trusts it, and SIGNIN_USERS guest identities."""
        keys = {"endpoint_url": self.endpoint, "region_name": "us-east-1", "aws_access_key_id": self.key_id,
                "aws_secret_access_key": self.secret}
        identity = boto3.session.Session().client("cognito-identity", **keys)
        pool = identity.create_identity_pool(IdentityPoolName=f"bench_{tag}", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool}}}]}
        iam = boto3.session.Session().client("iam", **keys)
        role = iam.create_role(RoleName=f"bench-guests-{tag}", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        invoke = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "execute-api:Invoke",
            "Resource": f"arn:aws:execute-api:*:*:{GATEWAY_API}/{GATEWAY_STAGE}/GET/*"}]}
        iam.put_role_policy(RoleName=f"bench-guests-{tag}", PolicyName="invoke", PolicyDocument=json.dumps(invoke))
        self.identity_client = identity
        try:
            identity.set_identity_pool_roles(IdentityPoolId=pool, Roles={"unauthenticated": role})
        except botocore.exceptions.ClientError as error:
            # moto_server has no SetIdentityPoolRoles; its GetCredentialsForIdentity needs no role.
            log(f"{self.name}: SetIdentityPoolRoles: {error.response['Error']['Code']}")
        with concurrent.futures.ThreadPoolExecutor(8) as executor:
            return list(executor.map(lambda _: identity.get_id(IdentityPoolId=pool)["IdentityId"], range(SIGNIN_USERS)))

    # Request files for scripts/wrk/replay.lua: TARGET <TAB> BODY [<TAB> Header: value]…

    @staticmethod
    def body(members):
        return json.dumps(members, separators=(",", ":"))

    def initiate_auth_lines(self):
        return [f"InitiateAuth\t" + self.body({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client_id,
                                                "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}})
                for user in self.users[:SIGNIN_USERS]]

    def credentials_lines(self):
        """GetCredentialsForIdentity for guests: the X-Amz-Target header names the cognito-identity service."""
        return [f"GetCredentialsForIdentity\t" + self.body({"IdentityId": identity})
                + "\tX-Amz-Target: AWSCognitoIdentityService.GetCredentialsForIdentity" for identity in self.identities]

    def gateway_lines(self, gateway_host):
        """GETs through the gateway, SigV4-signed for execute-api now with each guest identity's credentials
        (fetched once: one session per identity, as an app holds them)."""
        if not getattr(self, "sessions", None):
            with concurrent.futures.ThreadPoolExecutor(8) as executor:
                self.sessions = list(executor.map(
                    lambda identity: self.identity_client.get_credentials_for_identity(IdentityId=identity)["Credentials"],
                    self.identities))
        lines = []
        for session in self.sessions:
            signer = SigV4Auth(Credentials(session["AccessKeyId"], session["SecretKey"], session["SessionToken"]),
                               "execute-api", "us-east-1")
            path = f"/{GATEWAY_STAGE}{UPSTREAM_PATH}"
            request = AWSRequest(method="GET", url=f"http://{gateway_host}{path}", headers={"Host": gateway_host})
            signer.add_auth(request)
            lines.append(f"GET\t{path}\tX-Amz-Date: {request.headers['X-Amz-Date']}\t"
                         f"X-Amz-Security-Token: {session['SessionToken']}\tAuthorization: {request.headers['Authorization']}")
        return lines

    def upstream_lines(self):
        return [f"GET\t{UPSTREAM_PATH}"]

    def get_user_lines(self):
        return [f"GetUser\t" + self.body({"AccessToken": token}) for token in self.tokens]

    def admin_get_user_lines(self):
        """SigV4-signed now (the server allows 300 s of skew), one per user: distinct signatures."""
        signer = SigV4Auth(Credentials(self.key_id, self.secret), "cognito-idp", "us-east-1")
        lines = []
        for user in self.users:
            body = self.body({"UserPoolId": self.pool, "Username": user})
            request = AWSRequest(method="POST", url=f"{self.endpoint}/", data=body, headers={
                "Host": self.host, "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminGetUser"})
            signer.add_auth(request)
            lines.append(f"AdminGetUser\t{body}\tX-Amz-Date: {request.headers['X-Amz-Date']}\t"
                         f"Authorization: {request.headers['Authorization']}")
        return lines


# --- one cell --------------------------------------------------------------------------------------

def run_wrk(target, connections, seconds, script, args, log_path):
    threads = 1 if connections == 1 else 2
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s", "--latency",
               "-s", os.path.join(WRK_DIR, script), f"{target.endpoint}/", "--", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        output, stderr = done.stdout, done.stderr
    except subprocess.TimeoutExpired as expired:
        output, stderr = expired.stdout or "", f"wrk did not finish within {seconds + 60}s"
    with open(log_path, "w") as f:
        f.write(" ".join(command) + "\n" + output + stderr)
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    return {"requests": 0, "duration_us": seconds * 1e6, "errors": {}, "latency_us": {}, "ok2xx": 0, "non2xx": 0,
            "checked": 0, "bad": 0, "samples": [f"wrk failed: {stderr.strip()[-300:]}"]}


class Bench:
    def __init__(self, args):
        self.args = args
        self.db = Database(args.psql, args.owner_url, args.app_role)
        self.postmaster = int(open(args.postmaster_pid_file).readline())
        self.work = args.work_dir
        os.makedirs(self.work, exist_ok=True)
        self.run_tag = uuid.uuid4().hex[:6]
        self.signup_rate = None  # Postern events/s in the SignUp cell at most connections, for the top-up

    def cell(self, target, operation, connections, seconds=None, label=None):
        seconds = seconds or self.args.seconds
        label = label or f"{target.name}-{operation}-c{connections}"
        if operation == "SignUp":
            # A fresh random prefix per run: the usernames never repeat across cells or runs.
            script, args = "signup.lua", [target.signup_client, f"b{self.run_tag}{uuid.uuid4().hex[:6]}", PASSWORD]
        elif operation == "SRPSignIn":
            # Two requests a sign-in; the client's SRP maths runs in wrk (libcrypto through LuaJIT's FFI).
            path = os.path.join(self.work, f"{label}.users")
            with open(path, "w") as f:
                f.write("\n".join(target.users[:SIGNIN_USERS]) + "\n")
            script, args = "srp.lua", [path, target.client_id, target.pool, PASSWORD]
        elif operation in GATEWAY_OPERATIONS:
            path = os.path.join(self.work, f"{label}.requests")
            requests = (self.postern.gateway_lines(target.host) if operation == "GatewayInvoke"
                        else self.postern.upstream_lines())
            with open(path, "w") as f:
                f.write("\n".join(requests) + "\n")
            script, args = "signed.lua", [path, '"issuer"']
        else:
            lines = {"InitiateAuth": (target.initiate_auth_lines, "AuthenticationResult"),
                     "GetUser": (target.get_user_lines, '"Username"'),
                     "AdminGetUser": (target.admin_get_user_lines, '"UserStatus"'),
                     "GetCredentialsForIdentity": (target.credentials_lines, '"SessionToken"')}[operation]
            path = os.path.join(self.work, f"{label}.requests")
            with open(path, "w") as f:
                f.write("\n".join(lines[0]()) + "\n")
            script, args = "replay.lua", [path, lines[1]]

        measured = target.name in ("postern", "gateway")
        if measured:
            events_before = self.db.events()
            self.db.reset_statements()
            time.sleep(0.2)  # let psql's backend exit before the CPU snapshot
            pg_before = cluster_cpu(self.postmaster)
        profile = self.start_perf(target, label) if measured and PERF and connections == max(self.levels) else None
        server_before = process_cpu(target.pid)
        began = time.monotonic()
        result = run_wrk(target, connections, seconds, script, args, os.path.join(self.work, f"{label}.wrk.txt"))
        elapsed = time.monotonic() - began
        if profile:
            self.finish_perf(profile, label)
        server_after = process_cpu(target.pid) if alive(target.pid) else server_before
        requests = result["requests"]
        if operation == "SRPSignIn":
            # A sign-in is two requests: count answered PASSWORD_VERIFIERs (and failures), not requests.
            requests = result["ok2xx"] + result["non2xx"]
        per_op = (lambda total: total / requests if requests else None)
        errors = result.get("errors") or {}
        latency = result.get("latency_us") or {}
        cell = {
            "operation": operation, "connections": connections, "server": target.name, "seconds": seconds,
            "requests": requests, "rps": requests / (result["duration_us"] / 1e6) if result["duration_us"] else 0.0,
            "p50_ms": latency.get("p50", 0) / 1000, "p90_ms": latency.get("p90", 0) / 1000,
            "p99_ms": latency.get("p99", 0) / 1000, "max_ms": latency.get("max", 0) / 1000,
            "non2xx": result["non2xx"], "bad_bodies": result["bad"], "bodies_checked": result["checked"],
            "socket_errors": {k: errors.get(k, 0) for k in ("connect", "read", "write", "timeout")},
            "samples": result.get("samples") or [],
            "server_cpu_ms_per_op": per_op((server_after - server_before) * 1000),
            "server_alive": alive(target.pid),
        }
        cell["error_total"] = cell["non2xx"] + cell["bad_bodies"] + sum(cell["socket_errors"].values())
        if requests and result["checked"] == 0:
            cell["error_total"] += 1
            cell["samples"].append("no 2xx body was checked")
        if measured:
            time.sleep(0.2)  # the last answers' statements finish
            pg_after = cluster_cpu(self.postmaster)
            total, toplevel, ratelimit = self.db.statements()
            cell["top_statements"] = self.db.top_statements()
            if profile:
                with open(os.path.join(self.work, f"{label}.perf.txt"), "a") as f:
                    f.write(f"\n# statements ({requests} requests): calls, plan ms, exec ms, query\n")
                    for statement in cell["top_statements"]:
                        f.write(f"{statement['calls']:>8} {statement['plan_ms']:>9} {statement['exec_ms']:>9}  {statement['query']}\n")
            events = self.db.events() - events_before
            cell.update({
                "pg_cpu_ms_per_op": per_op((pg_after - pg_before) * 1000),
                "sql_per_op": per_op(total), "toplevel_sql_per_op": per_op(toplevel),
                "ratelimit_sql_per_op": per_op(ratelimit), "ratelimit_sql_per_s": ratelimit / elapsed,
                "sql_calls": total, "events_per_op": per_op(events), "events_appended": events,
                "events_per_s": events / elapsed,
            })
        state = "" if cell["server_alive"] else "  SERVER DIED"
        log(f"{label}: {cell['rps']:.1f}/s p50 {cell['p50_ms']:.2f} ms p99 {cell['p99_ms']:.2f} ms, "
            f"{cell['error_total']} errors{state}")
        return cell

    def start_perf(self, target, label):
        data = os.path.join(self.work, f"{label}.perf.data")
        return subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "499" if PERF_CALL_GRAPH != "fp" else "999",
                                 "--call-graph", PERF_CALL_GRAPH, "-p", str(target.pid), "-o", data],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), data

    def finish_perf(self, profile, label):
        process, data = profile
        process.send_signal(2)
        process.wait(timeout=60)
        report = os.path.join(self.work, f"{label}.perf.txt")
        with open(report, "w") as f:
            for sort in ("dso", "symbol"):
                done = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", sort, "--stdio",
                                       "--percent-limit", "0.4", "-g", "none"], capture_output=True, text=True)
                f.write(done.stdout)
        log(f"{label}: profile in {report}")

    def run(self):
        self.levels = [int(level) for level in self.args.connections.split(",")]
        postern = Target("postern", self.args.postern, os.environ["POSTERN_ADMIN_ACCESS_KEY_ID"],
                         os.environ["POSTERN_ADMIN_SECRET_ACCESS_KEY"], self.args.server_pid)
        moto = Target("moto", self.args.moto, "testing", "testing", self.args.moto_pid)
        targets = (postern,) if SKIP_MOTO else (postern, moto)
        self.postern = postern
        for target in targets:
            target.setup()
        # The gateway's cells are measured on the gateway process: its CPU per request is the authorizer's cost.
        gateway = Target("gateway", self.args.gateway, "", "", self.args.gateway_pid) if self.args.gateway else None
        idle = self.idle(postern)
        levels = [int(level) for level in self.args.connections.split(",")]
        rows = []
        for operation in OPERATIONS:
            for connections in levels:
                pair = {}
                if operation in GATEWAY_OPERATIONS:
                    target = gateway if operation == "GatewayInvoke" else postern
                    if target and alive(target.pid):
                        pair["postern"] = self.cell(target, operation, connections)
                    else:
                        log(f"no gateway running: {operation} c{connections} skipped")
                    rows.append({"operation": operation, "connections": connections, **pair})
                    continue
                for target in targets:
                    if not alive(target.pid):
                        log(f"{target.name} is not running: {operation} c{connections} skipped")
                        continue
                    pair[target.name] = self.cell(target, operation, connections)
                rows.append({"operation": operation, "connections": connections, **pair})
                if operation == "SignUp" and "postern" in pair:
                    self.signup_rate = pair["postern"]["events_per_s"] or self.signup_rate
        rebuild = self.rebuild(postern) if alive(postern.pid) else {"skipped": "postern is not running"}
        return {"idle": idle, "rows": rows, "rebuild": rebuild}

    def idle(self, postern, seconds=5):
        """What an idle Postern costs per second (checkpoints, subscriptions, flushes): the per-request
        figures include their share of it, which weighs most in the slow 1-connection cells."""
        time.sleep(2)  # the setup's after-effects (projections, outbox) settle
        self.db.reset_statements()
        time.sleep(0.2)
        server_before, pg_before = process_cpu(postern.pid), cluster_cpu(self.postmaster)
        time.sleep(seconds)
        server_after, pg_after = process_cpu(postern.pid), cluster_cpu(self.postmaster)
        total, _, ratelimit = self.db.statements()
        idle = {"seconds": seconds, "server_cpu_ms_per_s": (server_after - server_before) * 1000 / seconds,
                "pg_cpu_ms_per_s": (pg_after - pg_before) * 1000 / seconds, "sql_per_s": total / seconds,
                "ratelimit_sql_per_s": ratelimit / seconds}
        log(f"idle postern: server {idle['server_cpu_ms_per_s']:.1f} ms/s, PostgreSQL {idle['pg_cpu_ms_per_s']:.1f} ms/s, "
            f"{idle['sql_per_s']:.1f} SQL/s")
        return idle

    def rebuild(self, postern):
        """Times `postern projections rebuild` over the whole log, topped up to REBUILD_MIN_EVENTS first."""
        topups = []
        events = self.db.events()
        while events < REBUILD_MIN_EVENTS and len(topups) < 3:
            # A SignUp run long enough to append the missing events (rate from the SignUp cell).
            rate = self.signup_rate or 500.0
            seconds = max(5, min(TOPUP_MAX_SECONDS, math.ceil((REBUILD_MIN_EVENTS - events) / rate * 1.2)))
            log(f"{events} events in the log, fewer than {REBUILD_MIN_EVENTS}: SignUp at 16 connections for {seconds}s first")
            cell = self.cell(postern, "SignUp", 16, seconds=seconds, label=f"postern-topup{len(topups) + 1}-c16")
            topups.append({"seconds": seconds, "requests": cell["requests"], "events_appended": cell["events_appended"],
                           "errors": cell["error_total"]})
            events = self.db.events()
        # The operator's command as an operator runs it: as the owner, with the master key (env). The
        # server keeps running (idle): the rebuild holds its lock, appends would wait.
        env = dict(os.environ, POSTERN_DATABASE_URL=self.args.owner_url, POSTERN_LOG_LEVEL="warning")
        env.pop("POSTERN_MIGRATION_DATABASE_URL", None)
        log(f"postern projections rebuild over {events} events")
        self.db.reset_statements()
        time.sleep(0.2)
        pg_before, children_before = cluster_cpu(self.postmaster), resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.monotonic()
        command = [self.args.bin, "projections", "rebuild"]
        data = os.path.join(self.work, "rebuild.perf.data")
        if PERF:
            # The profile slows the tool a little; its rate is still reported, the profile beside it.
            command = ["perf", "record", "-q", "-e", "cpu-clock", "-F", "499" if PERF_CALL_GRAPH != "fp" else "999",
                       "--call-graph", PERF_CALL_GRAPH, "-o", data, "--"] + command
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
        elapsed = time.monotonic() - began
        if PERF:
            with open(os.path.join(self.work, "rebuild.perf.txt"), "w") as f:
                for sort in ("dso", "symbol"):
                    report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", sort, "--stdio",
                                             "--percent-limit", "0.4", "-g", "none"], capture_output=True, text=True)
                    f.write(report.stdout)
            log(f"rebuild: profile in {os.path.join(self.work, 'rebuild.perf.txt')}")
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        pg_cpu = cluster_cpu(self.postmaster) - pg_before
        # Every role's statements: the rebuild runs as the owner (the idle server adds a few per second).
        statements = int(self.db.rows("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                                      "WHERE query NOT ILIKE '%pg_stat_statements%'")[0][0])
        tool_cpu = (children_after.ru_utime + children_after.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
        output = (done.stdout + done.stderr).strip()
        replayed = None
        if done.returncode == 0 and output.startswith("rebuilt from "):
            replayed = int(output.split()[2])
        per_event = (lambda total: total / replayed if replayed else None)
        return {"events_in_log": events, "replayed": replayed, "seconds": elapsed,
                "events_per_s": replayed / elapsed if replayed else None, "exit_status": done.returncode,
                "tool_cpu_ms_per_event": per_event(tool_cpu * 1000), "pg_cpu_ms_per_event": per_event(pg_cpu * 1000),
                "sql_per_event": per_event(statements),
                "output": output[-500:], "topups": topups}


# --- output ----------------------------------------------------------------------------------------

def fmt(value, spec, width):
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


def table(results, seconds):
    out = []
    header = (f"{'operation':<13}{'conn':>5}{'postern/s':>11}{'moto/s':>9}{'ratio':>8}  {'postern p50/p99 ms':>19}"
              f"  {'moto p50/p99 ms':>17}{'srv ms/op':>10}{'pg ms/op':>9}{'SQL/op':>8}{'top':>6}{'rl/op':>7}"
              f"{'rl/s':>6}{'ev/op':>6}{'moto ms/op':>11}  errors p/m")
    out.append(header)
    out.append("-" * len(header))
    problems = []
    for row in results["rows"]:
        p, m = row.get("postern"), row.get("moto")
        ratio = p["rps"] / m["rps"] if p and m and m["rps"] else None
        lat = lambda c: f"{c['p50_ms']:.2f} / {c['p99_ms']:.2f}" if c else "-"
        line = (f"{row['operation']:<13}{row['connections']:>5}{fmt(p and p['rps'], '.1f', 11)}{fmt(m and m['rps'], '.1f', 9)}"
                f"{fmt(ratio, '.2f', 7)}{'x' if ratio is not None else ' '}  {lat(p):>19}  {lat(m):>17}"
                f"{fmt(p and p['server_cpu_ms_per_op'], '.3f', 10)}{fmt(p and p.get('pg_cpu_ms_per_op'), '.3f', 9)}"
                f"{fmt(p and p.get('sql_per_op'), '.1f', 8)}{fmt(p and p.get('toplevel_sql_per_op'), '.1f', 6)}"
                f"{fmt(p and p.get('ratelimit_sql_per_op'), '.3f', 7)}{fmt(p and p.get('ratelimit_sql_per_s'), '.1f', 6)}"
                f"{fmt(p and p.get('events_per_op'), '.1f', 6)}{fmt(m and m['server_cpu_ms_per_op'], '.3f', 11)}"
                f"  {p['error_total'] if p else '-'}/{m['error_total'] if m else '-'}")
        out.append(line)
        for cell in (p, m):
            if cell and (cell["error_total"] or not cell["server_alive"]):
                problems.append(cell)
    out.append("")
    out.append(f"{seconds:g} s per cell; wrk -t1 -c1 / -t2 -c16. ratio = Postern req/s / moto req/s. srv, pg: CPU ms per request "
               "(server process; PostgreSQL postmaster + backends). SQL/op: statements by the server's role per request, "
               "nested ones included (top: top-level only); rl: statements on ratelimit.* per request and per second; "
               "ev/op: events appended per request. SRPSignIn counts sign-ins (two requests each: InitiateAuth USER_SRP_AUTH, then "
               "PASSWORD_VERIFIER, the client's SRP maths in wrk through libcrypto); its latencies are per request. "
               "GatewayInvoke: a SigV4-signed GET through `postern gateway` to the server's identity-pool discovery "
               "document (srv ms/op: the gateway process); UpstreamDirect: the same GET to the server itself. moto has "
               "no execute-api authorizer to compare with.")
    idle = results["idle"]
    out.append(f"idle Postern (included in the figures above): server {idle['server_cpu_ms_per_s']:.1f} ms/s, PostgreSQL "
               f"{idle['pg_cpu_ms_per_s']:.1f} ms/s, {idle['sql_per_s']:.1f} SQL/s ({idle['ratelimit_sql_per_s']:.1f} on ratelimit.*)")
    rebuild = results["rebuild"]
    if rebuild.get("skipped"):
        out.append(f"projections rebuild: skipped ({rebuild['skipped']})")
    else:
        for topup in rebuild["topups"]:
            out.append(f"(log topped up first: SignUp at 16 connections for {topup['seconds']} s, {topup['requests']} requests, "
                       f"+{topup['events_appended']} events, {topup['errors']} errors)")
        if rebuild["replayed"] is not None:
            out.append(f"projections rebuild: {rebuild['replayed']} events in {rebuild['seconds']:.2f} s = "
                       f"{rebuild['events_per_s']:.0f} events/s; per event {rebuild['tool_cpu_ms_per_event']:.3f} ms CPU in postern, "
                       f"{rebuild['pg_cpu_ms_per_event']:.3f} ms in PostgreSQL, {rebuild['sql_per_event']:.1f} SQL statements")
        else:
            out.append(f"!!! projections rebuild FAILED (exit {rebuild['exit_status']}): {rebuild['output']}")
    for cell in problems:
        what = [f"{cell['non2xx']} non-2xx", f"{cell['bad_bodies']} of {cell['bodies_checked']} checked bodies wrong",
                "socket errors " + ", ".join(f"{k} {v}" for k, v in cell["socket_errors"].items() if v) if any(cell["socket_errors"].values()) else ""]
        if not cell["server_alive"]:
            what.insert(0, "SERVER NOT RUNNING AFTER THE CELL")
        out.append(f"!!! ERRORS in {cell['server']} {cell['operation']} c{cell['connections']}: "
                   + "; ".join(w for w in what if w) + (f"; first: {cell['samples'][0][:200]}" if cell["samples"] else ""))
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postern", required=True)
    parser.add_argument("--moto", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--moto-pid", type=int, required=True)
    parser.add_argument("--gateway", help="`postern gateway` in front of the server (GatewayInvoke)")
    parser.add_argument("--gateway-pid", type=int)
    parser.add_argument("--owner-url", required=True, help="the owner role: psql and the rebuild")
    parser.add_argument("--app-role", default="postern_app", help="the server's role, whose statements are counted")
    parser.add_argument("--postmaster-pid-file", required=True)
    parser.add_argument("--psql", default="psql")
    parser.add_argument("--bin", required=True, help="the postern binary (projections rebuild)")
    parser.add_argument("--work-dir", required=True, help="request files and wrk output per cell")
    parser.add_argument("--out", required=True, help="results as JSON")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="1,16")
    args = parser.parse_args()

    results = Bench(args).run()
    text = table(results, args.seconds)
    print(text, flush=True)
    results["meta"] = {"seconds_per_cell": args.seconds, "connections": args.connections, "cpus": os.cpu_count(),
                       "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                       "table": text.splitlines()}
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    log(f"results written to {args.out}")
    failed = any(c.get("error_total") or not c.get("server_alive", True)
                 for row in results["rows"] for c in (row.get("postern"), row.get("moto")) if c)
    return 1 if failed or results["rebuild"].get("replayed") is None else 0


if __name__ == "__main__":
    sys.exit(main())
