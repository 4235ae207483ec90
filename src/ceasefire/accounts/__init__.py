"""Accounts: users with a role and a token, as a team's server knows them.

A token is shown once, when it is made; the store keeps only its id (to find the user) and an
scrypt hash of its secret (to check it), compared in constant time. Roles nest: a viewer reads, an
analyst also uploads events and articles and reviews verdicts, an admin also manages users and regimes.

    token, stored = new_token()            # token: "cf_<id>_<secret>", given to the user
    store.add_user("amira", "analyst", stored.token_id, stored.token_hash, expires)
    user = authenticate(store, token)       # a User, or AccessError saying why not
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from ..errors import AccessError

ROLES = ("viewer", "analyst", "admin")
PREFIX = "cf"
# scrypt's cost: ~40 ms a check on this project's 2-core machine; a server remembers tokens it has checked
# (see _checked), so the cost is paid once per token, not per request.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class StoredToken:
    token_id: str
    token_hash: str


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def may(self, role: str) -> bool:
        """Whether this user holds ``role`` or one above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def new_token() -> tuple[str, StoredToken]:
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{PREFIX}_{token_id}_{secret}", StoredToken(token_id, hash_secret(secret))


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def secret_matches(secret: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(digest) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def split_token(token: str) -> tuple[str, str] | None:
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


# (token id, stored hash) → sha256 of a secret that matched it. A changed or revoked token changes the row
# read on every request, so remembering a match never lets a revoked or replaced token through.
_checked: dict[tuple[str, str], bytes] = {}


def authenticate(store, token: str | None, now: dt.datetime | None = None) -> User:
    """The user a bearer token belongs to; AccessError (401) when there is none, it is unknown, revoked or expired."""
    if not token:
        raise AccessError("this needs a token: send `Authorization: Bearer <token>` "
                          "(an admin makes one with `ceasefire users add NAME --role viewer`)", status=401)
    parts = split_token(token)
    if parts is None:
        raise AccessError("not a ceasefire token (they look like cf_<id>_<secret>)", status=401)
    token_id, secret = parts
    row = store.user_by_token_id(token_id)
    if row is None or not row["token_hash"]:
        raise AccessError("unknown token", status=401)
    key = (token_id, row["token_hash"])
    seen = hashlib.sha256(secret.encode()).digest()
    remembered = _checked.get(key)
    if remembered is None or not hmac.compare_digest(remembered, seen):
        if not secret_matches(secret, row["token_hash"]):
            raise AccessError("unknown token", status=401)
        _checked[key] = seen
    if row["revoked"]:
        raise AccessError(f"the token of {row['name']} was revoked on {row['revoked'][:10]}", status=401)
    now = now or dt.datetime.now(dt.timezone.utc)
    if row["expires"] and dt.datetime.fromisoformat(row["expires"]) <= now:
        raise AccessError(f"the token of {row['name']} expired on {row['expires'][:10]}: ask an admin for a new "
                          f"one (ceasefire users token {row['name']})", status=401)
    return User(row["name"], row["role"])


def require(user: User, role: str, action: str) -> None:
    if not user.may(role):
        raise AccessError(f"{action} needs the {role} role; {user.name} is a {user.role}", status=403)


def expiry(days: int | None, now: dt.datetime | None = None) -> str | None:
    if days is None:
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    return (now + dt.timedelta(days=days)).isoformat(timespec="seconds")


__all__ = ["ROLES", "StoredToken", "User", "authenticate", "expiry", "hash_secret", "new_token", "require",
           "secret_matches", "split_token"]
