"""What a Lambda trigger costs in Postern: the same PreSignUp hook (answering autoConfirmUser=true) written
as a shell script, a Python handler and a Node handler, each run in spawn and worker mode.

  write-plugins  writes the plugins directory (functions.json, the hooks, a sample event)
  latency        runs every hook through `postern hooks invoke --repeat` (the server's own runner) and
                 prints its latency; baseline: the shell hook in spawn mode
  server         signs users up with boto3 in pools without a hook and with each hook as PreSignUp and
                 prints SignUp/s and the latency the hook adds; baseline: the pool without a hook

Every loop is bounded (a number of runs, or POSTERN_BENCH_SECONDS per cell); loopback only.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import threading
import time
import uuid

PASSWORD = "Bench-Passw0rd!"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"
EVENT = {
    "version": "1", "triggerSource": "PreSignUp_SignUp", "region": "us-east-1", "userPoolId": "us-east-1_bench",
    "userName": "bench-user", "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "bench"},
    "request": {"userAttributes": {"email": "bench-user@example.com"}, "validationData": None, "clientMetadata": None},
    "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
}

# Postern writes events compactly (no spaces), so the shell hooks can flip the flag with sed.
CONFIRM = r's/"autoConfirmUser":false/"autoConfirmUser":true/'
SHELL_SPAWN = f"""#!/bin/sh
# PreSignUp in plain sh, one process per call: the event on stdin, the answered event on stdout.
exec sed '{CONFIRM}'
"""
# A worker gets `{{"id":"N","event":{{...}}}}` (id first) on one line and answers `{{"id":"N","result":{{...}}}}`.
SHELL_WORKER = f"""#!/bin/sh
# PreSignUp in plain sh as a worker: one sed process answers every request line until EOF.
exec sed -u -e '{CONFIRM}' -e 's/^{{"id":\\("[^"]*"\\),"event":\\(.*\\)}}$/{{"id":\\1,"result":\\2}}/'
"""
PYTHON_HANDLER = """def handler(event, context):
    event["response"]["autoConfirmUser"] = True
    return event
"""
NODE_HANDLER = """exports.handler = async (event) => {
  event.response.autoConfirmUser = true;
  return event;
};
"""


def hooks(node):
    """(language, mode, function name); Node only when it is installed."""
    languages = ["shell", "python"] + (["node"] if node else [])
    return [(language, mode, f"{language}-{mode}") for language in languages for mode in ("spawn", "worker")]


def write_plugins(args):
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    files = {"presignup-spawn.sh": SHELL_SPAWN, "presignup-worker.sh": SHELL_WORKER,
             "presignup.py": PYTHON_HANDLER, "presignup.js": NODE_HANDLER}
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as handle:
            handle.write(text)
        if name.endswith(".sh"):
            os.chmod(os.path.join(directory, name), 0o755)
    commands = {
        "shell": lambda mode: {"command": os.path.join(directory, f"presignup-{mode}.sh")},
        # The shim's shebang is /usr/bin/python3, the interpreter it documents.
        "python": lambda mode: {"command": os.path.join(args.shims, "python-lambda"), "arguments": ["presignup.py"]},
        # Node by its absolute path, so no `env node` lookup on every spawn.
        "node": lambda mode: {"command": args.node, "arguments": [os.path.join(args.shims, "node-lambda"), "presignup.js"]},
    }
    functions = {}
    for language, mode, name in hooks(args.node):
        declaration = commands[language](mode)
        declaration["timeout"] = 5
        if mode == "worker":
            declaration.update(mode="worker", workers=args.workers)
        functions[name] = declaration
    with open(os.path.join(directory, "functions.json"), "w") as handle:
        json.dump(functions, handle, indent=2)
    with open(os.path.join(directory, "event.json"), "w") as handle:
        json.dump(EVENT, handle, separators=(",", ":"))


FIGURES = re.compile(r"runs (\d+)\s+mean ([\d.]+) ms\s+p50 ([\d.]+) ms\s+p95 ([\d.]+) ms\s+max ([\d.]+) ms")


def invoke(args, name, mode, runs):
    """Runs `postern hooks invoke` and returns (runs, mean, p50, p95, max) in ms, or raises with its stderr."""
    command = [args.bin, "hooks", "invoke", name, "--plugins-dir", args.dir, "--event", os.path.join(args.dir, "event.json"),
               "--repeat", str(runs), "--concurrency", "1", "--mode", mode]
    if mode == "worker":
        command += ["--workers", str(args.workers)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    match = FIGURES.search(done.stderr)
    if done.returncode != 0 or not match:
        raise RuntimeError(f"{name}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    if json.loads(done.stdout)["response"].get("autoConfirmUser") is not True:
        raise RuntimeError(f"{name}: the answer does not confirm the user: {done.stdout.strip()[:300]}")
    count, mean, p50, p95, peak = match.groups()
    return int(count), float(mean), float(p50), float(p95), float(peak)


def latency(args):
    print(f"Hook latency: postern hooks invoke --repeat N --concurrency 1 (the server's runner, no server), "
          f"{args.workers} worker(s) in worker mode.")
    print("mean* leaves out the slowest run (in worker mode the first call, which starts the process: shown as first);")
    print("An untimed warm-up invocation precedes each row. Baseline: shell spawn (x = mean* / shell spawn mean*).")
    print(f"{'hook':<8} {'mode':<7} {'runs':>5} {'mean* ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'first ms':>9} "
          f"{'x shell-spawn':>14} {'worker/spawn':>13}")
    baseline = None
    spawn_mean = {}
    for language, mode, name in hooks(args.node):
        runs = args.runs if language == "shell" or mode == "worker" else args.spawn_runs
        try:
            invoke(args, name, mode, 2)  # warm-up: page cache, interpreter and module files
            count, mean, p50, p95, peak = invoke(args, name, mode, runs)
        except Exception as error:  # reported, not fatal: the other rows still mean something
            print(f"{language:<8} {mode:<7} failed: {error}", flush=True)
            continue
        trimmed = (mean * count - peak) / (count - 1)
        if baseline is None and (language, mode) == ("shell", "spawn"):
            baseline = trimmed
        ratio = f"{trimmed / baseline:>13.2f}x" if baseline else f"{'-':>14}"
        if mode == "spawn":
            spawn_mean[language] = trimmed
            versus = f"{'':>13}"
        else:
            versus = f"{trimmed / spawn_mean[language]:>12.2f}x" if language in spawn_mean else f"{'-':>13}"
        first = f"{peak:>9.2f}" if mode == "worker" else f"{'-':>9}"
        print(f"{language:<8} {mode:<7} {count:>5} {trimmed:>9.2f} {p50:>8.2f} {p95:>8.2f} {first} {ratio} {versus}", flush=True)
    if not args.node:
        print("node: not installed (no `node` on PATH), Node rows skipped.")


def client(endpoint, concurrency):
    import boto3
    from botocore.config import Config
    return boto3.session.Session().client(
        "cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=os.environ["POSTERN_ADMIN_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["POSTERN_ADMIN_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}, max_pool_connections=max(10, concurrency)))


class Pool:
    """One pool and public client; `hook` names the PreSignUp function, None for the baseline. No
    auto-verified attributes, so no pool sends a code: the hook is the only difference."""

    def __init__(self, endpoint, label, mode, hook):
        self.endpoint, self.label, self.mode = endpoint, label, mode
        admin = client(endpoint, 1)
        extra = {"LambdaConfig": {"PreSignUp": ARN.format(hook)}} if hook else {}
        self.pool = admin.create_user_pool(PoolName=f"bench-hooks-{label}-{mode}", **extra)["UserPool"]["Id"]
        self.client_id = admin.create_user_pool_client(
            UserPoolId=self.pool, ClientName="bench", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        # Warm-up, and proof that the hook runs: only a hooked pool confirms the user.
        confirmed = self.sign_up(admin)["UserConfirmed"]
        if confirmed != bool(hook):
            raise RuntimeError(f"{label} {mode}: UserConfirmed is {confirmed} after SignUp")

    def sign_up(self, idp):
        name = f"u{uuid.uuid4().hex[:12]}"
        return idp.sign_up(ClientId=self.client_id, Username=name, Password=PASSWORD,
                           UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])


def run_cell(pool, concurrency, seconds):
    """SignUp in a loop on `concurrency` threads for `seconds`: (ops/s, mean latency ms, errors)."""
    clients = [client(pool.endpoint, concurrency) for _ in range(concurrency)]
    latencies = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    start_barrier = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker(index):
        idp = clients[index]
        start_barrier.wait()
        while time.monotonic() < deadline[0]:
            began = time.perf_counter()
            try:
                pool.sign_up(idp)
                latencies[index].append((time.perf_counter() - began) * 1000)
            except Exception:  # counted, not fatal: a benchmark reports what the server did
                errors[index] += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    began = time.monotonic()
    start_barrier.wait()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.monotonic() - began
    done = [value for values in latencies for value in values]
    return len(done) / elapsed, (statistics.fmean(done) if done else float("nan")), sum(errors)


def server(args):
    levels = [int(level) for level in args.concurrency.split(",")]
    configurations = [("none", "-", None)] + hooks(args.node)
    pools = []
    for language, mode, hook in configurations:
        try:
            pools.append(Pool(args.endpoint, language, mode, hook))
        except Exception as error:
            print(f"{language} {mode}: pool setup failed: {error}", flush=True)
    print(f"SignUp through the server (boto3, {args.seconds:g} s per cell, {args.workers} worker(s) in worker mode). "
          f"Baseline: no hook (x = ops/s / no-hook ops/s);")
    print(f"mean ms = mean SignUp latency at {levels[0]} client(s); added ms = mean ms - no-hook mean ms.")
    header = f"{'PreSignUp':<9} {'mode':<7}"
    for level in levels:
        header += f" {f'{level} cl/s':>9} {'x':>6}"
    print(header + f" {'mean ms':>8} {'added ms':>9} {'errors':>7}")
    base_rates, base_mean = {}, None
    for pool in pools:
        rates, errors, mean = [], 0, None
        for index, level in enumerate(levels):
            rate, cell_mean, cell_errors = run_cell(pool, level, args.seconds)
            rates.append(rate)
            errors += cell_errors
            if index == 0:
                mean = cell_mean
        if pool.label == "none":
            base_rates, base_mean = dict(zip(levels, rates)), mean
        line = f"{pool.label:<9} {pool.mode:<7}"
        for level, rate in zip(levels, rates):
            base = base_rates.get(level)
            line += f" {rate:>9.1f} " + (f"{rate / base:>5.2f}x" if base else f"{'-':>6}")
        added = f"{mean - base_mean:>9.2f}" if base_mean is not None and pool.label != "none" else f"{'-':>9}"
        print(line + f" {mean:>8.2f} {added} {errors:>7}", flush=True)
    if not args.node:
        print("node: not installed (no `node` on PATH), Node rows skipped.")


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("write-plugins", "latency", "server"):
        sub = commands.add_parser(name)
        sub.add_argument("--dir", required=True, help="the plugins directory")
        sub.add_argument("--node", default="", help="absolute path of node; empty skips the Node hooks")
        sub.add_argument("--workers", type=int, default=2)
    commands.choices["write-plugins"].add_argument("--shims", required=True)
    commands.choices["latency"].add_argument("--bin", required=True)
    commands.choices["latency"].add_argument("--runs", type=int, default=200)
    commands.choices["latency"].add_argument("--spawn-runs", type=int, default=100, help="for Python and Node in spawn mode")
    commands.choices["server"].add_argument("--endpoint", required=True)
    commands.choices["server"].add_argument("--seconds", type=float, default=5)
    commands.choices["server"].add_argument("--concurrency", default="1,8")
    args = parser.parse_args()
    args.dir = os.path.abspath(args.dir)
    {"write-plugins": write_plugins, "latency": latency, "server": server}[args.command](args)


if __name__ == "__main__":
    main()
