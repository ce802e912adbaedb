"""The whole OpenAPI schema, fuzzed by schemathesis against the WSGI app (no server).

Every operation is called with generated input, valid and invalid, as an
administrator and as a participant: no answer is a server error, and every answer
is one the schema declares (status code, content type, body).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cakap.people.tokens import issue_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Loaded when the module is collected: the schema endpoint reads no database.
# (schemathesis.pytest.from_fixture would load it per test, but its lazy loader
# sets a private attribute of pytest's nodes that pytest 9 no longer has.)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), headers={"Host": "localhost"}
)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], deterministic=True
)


@pytest.fixture(autouse=True)
def _wsgi_inside_the_test_transaction(settings):
    """schemathesis calls Django's real WSGI handler, which closes the database
    connection after each request when it is inside a transaction, as the test's is.
    Django's own test client turns that off for the request; so does this."""
    settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _bearer(user) -> dict[str, str]:
    _token, key = issue_token(user, "fuzz", acting_user=None)
    return {"Authorization": f"Bearer {key}"}


def _call(case, headers) -> None:
    # Each example on the same data: its writes are undone before the next one.
    with transaction.atomic():
        case.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)


@schema.parametrize()
@FUZZ
def test_api_as_administrator(case, world):
    _call(case, _bearer(world.admin))


@schema.parametrize()
@FUZZ
def test_api_as_participant(case, world):
    _call(case, _bearer(world.participant))
