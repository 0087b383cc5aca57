"""PreSignUp: lets only e-mail domains listed in ALLOWED_DOMAINS sign up, and auto-confirms them.

A plain Cognito Lambda handler (runs unchanged on AWS Lambda); Postern runs it through
shims/python-lambda. Env: ALLOWED_DOMAINS, comma-separated, e.g. "example.com,example.org".
A sign-up without an email attribute is refused too (otherwise it would bypass the list).
"""
import os


def handler(event, context):
    allowed = {d.strip().lower() for d in os.environ.get("ALLOWED_DOMAINS", "").split(",") if d.strip()}
    email = event["request"].get("userAttributes", {}).get("email", "")
    if not email:
        raise Exception("An email address is required")
    domain = email.rpartition("@")[2].lower()
    if domain not in allowed:
        raise Exception(f"Email domain {domain} is not allowed")
    event["response"]["autoConfirmUser"] = True
    event["response"]["autoVerifyEmail"] = True
    return event
