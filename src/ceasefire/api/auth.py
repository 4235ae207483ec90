"""Who is asking: a bearer token checked against the store's users; a role checked per route."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..accounts import User, authenticate, require

bearer = HTTPBearer(auto_error=False, description="a token from `ceasefire users add NAME --role ROLE`")


def _token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return credentials.credentials if credentials is not None else None


def reader(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> User | None:
    """Any user (or nobody, when the server opens reading to anonymous users and no token is sent)."""
    server = request.app.state.server
    token = _token(credentials)
    if token is None and server.settings.anonymous_read:
        return None
    return authenticate(server.store(), token)


def _role(role: str, action: str):
    def check(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> User:
        user = authenticate(request.app.state.server.store(), _token(credentials))
        require(user, role, action)
        return user

    return check


analyst = _role("analyst", "this")
admin = _role("admin", "this")


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
