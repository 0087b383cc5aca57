"""The Lambda shims in plugins/shims and the example handlers in plugins/examples, driven directly.

No server is needed: each test starts a shim the way Postern does (cwd = plugins directory, a clean
environment with the AWS_LAMBDA_* and POSTERN_HOOK_MODE variables) and speaks the spawn or worker
protocol with it. The shims run by their shebangs (/usr/bin/python3, node on PATH).
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
FIXTURES = ROOT / "Tests" / "Fixtures" / "shim-handlers"
HOOK_PATH = "/usr/local/bin:/usr/bin:/bin"

needs_node = pytest.mark.skipif(
    shutil.which("node", path=HOOK_PATH) is None, reason="node is not installed (Debian package nodejs)")
needs_bcrypt = pytest.mark.skipif(
    subprocess.run(["/usr/bin/python3", "-c", "import bcrypt"], capture_output=True).returncode != 0,
    reason="bcrypt is not importable by /usr/bin/python3 (Debian package python3-bcrypt)")

# shim name -> (executable, the fixture file with handler/boom/context_info, error type of boom)
SHIMS = {
    "python": ("shims/python-lambda", "py_handlers.py", "ValueError"),
    "node": ("shims/node-lambda", "js_handlers.js", "TypeError"),
}
LANGUAGES = [pytest.param("python"), pytest.param("node", marks=needs_node)]


def fixture(name: str) -> str:
    """A fixture handler's path relative to the plugins directory (the shims' cwd)."""
    return os.path.relpath(FIXTURES / name, PLUGINS)


def hook_env(mode: str = "spawn", name: str = "test-function", timeout: str = "2.5", **extra: str) -> dict:
    return {"PATH": HOOK_PATH, "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/tmp"),
            "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_TIMEOUT": timeout,
            "POSTERN_HOOK_MODE": mode, **extra}


def make_event(source: str = "PreSignUp_SignUp", request: dict | None = None, response: dict | None = None,
               user_name: str = "alice", version: str = "1") -> dict:
    return {"version": version, "triggerSource": source, "region": "eu-west-1", "userPoolId": "eu-west-1_Shims",
            "userName": user_name,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "shimclient"},
            "request": request if request is not None else {"userAttributes": {"email": "alice@example.com"}},
            "response": response if response is not None else {}}


def spawn(command: str, *arguments: str, event: dict | None = None, **env: str) -> subprocess.CompletedProcess:
    """One spawn-mode run: the event on stdin, then EOF."""
    return subprocess.run([str(PLUGINS / command), *arguments], cwd=PLUGINS, env=hook_env(**env),
                          input=json.dumps(event if event is not None else make_event()),
                          capture_output=True, text=True, timeout=30)


def answer(run: subprocess.CompletedProcess) -> dict:
    """The answered event of a successful run (stdout must be exactly one JSON document)."""
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def failure(run: subprocess.CompletedProcess) -> dict:
    """The Lambda error object of a failed run."""
    assert run.returncode == 1, (run.stdout, run.stderr)
    error = json.loads(run.stdout)
    assert isinstance(error["errorMessage"], str) and isinstance(error["errorType"], str)
    return error


class Worker:
    """A worker-mode shim: call() sends one request and waits for its line."""

    def __init__(self, command: str, *arguments: str, **env: str):
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([str(PLUGINS / command), *arguments], cwd=PLUGINS,
                                     env=hook_env(mode="worker", **env), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def call(self, request_id: str, event: dict) -> dict:
        self.proc.stdin.write(json.dumps({"id": request_id, "event": event}) + "\n")
        self.proc.stdin.flush()
        line = self.lines.get(timeout=20)
        assert line is not None, f"worker exited: {self.errors()}"
        message = json.loads(line)
        assert message["id"] == request_id
        assert ("result" in message) != ("error" in message), message
        return message

    def errors(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read()

    def close(self) -> int:
        """EOF on stdin; the worker must exit (returns its status) without another line."""
        self.proc.stdin.close()
        status = self.proc.wait(timeout=20)
        assert self.lines.get(timeout=5) is None
        return status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


# --- both shims, both modes ---------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_spawn_returns_the_answered_event_and_keeps_handler_output_off_stdout(language):
    command, handlers, _ = SHIMS[language]
    event = make_event()
    run = spawn(command, fixture(handlers), event=event)
    assert answer(run) == {**event, "response": {"handled": True}}
    assert "noise at" in run.stderr and "noise from handler" in run.stderr
    if language == "python":
        assert "noise from child" in run.stderr
    else:
        assert "noise via process.stdout" in run.stderr and "info noise" in run.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_spawn_exception_is_a_lambda_error_object(language):
    command, handlers, error_type = SHIMS[language]
    error = failure(spawn(command, f"{fixture(handlers)}:boom"))
    assert error["errorMessage"] == "bad thing"
    assert error["errorType"] == error_type
    assert isinstance(error["stackTrace"], list) and error["stackTrace"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_worker_serves_several_requests_in_one_process(language):
    command, handlers, _ = SHIMS[language]
    with Worker(command, fixture(handlers)) as worker:
        for n in range(3):
            event = make_event(user_name=f"user{n}")
            expected = {**event, "response": {"handled": True}}
            assert worker.call(f"req-{n}", event) == {"id": f"req-{n}", "result": expected}
        assert worker.close() == 0
        assert "noise from handler" in worker.errors()


@pytest.mark.parametrize("language", LANGUAGES)
def test_worker_answers_an_exception_with_error_and_keeps_serving(language):
    command, handlers, error_type = SHIMS[language]
    with Worker(command, f"{fixture(handlers)}:boom") as failing:
        for request_id in ("x1", "x2"):
            error = failing.call(request_id, make_event())["error"]
            assert error["errorMessage"] == "bad thing" and error["errorType"] == error_type
        assert failing.close() == 0
    with Worker(command, f"{fixture(handlers)}:context_info") as worker:
        assert "result" in worker.call("ok-1", make_event())
        assert "result" in worker.call("ok-2", make_event())
        assert worker.close() == 0


@pytest.mark.parametrize("mode", ["spawn", "worker"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_context_object(language, mode):
    command, handlers, _ = SHIMS[language]
    target = f"{fixture(handlers)}:context_info"
    env = {"name": "ctx-function", "timeout": "1.5"}
    if mode == "spawn":
        context = answer(spawn(command, target, **env))["response"]["context"]
        uuid.UUID(context["awsRequestId"])
    else:
        with Worker(command, target, **env) as worker:
            context = worker.call("request-7", make_event())["result"]["response"]["context"]
            worker.close()
        assert context["awsRequestId"] == "request-7"
    assert context["functionName"] == "ctx-function"
    assert context["functionVersion"] == "$LATEST"
    assert context["invokedFunctionArn"] == "arn:aws:lambda:eu-west-1:000000000000:function:ctx-function"
    assert context["memoryLimitInMB"] == "128"
    assert context["logGroupName"] == "/aws/lambda/ctx-function"
    assert "[$LATEST]" in context["logStreamName"]
    assert 0 < context["remaining"] <= 1500
    if language == "node":
        assert context["callbackWaitsForEmptyEventLoop"] is True


@pytest.mark.parametrize("language,target,reason", [
    pytest.param("python", "py_broken.py", "no_such_module_for_postern_tests", id="python-import-error"),
    pytest.param("python", "py_handlers.py:missing", "missing", id="python-no-such-function"),
    pytest.param("python", "nonexistent.py", "nonexistent.py", id="python-no-such-file"),
    pytest.param("node", "js_broken.js", "no-such-module-for-postern-tests", id="node-require-error", marks=needs_node),
    pytest.param("node", "js_handlers.js:missing", "missing", id="node-no-such-export", marks=needs_node),
    pytest.param("node", "nonexistent.js", "nonexistent.js", id="node-no-such-file", marks=needs_node),
])
@pytest.mark.parametrize("mode", ["spawn", "worker"])
def test_a_module_that_fails_to_load_exits_non_zero_with_the_reason_on_stderr(language, target, reason, mode):
    run = spawn(SHIMS[language][0], fixture(target), mode=mode)
    assert run.returncode != 0
    assert run.stdout == ""
    last_line = run.stderr.strip().splitlines()[-1]
    assert "cannot load" in last_line and reason in last_line


# --- Node handler styles ----------------------------------------------------------------------------

@needs_node
@pytest.mark.parametrize("export,style", [("callback", "callback"), ("succeed", "succeed"), ("done", "done")])
def test_node_callback_and_context_styles(export, style):
    event = make_event()
    assert answer(spawn("shims/node-lambda", f"{fixture('js_handlers.js')}:{export}", event=event)) == {
        **event, "response": {"style": style}}


@needs_node
@pytest.mark.parametrize("export,message,error_type", [
    ("callbackError", "callback failed", "RangeError"),
    ("rejects", "rejected", "Error"),
    ("failString", "plain string failure", "string"),
    ("throwsInTimer", "thrown in a timer", "SyntaxError"),
])
def test_node_error_styles(export, message, error_type):
    error = failure(spawn("shims/node-lambda", f"{fixture('js_handlers.js')}:{export}"))
    assert (error["errorMessage"], error["errorType"]) == (message, error_type)


@needs_node
def test_node_es_module_handler():
    run = spawn("shims/node-lambda", fixture("esm_handler.mjs"))
    assert answer(run)["response"] == {"style": "esm"}
    assert "noise from an ES module" in run.stderr


@needs_node
def test_node_worker_mixes_styles_and_errors():
    with Worker("shims/node-lambda", f"{fixture('js_handlers.js')}:callback") as worker:
        assert worker.call("1", make_event())["result"]["response"] == {"style": "callback"}
        assert worker.call("2", make_event())["result"]["response"] == {"style": "callback"}
        assert worker.close() == 0
    with Worker("shims/node-lambda", f"{fixture('js_handlers.js')}:throwsInTimer") as worker:
        assert worker.call("1", make_event())["error"]["errorMessage"] == "thrown in a timer"
        assert worker.call("2", make_event())["error"]["errorType"] == "SyntaxError"
        assert worker.close() == 0


@needs_node
def test_node_spawn_exits_promptly_despite_leftover_timers():
    started = time.monotonic()
    answer(spawn("shims/node-lambda", fixture("js_handlers.js")))  # sets a 60 s timer
    assert time.monotonic() - started < 10


def test_python_unserializable_result_is_a_marshal_error():
    error = failure(spawn("shims/python-lambda", f"{fixture('py_handlers.py')}:unserializable"))
    assert error["errorType"] == "Runtime.MarshalError"


# --- the examples -------------------------------------------------------------------------------------

def declared_functions() -> dict:
    return json.loads((PLUGINS / "functions.json").read_text())


def test_sample_functions_json_declares_every_example():
    functions = declared_functions()
    assert set(functions) == {"example-presignup", "example-presignup-worker", "example-postconfirmation",
                              "example-pretokengen", "example-usermigration", "example-custom-auth"}
    for name, declaration in functions.items():
        assert os.access(PLUGINS / declaration["command"], os.X_OK), name
        assert all((PLUGINS / argument).is_file() for argument in declaration["arguments"]), name
    assert functions["example-presignup-worker"]["mode"] == "worker"
    assert functions["example-presignup-worker"]["workers"] == 2


def run_example(name: str, event: dict, **env: str) -> subprocess.CompletedProcess:
    """Spawns an example the way functions.json declares it (its declared environment, then **env)."""
    declaration = declared_functions()[name]
    extra = {**declaration.get("environment", {}), **env}
    return spawn(declaration["command"], *declaration["arguments"], event=event, name=name,
                 timeout=str(declaration.get("timeout", 5)), **extra)


def signup_event(email: str | None) -> dict:
    attributes = {"email": email} if email else {"phone_number": "+15550100"}
    return make_event(request={"userAttributes": attributes, "validationData": None, "clientMetadata": None},
                      response={"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False})


def test_presignup_allowlist_allows_listed_domains():
    result = answer(run_example("example-presignup", signup_event("bob@Example.ORG"),
                                ALLOWED_DOMAINS="example.com, example.org"))
    assert result["response"] == {"autoConfirmUser": True, "autoVerifyEmail": True, "autoVerifyPhone": False}


@pytest.mark.parametrize("email,message", [
    ("eve@evil.test", "Email domain evil.test is not allowed"),
    ("eve@sub.example.com", "Email domain sub.example.com is not allowed"),
    (None, "An email address is required"),
])
def test_presignup_allowlist_refuses_other_domains(email, message):
    error = failure(run_example("example-presignup", signup_event(email), ALLOWED_DOMAINS="example.com"))
    assert (error["errorMessage"], error["errorType"]) == (message, "Exception")


def test_presignup_allowlist_in_worker_mode():
    declaration = declared_functions()["example-presignup-worker"]
    with Worker(declaration["command"], *declaration["arguments"], **declaration["environment"]) as worker:
        assert worker.call("1", signup_event("ann@example.com"))["result"]["response"]["autoConfirmUser"] is True
        assert worker.call("2", signup_event("eve@evil.test"))["error"]["errorMessage"] == \
            "Email domain evil.test is not allowed"
        assert worker.call("3", signup_event("bob@example.org"))["result"]["response"]["autoVerifyEmail"] is True
        assert worker.close() == 0


@needs_node
def test_postconfirmation_appends_one_line_per_confirmation(tmp_path):
    log = tmp_path / "confirmations.jsonl"
    for n in range(2):
        event = make_event("PostConfirmation_ConfirmSignUp", user_name=f"user{n}", request={
            "userAttributes": {"sub": f"sub-{n}", "email": f"user{n}@example.com", "cognito:user_status": "CONFIRMED"},
            "clientMetadata": None})
        assert answer(run_example("example-postconfirmation", event, CONFIRMATIONS_FILE=str(log))) == event
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(entry["userName"], entry["sub"], entry["email"]) for entry in lines] == [
        ("user0", "sub-0", "user0@example.com"), ("user1", "sub-1", "user1@example.com")]
    assert all(entry["triggerSource"] == "PostConfirmation_ConfirmSignUp" for entry in lines)
    assert all(entry["userPoolId"] == "eu-west-1_Shims" and entry["time"].endswith("Z") for entry in lines)


def token_event(version: str, user_name: str) -> dict:
    request = {"userAttributes": {"sub": "s-1", "email": "alice@example.com"},
               "groupConfiguration": {"groupsToOverride": ["readers"], "iamRolesToOverride": [], "preferredRole": None}}
    if version == "2":
        request["scopes"] = ["openid", "aws.cognito.signin.user.admin"]
    return make_event("TokenGeneration_Authentication", request=request, user_name=user_name, version=version,
                      response={"claimsOverrideDetails" if version == "1" else "claimsAndScopeOverrideDetails": None})


def test_pretokengen_v1_stringifies_claims_and_overrides_groups():
    # No CLAIMS_FILE: the default examples/claims.json, relative to the plugins directory.
    run = spawn("shims/python-lambda", "examples/pretokengen_claims.py", event=token_event("1", "alice"))
    details = answer(run)["response"]["claimsOverrideDetails"]
    assert details == {
        "claimsToAddOrOverride": {"department": "engineering", "clearance": "3",
                                  "projects": json.dumps(["postern", "cognito"])},
        "claimsToSuppress": ["family_name"],
        "groupOverrideDetails": {"groupsToOverride": ["admins", "staff"], "iamRolesToOverride": [],
                                 "preferredRole": None},
    }


def test_pretokengen_v1_default_rule_leaves_groups_alone():
    details = answer(run_example("example-pretokengen", token_event("1", "bob")))["response"]["claimsOverrideDetails"]
    assert details == {"claimsToAddOrOverride": {"department": "general"}, "claimsToSuppress": []}


def test_pretokengen_v2_keeps_json_values_and_scopes(tmp_path):
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps({"users": {"carol": {
        "claims": {"tier": 2, "flags": {"beta": True}}, "suppress": ["email"], "groups": [],
        "scopesToAdd": ["api/read"], "scopesToSuppress": ["openid"]}}}))
    result = answer(run_example("example-pretokengen", token_event("2", "carol"), CLAIMS_FILE=str(claims)))
    added = {"tier": 2, "flags": {"beta": True}}
    assert result["response"]["claimsAndScopeOverrideDetails"] == {
        "idTokenGeneration": {"claimsToAddOrOverride": added, "claimsToSuppress": ["email"]},
        "accessTokenGeneration": {"claimsToAddOrOverride": added, "claimsToSuppress": ["email"],
                                  "scopesToAdd": ["api/read"], "scopesToSuppress": ["openid"]},
        "groupOverrideDetails": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None},
    }
    # Neither the user nor a default rule: nothing changes.
    details = answer(run_example("example-pretokengen", token_event("2", "dave"), CLAIMS_FILE=str(claims)))
    assert "groupOverrideDetails" not in details["response"]["claimsAndScopeOverrideDetails"]


@pytest.fixture
def legacy_db(tmp_path):
    path = tmp_path / "legacy.sqlite"
    subprocess.run([str(PLUGINS / "examples" / "make_legacy_db.py"), str(path),
                    "jdoe:John.Doe@Example.com:Old-Passw0rd:John Doe", "nameless:n@example.com:x:y:z"],
                   check=True, timeout=60)
    # Extending an existing database replaces the user and keeps the others.
    subprocess.run([str(PLUGINS / "examples" / "make_legacy_db.py"), str(path), "nameless:n@example.com:S3cret"],
                   check=True, timeout=60)
    return str(path)


def migration_event(source: str, user_name: str, password: str | None = None) -> dict:
    request = {"validationData": None, "clientMetadata": None}
    if password is not None:
        request["password"] = password
    return make_event(source, user_name=user_name, request=request, response={
        "userAttributes": None, "finalUserStatus": None, "messageAction": None, "desiredDeliveryMediums": None,
        "forceAliasCreation": None, "enableSMSMFA": None})


@needs_bcrypt
@pytest.mark.parametrize("user_name", ["jdoe", "john.doe@example.com"])
def test_usermigration_authentication_with_the_right_password(legacy_db, user_name):
    event = migration_event("UserMigration_Authentication", user_name, "Old-Passw0rd")
    response = answer(run_example("example-usermigration", event, LEGACY_DB=legacy_db))["response"]
    assert response["userAttributes"] == {"email": "John.Doe@Example.com", "email_verified": "true", "name": "John Doe"}
    assert (response["finalUserStatus"], response["messageAction"]) == ("CONFIRMED", "SUPPRESS")


@needs_bcrypt
@pytest.mark.parametrize("user_name,password,message", [
    ("jdoe", "wrong", "Bad password"),
    ("nameless", "x", "Bad password"),  # replaced by the second make_legacy_db.py run
    ("nobody", "whatever", "User not found"),
])
def test_usermigration_authentication_refusals(legacy_db, user_name, password, message):
    event = migration_event("UserMigration_Authentication", user_name, password)
    assert failure(run_example("example-usermigration", event, LEGACY_DB=legacy_db))["errorMessage"] == message


@needs_bcrypt
def test_usermigration_forgot_password(legacy_db):
    response = answer(run_example("example-usermigration", migration_event("UserMigration_ForgotPassword", "nameless"),
                                  LEGACY_DB=legacy_db))["response"]
    assert response["userAttributes"] == {"email": "n@example.com", "email_verified": "true"}
    assert response["messageAction"] == "SUPPRESS"
    assert response["finalUserStatus"] is None
    error = failure(run_example("example-usermigration", migration_event("UserMigration_ForgotPassword", "ghost"),
                                LEGACY_DB=legacy_db))
    assert error["errorMessage"] == "User not found"


@needs_bcrypt
def test_usermigration_nameless_user_signs_in_with_the_replaced_password(legacy_db):
    event = migration_event("UserMigration_Authentication", "nameless", "S3cret")
    response = answer(run_example("example-usermigration", event, LEGACY_DB=legacy_db))["response"]
    assert response["userAttributes"] == {"email": "n@example.com", "email_verified": "true"}


def otp_event(source: str, session: list, **request) -> dict:
    base = {"userAttributes": {"sub": "s-1", "email": "alice@example.com"}, "session": session,
            "clientMetadata": None, "userNotFound": False}
    return make_event(source, request={**base, **request})


def round_(result: bool) -> dict:
    return {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": result, "challengeMetadata": "OTP"}


@needs_node
def test_custom_auth_otp_define_create_verify(tmp_path):
    outbox = tmp_path / "otp.jsonl"

    def run(event):
        return answer(run_example("example-custom-auth", event, OTP_OUTBOX=str(outbox)))["response"]

    define = "DefineAuthChallenge_Authentication"
    assert run(otp_event(define, [])) == {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False,
                                         "failAuthentication": False}

    created = run(otp_event("CreateAuthChallenge_Authentication", [round_(False)], challengeName="CUSTOM_CHALLENGE"))
    delivered = json.loads(outbox.read_text().splitlines()[-1])
    assert delivered["userName"] == "alice" and delivered["email"] == "alice@example.com"
    assert len(delivered["code"]) == 6 and delivered["code"].isdigit()
    assert created == {"publicChallengeParameters": {"email": "a***@example.com"},
                       "privateChallengeParameters": {"answer": delivered["code"]}, "challengeMetadata": "OTP-2"}

    verify = "VerifyAuthChallengeResponse_Authentication"
    private = {"answer": delivered["code"]}
    wrong = "000000" if delivered["code"] != "000000" else "111111"
    assert run(otp_event(verify, [], privateChallengeParameters=private, challengeAnswer=delivered["code"])) == \
        {"answerCorrect": True}
    assert run(otp_event(verify, [], privateChallengeParameters=private, challengeAnswer=wrong)) == \
        {"answerCorrect": False}
    assert run(otp_event(verify, [], privateChallengeParameters=private, challengeAnswer="12")) == \
        {"answerCorrect": False}

    assert run(otp_event(define, [round_(False), round_(True)]))["issueTokens"] is True
    assert run(otp_event(define, [round_(False), round_(False)]))["challengeName"] == "CUSTOM_CHALLENGE"
    assert run(otp_event(define, [round_(False)] * 3))["failAuthentication"] is True
    assert run(otp_event(define, [], userNotFound=True))["failAuthentication"] is True
