"""The HTTP edge: what a request must be before any view reads it, and our answer when it is not.

Every refusal here is `application/problem+json`, and each is in the OpenAPI document:

- a request target (path and query) longer than `MAX_TARGET_BYTES` is a 414; gunicorn's own
  limit is set above ours (`warehouse.serve`), and what gunicorn still refuses on its own
  (a request line or headers it cannot read) is answered in the same shape by its worker;
- a body sent to an operation that takes JSON must be `application/json` in UTF-8 (415
  otherwise, naming what is expected), be JSON (400), and nest at most `MAX_JSON_DEPTH`
  deep (400): every JSON the app parses goes through `loads`, so no parse or later walk of
  request data can run out of stack;
- numbers in paths are ASCII digits (`ascii_int`): `"¹".isdigit()` is true, `int("¹")` raises.
"""

from __future__ import annotations

import json
import re

from apispec import BasePlugin
from flask import Flask, current_app, g, request
from flask import Request as FlaskRequest
from flask.json.provider import DefaultJSONProvider
from flask_smorest.spec.plugins import unicodeconverter2paramschema
from werkzeug.exceptions import RequestURITooLarge
from werkzeug.routing import BaseConverter, UnicodeConverter

from warehouse.errors import BadJSON, UnsupportedMediaType, URITooLong
from warehouse.problems import PROBLEM_MIMETYPE
from warehouse.schemas import EmptyMeansAbsent

API_PREFIX = "/api/v1"
JSON_MIMETYPE = "application/json"
#: The longest request target (path and query string, in bytes) the service reads.
MAX_TARGET_BYTES = 4096
#: The deepest nesting of arrays and objects a JSON body may have (the API's own bodies
#: nest at most five deep).
MAX_JSON_DEPTH = 32
#: The extension key of the table `(url rule, method) -> media types the body may be`.
BODY_TYPES = "warehouse.edge.body_types"
#: A UUID as the service writes them (the ids in URLs).
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ASCII_DIGITS = re.compile(r"[0-9]+")
#: Text the service can store has no NUL (`warehouse.text_guard` refuses it): the `pattern`
#: on every text field, written the way every regex dialect reads it (JSON Schema's ECMA
#: 262, Python, Go, Rust, Java). It cannot name lone surrogates, which the guard refuses
#: too: a pattern that mentions surrogate code points does not compile in Rust or Go (and
#: schemathesis drops it), so that rule is stated in the document's description instead.
STORABLE_TEXT_PATTERN = r"^[^\x00]*$"
#: String formats whose values are never free text (they carry their own rules).
_FORMATS = frozenset({"date", "date-time", "uuid", "binary", "email", "uri", "url", "ipv4"})


def ascii_int(text: str | None, max_digits: int = 9) -> int | None:
    """The number `text` spells in ASCII digits (at most `max_digits`), else None."""
    if text is None or len(text) > max_digits or not _ASCII_DIGITS.fullmatch(text):
        return None
    return int(text)


def too_deep(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest more than `limit` deep in `value` (walked without
    recursion, so any depth is measured)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(text, **kwargs):
    """`json.loads`, refusing (ValueError) JSON nested deeper than `MAX_JSON_DEPTH`."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    if too_deep(value):
        raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep")
    return value


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, parsing with `loads`: `request.get_json()` never recurses too deep."""

    def loads(self, s, **kwargs):
        return loads(s, **kwargs)


class Request(FlaskRequest):
    """A request whose malformed JSON is a 400 problem saying what is wrong with it."""

    def on_json_loading_failed(self, e: ValueError | None):
        if e is None:
            return super().on_json_loading_failed(e)
        raise BadJSON(f"The body is not valid JSON: {e}.")


class IdConverter(BaseConverter):
    """An id in a URL: a UUID. A path segment that is not one (`/parcels/scan`) is left to
    the routes it does name, so it is not also answered (and advertised) as an id."""

    regex = UUID_PATTERN


def _text_segment(converter) -> dict:
    schema = unicodeconverter2paramschema(converter)
    return schema | storable_text(None, None, ret=schema)


def _id_parameter(_converter) -> dict:
    return {"type": "string", "format": "uuid", "pattern": f"^{UUID_PATTERN}$"}


def storable_text(self, field, ret, **_kwargs) -> dict:
    """An apispec attribute function: every free-text field is documented with
    `STORABLE_TEXT_PATTERN` (a field with a pattern of its own, an enum or a format keeps it).
    Also applied to hand-written parameters and to path segments."""
    if ret.get("type") != "string" or {"pattern", "enum"} & ret.keys():
        return {}
    if ret.get("format") in _FORMATS:
        return {}
    return {"pattern": STORABLE_TEXT_PATTERN}


def spec_path(rule: str) -> str:
    """`/parcels/<id:parcel_id>` as the OpenAPI document writes it: `/parcels/{parcel_id}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _check_target() -> None:
    environ = request.environ
    length = len(environ.get("SCRIPT_NAME", "")) + len(environ.get("PATH_INFO", ""))
    length += len(environ.get("QUERY_STRING", ""))
    if length > MAX_TARGET_BYTES:
        if not request.path.startswith(API_PREFIX + "/"):
            raise RequestURITooLarge()  # a floor page: its own (translated) error page
        raise URITooLong(
            f"The path and query may be at most {MAX_TARGET_BYTES} bytes long; this one is "
            f"{length}."
        )


def check_body() -> None:
    """415 for a body of a type the operation does not take; 400 for JSON that is not JSON.

    Run once the caller is known to be allowed (`warehouse.auth.guard.requires` calls it;
    for the open endpoints, a hook before the view), so a role that may not gets its 403
    whatever it sent."""
    if g.get("edge_body_checked") or request.url_rule is None:
        return
    g.edge_body_checked = True
    if not request.path.startswith(API_PREFIX + "/"):
        return
    accepted = current_app.extensions[BODY_TYPES].get((request.url_rule.rule, request.method))
    if accepted is None:
        return  # the operation takes no body (a bodiless POST such as close)
    has_body = (
        bool(request.content_length)
        or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    )
    if not has_body and not request.mimetype:
        return  # nothing sent: the schema names what is missing
    expected = " or ".join(sorted(accepted))
    if request.mimetype not in accepted:
        sent = request.mimetype or "no Content-Type"
        raise UnsupportedMediaType(
            f"Send the body as {expected}, not {sent}.", accepted=sorted(accepted)
        )
    charset = request.mimetype_params.get("charset")
    if request.mimetype == JSON_MIMETYPE and charset and charset.lower() not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(
            f"JSON is read as UTF-8: send charset=utf-8 or none, not charset={charset}.",
            accepted=sorted(accepted),
        )
    if request.mimetype == JSON_MIMETYPE and has_body:
        request.get_json()  # parsed once here (and cached): malformed or too deep is a 400


def _check_open_body() -> None:
    # Authentication has set no actor: an open endpoint (sign-in), which no role check
    # precedes. Every other endpoint's body is checked by `requires`.
    if "actor" not in g:
        check_body()


class EdgeDocumentation(BasePlugin):
    """Documents the edge's answers on every operation: 414 everywhere; 400, 413 and 415
    where a body is taken (the components are registered by `init_edge`)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            for parameter in operation.get("parameters", []):
                # Parameters written out by hand (a header) say the text rule too.
                schema = parameter.get("schema") if isinstance(parameter, dict) else None
                if isinstance(schema, dict):
                    schema.update(storable_text(None, None, ret=schema))
            responses = operation.setdefault("responses", {})
            answers = {"414": "URI_TOO_LONG"}
            if "requestBody" in operation or _takes_arguments_body(operation):
                answers.update(
                    {"400": "BAD_BODY", "413": "BODY_TOO_LARGE", "415": "UNSUPPORTED_MEDIA_TYPE"}
                )
            for status, name in answers.items():
                if status not in responses and int(status) not in responses:
                    responses[status] = name


def _takes_arguments_body(operation: dict) -> bool:
    parameters = operation.get("parameters", [])
    return any(isinstance(p, dict) and p.get("in") == "body" for p in parameters)


def empty_means_absent(self, field, ret, **_kwargs) -> dict:
    """An apispec attribute function: an optional field sent as "" means none
    (`warehouse.schemas.EmptyMeansAbsent`), so the document allows the empty string there;
    else a generated client (and the fuzzer) would take "" for a value the service refuses."""
    if not isinstance(field, EmptyMeansAbsent) or field.required:
        return {}
    if "enum" in ret and "" not in ret["enum"]:
        return {"enum": [*ret["enum"], ""]}
    if ret.get("minLength"):
        return {"minLength": 0}
    return {}


def init_edge(app: Flask, rest) -> None:
    """Binds the edge to `app`: its JSON and request classes, the `id` converter (call
    before blueprints are registered) and the documented answers."""
    app.request_class = Request
    provider = JSONProvider(app)
    provider.sort_keys, provider.ensure_ascii = app.json.sort_keys, app.json.ensure_ascii
    app.json = provider
    app.url_map.converters["id"] = IdConverter
    rest.register_converter(IdConverter, _id_parameter)
    rest.register_converter(UnicodeConverter, _text_segment)
    rest.ma_plugin.converter.add_attribute_function(storable_text)
    rest.ma_plugin.converter.add_attribute_function(empty_means_absent)
    rest.spec.plugins.append(EdgeDocumentation())
    schema = {"$ref": "#/components/schemas/Problem"}
    content = {PROBLEM_MIMETYPE: {"schema": schema}}
    for name, description in {
        "URI_TOO_LONG": f"The path and query are longer than {MAX_TARGET_BYTES} bytes.",
        "BAD_BODY": f"The body is not JSON, or nests more than {MAX_JSON_DEPTH} levels deep.",
        "BODY_TOO_LARGE": "The body is larger than the limit (WAREHOUSE_MAX_BODY_BYTES).",
        "UNSUPPORTED_MEDIA_TYPE": (
            "The body is not of the type the operation takes (application/json in UTF-8, "
            "or multipart/form-data for a photo); `detail` names it."
        ),
    }.items():
        rest.spec.components.response(name, {"description": description, "content": content})
    app.before_request(_check_target)


def bind_body_checks(app: Flask, rest) -> None:
    """Reads from the finished OpenAPI document which media types each operation's body may
    be, for `check_body` (call after authentication is bound, so 401 comes first)."""
    types: dict[tuple[str, str], frozenset[str]] = {}
    paths = rest.spec.to_dict()["paths"]
    for rule in app.url_map.iter_rules():
        for method, operation in paths.get(spec_path(rule.rule), {}).items():
            if method == "parameters":
                continue  # the path's own parameters, not an operation
            content = operation.get("requestBody", {}).get("content")
            if content:
                types[(rule.rule, method.upper())] = frozenset(content)
    app.extensions[BODY_TYPES] = types
    app.before_request(_check_open_body)
