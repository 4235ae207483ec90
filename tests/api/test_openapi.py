"""Schemathesis over the served OpenAPI document (/api): every operation fuzzed against a real server, each
response checked for a 5xx, its status code, its content type and its body against the document.

- ``test_every_operation_as_admin``: every operation in the document, with an admin's token (every role check
  passes, so the requests reach the handlers): valid requests (positive mode), then invalid ones (negative
  mode; an operation that has no invalid request, such as GET /me, has none). Each operation runs against a
  server of its own, over its own copy of the sample store: writes (PUT /regime switching the regime, DELETE
  /users/{name} revoking a token, uploads adding events) cannot change what another operation sees. Nothing
  is excluded.
- ``test_reads_without_a_token``: every GET operation with no token: a 401 problem+json with
  ``WWW-Authenticate: Bearer``, never a 5xx; except the landing page and the conformance classes (``PUBLIC``),
  which the app serves to anyone. Writes need a token too, but are left to the tests of the roles.

Each operation is a subtest, so one report lists every operation that failed, each with the request to replay
(curl). Bounded: ``POSITIVE`` + ``NEGATIVE`` examples per operation (``ANONYMOUS`` without a token), the same
examples every run (``derandomize``), no example database; the server on 127.0.0.1 is the only network.

``schemathesis.pytest.from_fixture`` would make the subtests itself, but schemathesis 4.32 sets
``request.node._nodeid``, which pytest 9.2 no longer has; hence the loop over ``get_all_operations()`` below.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from .conftest import Served, copy_store, make_users, serving

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
POSITIVE, NEGATIVE, ANONYMOUS = 15, 8, 6  # examples per operation: the file runs in well under a minute
# OGC clients discover an API on its landing page and conformance classes before they hold a token: the app
# serves these two to anyone (no reader check on them), as it does the document (/api) itself
PUBLIC = {"GET /", "GET /conformance"}


@pytest.fixture
def new_server(sample_db: Path, tmp_path: Path) -> Iterator[Callable[[], Served]]:
    """Starts servers over fresh copies of the sample store, one user of each role in each; all stop at the end."""
    from ceasefire.api import AppSettings

    with ExitStack() as stack:
        started = itertools.count()

        def start() -> Served:
            folder = tmp_path / f"server{next(started)}"
            folder.mkdir()
            db = copy_store(sample_db, folder)
            tokens = make_users(db)
            url = stack.enter_context(serving(AppSettings(db=str(db), max_upload_bytes=200_000)))
            return Served(url, db, tokens)

        yield start


def load_schema(url: str) -> schemathesis.BaseSchema:
    # No Authorization header is generated (security parameters off): the admin run sends its token, the
    # anonymous run sends none. An explicit config: no schemathesis.toml found on disk changes the run.
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
    return schemathesis.openapi.from_url(f"{url}/api", config=config)


def operations(schema: schemathesis.BaseSchema) -> list[schemathesis.APIOperation]:
    found = []
    for result in schema.get_all_operations():
        found.append(result.ok())  # a part of the document schemathesis cannot read fails the test here
    return found


def fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, examples: int,
         send: Callable[[schemathesis.Case], None]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def run(case: schemathesis.Case) -> None:
        send(case)

    try:
        run()
    except Unsatisfiable:
        # only in negative mode, and only when every input is valid: no parameters and no body (GET /me), or
        # a free-text path segment (DELETE /users/{name}): there is no invalid request to make
        if mode is not GenerationMode.NEGATIVE:
            raise


def as_admin(served: Served) -> Callable[[schemathesis.Case], None]:
    def send(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=served.url, headers=served.headers("admin"), checks=CHECKS, timeout=60)

    return send


def without_token(url: str) -> Callable[[schemathesis.Case], None]:
    def send(case: schemathesis.Case) -> None:
        response = case.call_and_validate(base_url=url, checks=CHECKS, timeout=60)
        asked = (case.as_curl_command(), response.status_code, response.text)
        if case.operation.label in PUBLIC:
            assert response.status_code == 200, asked
            return
        assert response.status_code == 401, asked
        assert response.headers["content-type"] == ["application/problem+json"], asked
        assert response.headers["www-authenticate"] == ["Bearer"], asked
        assert response.json()["status"] == 401, asked

    return send


def test_every_operation_as_admin(new_server: Callable[[], Served], subtests: pytest.Subtests) -> None:
    found = operations(load_schema(new_server().url))
    assert len(found) >= 19, [op.label for op in found]  # the document lists every route (none lost)
    for operation in found:
        with subtests.test(msg=operation.label):
            send = as_admin(new_server())  # a server of its own: its writes stay there
            fuzz(operation, GenerationMode.POSITIVE, POSITIVE, send)
            fuzz(operation, GenerationMode.NEGATIVE, NEGATIVE, send)


def test_reads_without_a_token(new_server: Callable[[], Served], subtests: pytest.Subtests) -> None:
    url = new_server().url
    reads = [op for op in operations(load_schema(url)) if op.method.upper() == "GET"]
    assert len(reads) >= 13, [op.label for op in reads]
    for operation in reads:
        with subtests.test(msg=operation.label):
            fuzz(operation, GenerationMode.POSITIVE, ANONYMOUS, without_token(url))
