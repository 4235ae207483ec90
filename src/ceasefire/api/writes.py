"""What needs a role: reviews and uploads (analyst), users, regimes and the audit trail (admin). Every write
is recorded in the audit table with who, what, its counts and the client's address."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response

from ..accounts import User, authenticate, expiry, new_token
from ..errors import AccessError, InputError, StoreError
from . import schemas
from .auth import admin, analyst, bearer, client_address, reader
from .formats import json_response

router = APIRouter()

ERRORS = {401: {"model": schemas.Problem, "description": "no token, or one unknown, revoked or expired"},
          403: {"model": schemas.Problem, "description": "the user's role does not allow it"},
          400: {"model": schemas.Problem, "description": "the input cannot be read"},
          503: {"model": schemas.Problem, "description": "the store cannot be written"}}
TOO_LARGE = {413: {"model": schemas.Problem, "description": "larger than the server accepts"}}
_CHUNK = 1 << 20


def _server(request: Request):
    return request.app.state.server


def _audit(request: Request, user: User, action: str, target: str, detail: dict) -> None:
    _server(request).store().record_audit(user.name, action, target, detail, client_address(request))


@router.get("/me", response_model=schemas.Me, responses=ERRORS, summary="Who the token belongs to")
def me(request: Request, credentials=Depends(bearer)) -> Response:
    user = authenticate(_server(request).store(), credentials.credentials if credentials else None)
    return json_response({"name": user.name, "role": user.role})


# ------------------------------------------------------------------------------------------------ reviews


@router.post("/reviews", status_code=201, response_model=schemas.Review,
             responses={404: {"model": schemas.Problem, "description": "no such verdict"}, **ERRORS},
             summary="Review a verdict (analyst): verified, disputed or dismissed, with a note")
def post_review(request: Request, body: schemas.ReviewIn, user: User = Depends(analyst)) -> Response:
    from ..monitor.stored import review_verdict

    server = _server(request)
    try:
        done = review_verdict(server.store(), server.regime, body.event_id, body.rule, body.zone, body.review,
                              body.note, user.name, key=server.regime_key)
    except InputError as exc:
        raise HTTPException(404, str(exc)) from None
    _audit(request, user, "review", f"{body.event_id} {body.rule} {body.zone}",
           {"review": body.review, "machine_status": done["machine_status"]})
    return json_response(done, status=201)


@router.get("/reviews", response_model=list[schemas.Review], responses=ERRORS,
            summary="Reviews (of one event), newest first, with re-check flags")
def get_reviews(request: Request, event_id: str | None = Query(None, max_length=200),
                user: User | None = Depends(reader)) -> Response:
    server = _server(request)
    judgment = server.judgment()
    rows = server.store().reviews(judgment.judgment_id, event_id)
    return json_response([{k: v for k, v in row.items() if k not in ("current", "status_now")} for row in rows])


# ------------------------------------------------------------------------------------------------ uploads


async def _save_upload(request: Request, upload: UploadFile, kind: str) -> Path:
    """The upload, kept in the server's uploads folder under a name made of its content hash (the same file sent
    twice is the same file: its ingest is a re-run, idempotent). Larger than the limit: 413, nothing kept."""
    server = _server(request)
    limit = server.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise HTTPException(413, f"the upload is {int(declared):,} bytes; this server takes at most {limit:,}")
    folder = server.uploads() / kind
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, prefix=".upload-") as out:
        try:
            while chunk := await upload.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, f"{upload.filename}: more than {limit:,} bytes; this server takes at "
                                             f"most {limit:,} (ceasefire serve --max-upload-mb)")
                digest.update(chunk)
                out.write(chunk)
        except BaseException:
            out.close()
            Path(out.name).unlink(missing_ok=True)
            raise
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(upload.filename or "upload").name)[-100:] or "upload"
    final = folder / f"{digest.hexdigest()[:16]}-{name}"
    Path(out.name).replace(final)
    return final


@router.post("/events", status_code=201, response_model=schemas.IngestAnswer, responses={**ERRORS, **TOO_LARGE},
             summary="Upload an event file (analyst): the same ingest and quarantine as `ceasefire ingest`")
async def upload_events(request: Request, file: UploadFile,
                        format: Literal["acled", "ucdp", "geojson"] = Query(..., description="the file's layout"),
                        user: User = Depends(analyst)) -> Response:
    from starlette.concurrency import run_in_threadpool

    path = await _save_upload(request, file, "events")
    return await run_in_threadpool(_ingest, request, user, path, format, file.filename or path.name)


def _ingest(request: Request, user: User, path: Path, fmt: str, name: str) -> Response:
    from ..events import ingest_file

    server = _server(request)
    store = server.store()
    result = ingest_file(store, path, fmt, regime=server.regime, progress=False)
    judgment = server.judgment()
    kept = store.quarantined(str(path.resolve()))
    counts = {"file": name, "read": result.read, "new": result.new, "updated": result.updated,
              "unchanged": result.unchanged, "quarantined": result.quarantined, "verdicts": judgment.verdicts}
    _audit(request, user, "events.upload", name, {**counts, "stored_as": path.name})
    return json_response({**counts, "kept_aside": [{k: r[k] for k in ("line", "field", "reason")} for r in kept]},
                         status=201)


@router.post("/news", status_code=201, response_model=schemas.NewsAnswer, responses={**ERRORS, **TOO_LARGE},
             summary="Post articles to the news reader (analyst): a .txt, .html or .jsonl file, as `ceasefire read`")
async def upload_news(request: Request, file: UploadFile, user: User = Depends(analyst)) -> Response:
    from starlette.concurrency import run_in_threadpool

    path = await _save_upload(request, file, "news")
    if path.suffix.lower() not in (".txt", ".html", ".htm", ".jsonl"):
        path.unlink(missing_ok=True)
        raise InputError(f"{file.filename}: articles come as .txt, .html or .jsonl")
    return await run_in_threadpool(_read_news, request, user, path, file.filename or path.name)


def _read_news(request: Request, user: User, path: Path, name: str) -> Response:
    from ..news import read_news

    server = _server(request)
    run = read_news(path, server.regime, conn=server.store(), store=True)
    events = run.ingest.new + run.ingest.updated if run.ingest else 0
    answer = {"file": name, "articles": len(run.results), "events": events, "kept_aside": run.problem_lines()}
    _audit(request, user, "news.upload", name, {k: v for k, v in answer.items() if k != "kept_aside"}
           | {"kept_aside": len(answer["kept_aside"])})
    return json_response(answer, status=201)


# -------------------------------------------------------------------------------------------- users, audit


@router.get("/users", response_model=list[schemas.UserOut], responses=ERRORS, summary="Users (admin)")
def list_users(request: Request, user: User = Depends(admin)) -> Response:
    rows = _server(request).store().users()
    return json_response([{k: row[k] for k in ("name", "role", "created", "expires", "revoked")} for row in rows])


@router.post("/users", status_code=201, response_model=schemas.UserOut,
             responses={409: {"model": schemas.Problem, "description": "the name is taken"}, **ERRORS},
             summary="Add a user (admin); the answer holds their token, shown once")
def add_user(request: Request, body: schemas.UserIn, user: User = Depends(admin)) -> Response:
    token, stored = new_token()
    until = expiry(body.expires_in_days)
    try:
        _server(request).store().add_user(body.name, body.role, stored.token_id, stored.token_hash, until)
    except StoreError as exc:
        raise HTTPException(409, str(exc)) from None
    _audit(request, user, "users.add", body.name, {"role": body.role, "expires": until})
    return json_response({"name": body.name, "role": body.role, "expires": until, "token": token}, status=201)


@router.delete("/users/{name}", response_model=schemas.UserOut,
               responses={404: {"model": schemas.Problem, "description": "no such user"}, **ERRORS},
               summary="Revoke a user's token (admin)")
def revoke_user(request: Request, name: str, user: User = Depends(admin)) -> Response:
    store = _server(request).store()
    if not store.revoke_user(name):
        raise HTTPException(404, f"no user named {name!r}")
    _audit(request, user, "users.revoke", name, {})
    row = next(r for r in store.users() if r["name"] == name)
    return json_response({k: row[k] for k in ("name", "role", "created", "expires", "revoked")})


@router.get("/audit", response_model=list[schemas.AuditRow], responses=ERRORS, summary="Every write (admin)")
def audit(request: Request, limit: int = Query(100, ge=1, le=10_000), user: User = Depends(admin)) -> Response:
    import json

    rows = _server(request).store().audit(limit)
    return json_response([{**row, "detail": json.loads(row["detail"])} for row in rows])


# ------------------------------------------------------------------------------------------------ regimes


@router.get("/regimes", response_model=list[schemas.RegimeOut], responses=ERRORS,
            summary="The built-in regimes and the one this server judges by")
def regimes(request: Request, user: User = Depends(admin)) -> Response:
    from ..regime import builtin_regimes

    regime = _server(request).regime
    found = [{"id": name, "name": regime.name if name == regime.id else None, "active": name == regime.id}
             for name in builtin_regimes()]
    if regime.id not in builtin_regimes():
        found.append({"id": regime.id, "name": regime.name, "active": True})
    return json_response(found)


@router.put("/regime", response_model=schemas.RegimeOut, responses={**ERRORS, **TOO_LARGE},
            summary="Judge by another regime (admin): a built-in's name, or a regime YAML file uploaded; the "
                    "stored verdicts are judged again on the next read")
async def put_regime(request: Request, file: UploadFile | None = None,
                     name: str | None = Query(None, max_length=100, description="a built-in regime's name"),
                     user: User = Depends(admin)) -> Response:
    from starlette.concurrency import run_in_threadpool

    from ..regime import load_regime

    if (file is None) == (name is None):
        raise InputError("give a built-in regime's name (?name=) or upload a regime file, one of the two")
    source: str | Path = name if name is not None else await _save_upload(request, file, "regimes")
    if name is not None and ("/" in name or "\\" in name or name.endswith((".yaml", ".yml"))):
        raise AccessError("a regime file on the server's disk cannot be named: upload it", status=403)
    regime = await run_in_threadpool(load_regime, source)
    server = _server(request)
    server.use_regime(regime)
    _audit(request, user, "regime.use", regime.id, {"source": str(source if name else Path(source).name),
                                                     "hash": server.regime_key})
    return json_response({"id": regime.id, "name": regime.name, "active": True})
