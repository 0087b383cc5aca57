"""Fails at import, for the load-failure test."""
import no_such_module_for_postern_tests  # noqa: F401


def handler(event, context):
    return event
