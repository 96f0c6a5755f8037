"""The OpenAPI document describes every endpoint, with an example for each request body."""

from __future__ import annotations

import re


def test_the_openapi_document_is_openapi_3_with_every_api_path(app, client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    documented = set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api-docs", "static")) or not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        assert path in documented, path


def test_every_request_body_field_carries_an_example(client):
    doc = client.get("/api/v1/openapi.json").json
    schemas = doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue  # the path's own parameters, not an operation
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue  # no body, or a multipart file upload (a photo)
            ref = content["application/json"]["schema"]["$ref"]
            schema = schemas[ref.rsplit("/", 1)[-1]]
            missing = [
                name
                for name, prop in schema["properties"].items()
                if "example" not in prop
                and "$ref" not in prop
                and prop.get("type") != "array"
                and "allOf" not in prop
                and prop.get("type") != "boolean"
            ]
            assert not missing, (method, path, missing)


def test_errors_are_documented_as_problems(client):
    doc = client.get("/api/v1/openapi.json").json
    assert set(doc["components"]["schemas"]["Problem"]["properties"]) >= {
        "type",
        "title",
        "status",
        "detail",
        "errors",
    }
    create = doc["paths"]["/api/v1/returns"]["post"]["responses"]
    assert create["409"]["content"]["application/problem+json"]["schema"]["$ref"].endswith(
        "/Problem"
    )
    assert (
        "application/problem+json"
        in doc["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    )
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_its_assets_locally(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200


def test_the_photo_upload_documents_its_multipart_file_part(client):
    doc = client.get("/api/v1/openapi.json").json
    body = doc["paths"]["/api/v1/units/{lpn}/photos"]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}


def test_optional_text_and_choices_are_documented_as_taking_an_empty_value(client):
    # "" on an optional field means none (warehouse.schemas.EmptyMeansAbsent): a generated
    # client must not take it for a value the service refuses.
    paths = client.get("/api/v1/openapi.json").json["paths"]
    checklists = {p["name"]: p["schema"] for p in paths["/api/v1/checklists"]["get"]["parameters"]}
    exceptions = {p["name"]: p["schema"] for p in paths["/api/v1/exceptions"]["get"]["parameters"]}

    assert checklists["category"]["minLength"] == 0
    assert "" in exceptions["status"]["enum"] and "" in exceptions["kind"]["enum"]
