"""The routes, as one blueprint: flask-openapi3 validates each request against the Pydantic
models in its signature and describes them in the OpenAPI document."""

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, Self

from flask import Response, abort, current_app
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, RootModel
from pydantic_core import PydanticCustomError

from app.models import ErrorBody, Health, Item, ItemIn, Live
from app.storage import Store

# The key of the app's store in `app.extensions`.
STORE = "items_store"

# The contract: /health answers within 2 s, whatever the database does.
HEALTH_TIMEOUT_SECONDS = 2.0
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The largest OFFSET databases take (a signed 64-bit integer); beyond it is a 400, not a 500.
MAX_OFFSET = 2**63 - 1

_DIGITS = re.compile(r"[0-9]{1,19}")

# Pings run here, so a hung database cannot hold /health past its deadline: the thread is
# abandoned at the deadline (the pool's own timeouts end it soon after).
_pings = ThreadPoolExecutor(max_workers=4, thread_name_prefix="health")


def _digits_only(value: object) -> object:
    # Pydantic's lax integers accept " 5", "+5", "5_0" and "1.0"; paging takes plain digits.
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise PydanticCustomError("digits", "must be a whole number written with the digits 0-9")
    return value


class Paging(BaseModel):
    # Field() before the validator, so the bounds reach the OpenAPI document.
    limit: Annotated[
        int,
        Field(ge=1, le=MAX_LIMIT, description="How many items, newest first"),
        BeforeValidator(_digits_only),
    ] = DEFAULT_LIMIT
    offset: Annotated[
        int,
        Field(ge=0, le=MAX_OFFSET, description="How many of the newest items to skip"),
        BeforeValidator(_digits_only),
    ] = 0


class ItemPath(BaseModel):
    # Any string: one that is not an id names no item (404, not 400).
    model_config = ConfigDict(strict=True)

    id: Annotated[str, Field(description="The item's id")]


class ItemBody(ItemIn):
    # ItemIn as flask-openapi3 reads it from a body, documented under ItemIn's name and words.
    __doc__ = ItemIn.__doc__
    model_config = ConfigDict(title="ItemIn")

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        # flask-openapi3 parses a body that is a JSON string a second time, as JSON: a body
        # `"{\"name\": \"x\"}"` would be taken for an object. A string is not an item.
        return cls.model_validate(json_data)


class ItemList(RootModel[list[Item]]):
    """Items newest first."""


health_tag = Tag(name="health")
items_tag = Tag(name="items")
api = APIBlueprint("items", __name__)


def _store() -> Store:
    store: Store = current_app.extensions[STORE]
    return store


def _json(body: BaseModel, status: int = 200) -> Response:
    return current_app.response_class(
        body.model_dump_json(by_alias=True), status=status, mimetype="application/json"
    )


def _not_found() -> Response:
    abort(404, "Item not found")


@api.get("/health", tags=[health_tag], responses={200: Health, 503: Health})
def health() -> Response:
    """Whether the database answers, within 2 seconds."""
    ping = _pings.submit(_store().ping)
    try:
        up = ping.result(timeout=HEALTH_TIMEOUT_SECONDS)
    except TimeoutError:
        up = False
    if up:
        return _json(Health(status="ok", database="up"))
    return _json(Health(status="error", database="down"), 503)


@api.get("/health/live", tags=[health_tag], responses={200: Live})
def live() -> Response:
    """The process serves HTTP; the database is not asked."""
    return _json(Live())


@api.get("/items", tags=[items_tag], responses={200: ItemList, 400: ErrorBody})
def list_items(query: Paging) -> Response:
    """Items newest first (createdAt, then id, descending)."""
    return _json(ItemList(_store().list(query.limit, query.offset)))


@api.post("/items", tags=[items_tag], responses={201: Item, 400: ErrorBody, 413: ErrorBody})
def create_item(body: ItemBody) -> Response:
    return _json(_store().create(body.name, body.description), 201)


@api.get("/items/<id>", tags=[items_tag], responses={200: Item, 404: ErrorBody})
def get_item(path: ItemPath) -> Response:
    item = _store().get(path.id)
    return _not_found() if item is None else _json(item)


@api.put(
    "/items/<id>",
    tags=[items_tag],
    responses={200: Item, 400: ErrorBody, 404: ErrorBody, 413: ErrorBody},
)
def update_item(path: ItemPath, body: ItemBody) -> Response:
    """Replaces name and description: a description left out becomes null."""
    item = _store().update(path.id, body.name, body.description)
    return _not_found() if item is None else _json(item)


@api.delete("/items/<id>", tags=[items_tag], responses={204: None, 404: ErrorBody})
def delete_item(path: ItemPath) -> Response:
    if not _store().delete(path.id):
        return _not_found()
    return current_app.response_class(status=204)
