"""PreTokenGeneration (V1_0 and V2_0): adds, overrides and suppresses claims, groups and scopes per user.

Rules come from the JSON file named by CLAIMS_FILE (default examples/claims.json, relative to the
plugins directory), re-read on every call so edits apply without restarting workers:

    {"users": {"<userName>": RULE}, "default": RULE}
    RULE = {"claims": {name: value}, "suppress": [names], "groups": [names],
            "scopesToAdd": [scopes], "scopesToSuppress": [scopes]}        (every key optional)

"groups" replaces cognito:groups (and is left alone when absent); scopes apply to V2 only, and V1
claim values are stringified because V1 accepts strings only. userName is Cognito's internal user
name (the sub in pools that sign in with an email alias). A plain Cognito Lambda handler; Postern runs
it through shims/python-lambda.
"""
import json
import os


def load_rule(user_name):
    with open(os.environ.get("CLAIMS_FILE", "examples/claims.json"), encoding="utf-8") as f:
        rules = json.load(f)
    return rules.get("users", {}).get(user_name, rules.get("default", {}))


def group_override(event, groups):
    # Keep the roles Cognito would have put in the tokens; only the groups change.
    current = event["request"].get("groupConfiguration") or {}
    return {
        "groupsToOverride": groups,
        "iamRolesToOverride": current.get("iamRolesToOverride", []),
        "preferredRole": current.get("preferredRole"),
    }


def handler(event, context):
    rule = load_rule(event["userName"])
    claims = rule.get("claims", {})
    suppress = rule.get("suppress", [])
    if event.get("version", "1") == "1":
        details = {
            "claimsToAddOrOverride": {k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()},
            "claimsToSuppress": suppress,
        }
        if "groups" in rule:
            details["groupOverrideDetails"] = group_override(event, rule["groups"])
        event["response"]["claimsOverrideDetails"] = details
    else:
        details = {
            "idTokenGeneration": {"claimsToAddOrOverride": claims, "claimsToSuppress": suppress},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": claims,
                "claimsToSuppress": suppress,
                "scopesToAdd": rule.get("scopesToAdd", []),
                "scopesToSuppress": rule.get("scopesToSuppress", []),
            },
        }
        if "groups" in rule:
            details["groupOverrideDetails"] = group_override(event, rule["groups"])
        event["response"]["claimsAndScopeOverrideDetails"] = details
    return event
