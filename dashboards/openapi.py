"""The OpenAPI 3.1 description of the read-only API (dashboards/api.py)."""

_INDEX = {"type": "object", "properties": {"index": {"type": ["number", "null"], "example": 3.23},
                                          "predicate": {"type": "string", "example": "Baik"}}}
_PERIOD = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "year": {"type": "integer"},
    "framework": {"type": "string", "example": "PERMENPANRB-59-2020"}, "framework_version": {"type": "integer"},
    "state": {"type": "string", "enum": ["planned", "open", "review", "closed"]}}}
_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}}
_RESPONSES_401_404 = {
    "401": {"description": "Missing, wrong or revoked token", "content": {"application/json": {"schema": _ERROR}}},
    "404": {"description": "Not found, or outside the token's scope", "content": {"application/json": {"schema": _ERROR}}},
}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "SPBE Portal Provinsi Bengkulu — read-only API",
        "version": "1",
        "description": (
            "Periods, agencies and SPBE indices per period and agency, for other government systems. Every number is "
            "computed by the portal's index engine, the same as on its pages. A token acts as the user it belongs to: a "
            "regency's token sees only that regency. Ask the portal administrator for a token."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"token": []}],
    "components": {
        "securitySchemes": {"token": {"type": "apiKey", "in": "header", "name": "Authorization",
                                      "description": "Send `Authorization: Token <key>`."}},
        "schemas": {"Period": _PERIOD, "Index": _INDEX, "Error": _ERROR},
    },
    "paths": {
        "/periods/": {"get": {
            "summary": "Assessment periods", "operationId": "listPeriods",
            "responses": {"200": {"description": "Periods, newest first", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"results": {"type": "array", "items": _PERIOD}}}}}}, **_RESPONSES_401_404}}},
        "/agencies/": {"get": {
            "summary": "Agencies in the token's scope", "operationId": "listAgencies",
            "responses": {"200": {"description": "Agencies in tree order", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"results": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string", "example": "17.02"}, "name": {"type": "string"}, "short_name": {"type": "string"},
                    "kind": {"type": "string", "enum": ["province", "regency", "city", "unit"]},
                    "parent": {"type": ["string", "null"]}}}}}}}}}, **_RESPONSES_401_404}}},
        "/periods/{period_id}/indices/": {"get": {
            "summary": "Indices of every agency in scope for a period", "operationId": "listIndices",
            "parameters": [{"name": "period_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "One row per agency", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"period": _PERIOD, "results": {"type": "array", "items": {"type": "object", "properties": {
                    "agency": {"type": "string"}, "name": {"type": "string"}, "self_assessed": _INDEX, "verified": _INDEX,
                    "planned": _INDEX}}}}}}}}, **_RESPONSES_401_404}}},
        "/periods/{period_id}/indices/{code}/": {"get": {
            "summary": "One agency's indices, overall and per domain/aspect", "operationId": "getAgencyIndices",
            "parameters": [{"name": "period_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                           {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "example": "17.02"}}],
            "responses": {"200": {"description": "The agency's indices", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"period": _PERIOD, "agency": {"type": "string"}, "name": {"type": "string"},
                    "self_assessed": _INDEX, "verified": _INDEX, "planned": _INDEX,
                    "groups": {"type": "array", "items": {"type": "object", "properties": {
                        "code": {"type": "string"}, "name": {"type": "string"}, "tier": {"type": "string"}, "weight": {"type": "number"},
                        "self_assessed": {"type": ["number", "null"]}, "verified": {"type": ["number", "null"]},
                        "planned": {"type": ["number", "null"]}}}}}}}}}, **_RESPONSES_401_404}}},
    },
}
