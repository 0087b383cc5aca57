"""Handlers for Tests/Conformance/test_hook_shims.py, run through plugins/shims/python-lambda."""
import subprocess

print("noise at import")  # must land on stderr, not in the protocol


def handler(event, context):
    print("noise from handler")
    subprocess.run(["echo", "noise from child"], check=True)  # inherits fd 1: must be stderr too
    event["response"]["handled"] = True
    return event


def boom(event, context):
    raise ValueError("bad thing")


def context_info(event, context):
    event["response"]["context"] = {
        "functionName": context.function_name,
        "functionVersion": context.function_version,
        "invokedFunctionArn": context.invoked_function_arn,
        "memoryLimitInMB": context.memory_limit_in_mb,
        "awsRequestId": context.aws_request_id,
        "logGroupName": context.log_group_name,
        "logStreamName": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
    }
    return event


def unserializable(event, context):
    return {"when": object()}
