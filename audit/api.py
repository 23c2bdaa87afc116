"""Signed audit checkpoints and the keys that sign them, for anyone to keep. No sign-in needed."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from audit import signing
from audit.selectors import checkpoint_as_published, checkpoints_published

router = Router(tags=["Audit checkpoints"])
PAGE_SIZE = 100


class KeyOut(Schema):
    key_id: str
    public_key: str


class CheckpointOut(Schema):
    number: int
    created_at: str
    prev_hash: str
    hash: str
    key_id: str
    signature: str


class CheckpointsOut(Schema):
    keys: list[KeyOut]
    items: list[CheckpointOut]
    next_page: int | None


class CheckpointFilters(Schema):
    page: int = Field(1, ge=1, le=1_000_000)


@router.get(
    "/checkpoints",
    response=CheckpointsOut,
    auth=None,
    summary="Signed audit checkpoints",
    description=(
        "Newest first, 100 a page. Each checkpoint's `hash` covers the state of the whole audit trail when it "
        "was made and the checkpoint before it; `signature` is an Ed25519 signature of `hash` (as UTF-8 text) "
        "by the key `key_id`, listed in `keys` (base64, raw 32 bytes). Keep copies: `manage.py verify_audit "
        "--checkpoints FILE` checks that the service still holds every checkpoint you kept, unchanged."
    ),
)
def list_checkpoints(request: HttpRequest, filters: Query[CheckpointFilters]):
    start = (filters.page - 1) * PAGE_SIZE
    page = list(checkpoints_published()[start : start + PAGE_SIZE + 1])
    return {
        "keys": [{"key_id": k.key_id, "public_key": k.public_key_b64} for k in signing.verify_keys().values()],
        "items": [checkpoint_as_published(c) for c in page[:PAGE_SIZE]],
        "next_page": filters.page + 1 if len(page) > PAGE_SIZE else None,
    }
