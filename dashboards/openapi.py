"""The OpenAPI 3.1 description of the read-only API (dashboards/api.py)."""

_INDEX = {"type": "object", "properties": {
    "index": {"type": ["number", "null"], "example": 3.23},
    "predicate": {"type": "string", "example": "Baik", "description": "Read from the index as the framework file states "
                  "(predicate_from: the rounded, published index for the bundled frameworks)"},
    "assessed": {"type": "integer", "example": 45, "description": "Indicators with a level of their own in this variant; "
                 "the others count at the bottom of the scale"},
    "indicators": {"type": "integer", "example": 47, "description": "Indicators of the framework"}}}
_PERIOD = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "year": {"type": "integer"},
    "framework": {"type": "string", "example": "PERMENPANRB-59-2020"}, "framework_version": {"type": "integer"},
    "index_name": {"type": "string", "example": "Indeks Pemdi", "description": "The index the framework measures (its file's index_name)"},
    "state": {"type": "string", "enum": ["planned", "open", "review", "closed"]}}}
_CHANGE_BASIS = {"type": ["string", "null"], "enum": ["same_framework", "crosswalk_estimate", None],
                 "description": "How the change was measured: against the previous period of the same framework, or across "
                                "frameworks through the crosswalk (an estimate); null where there is no change"}
_CHANGE = {"type": ["number", "null"], "description": "Self-assessed index minus the earlier one (see change_basis); null where "
                                                      "neither the same framework nor a crosswalk allows one"}
_COMPARED_PERIOD = {"type": ["object", "null"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "year": {"type": "integer"}, "framework": {"type": "string"},
    "index_name": {"type": "string"}}}
_STAGES = ["self", "province", "document", "interview", "visit", "final"]
_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}}
_RESPONSES_401_404 = {
    "401": {"description": "Missing, wrong or revoked token", "content": {"application/json": {"schema": _ERROR}}},
    "404": {"description": "Not found, or outside the token's scope", "content": {"application/json": {"schema": _ERROR}}},
    "405": {"description": "Any method other than GET or HEAD (the API is read-only)",
            "content": {"application/json": {"schema": _ERROR}}},
}
_RESPONSES_LIST = {
    **_RESPONSES_401_404,
    "400": {"description": "`page` or `page_size` is not a whole number of at least 1",
            "content": {"application/json": {"schema": _ERROR}}},
    "404": {"description": "Not found, outside the token's scope, or a page past the last",
            "content": {"application/json": {"schema": _ERROR}}},
}
_PAGE_PARAMETERS = [
    {"name": "page", "in": "query", "required": False, "description": "Page number, from 1",
     "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "page_size", "in": "query", "required": False, "description": "Rows per page; more than 100 gives 100",
     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
]


def _page_of(items, **extra):
    """A page of a list: ``count`` rows in all, links to the ``next`` and ``previous`` pages (or null)."""
    return {"type": "object", "required": ["count", "next", "previous", "results"], "properties": {
        **extra,
        "count": {"type": "integer", "description": "Rows in all pages"},
        "next": {"type": ["string", "null"], "format": "uri", "description": "The next page, or null on the last"},
        "previous": {"type": ["string", "null"], "format": "uri", "description": "The previous page, or null on the first"},
        "results": {"type": "array", "items": items}}}


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
            "summary": "Assessment periods", "operationId": "listPeriods", "parameters": _PAGE_PARAMETERS,
            "responses": {"200": {"description": "Periods, newest first", "content": {"application/json": {
                "schema": _page_of(_PERIOD)}}}, **_RESPONSES_LIST}}},
        "/agencies/": {"get": {
            "summary": "Agencies in the token's scope", "operationId": "listAgencies", "parameters": _PAGE_PARAMETERS,
            "responses": {"200": {"description": "Agencies in tree order", "content": {"application/json": {"schema": _page_of(
                {"type": "object", "properties": {
                    "code": {"type": "string", "example": "17.02"}, "name": {"type": "string"}, "short_name": {"type": "string"},
                    "kind": {"type": "string", "enum": ["province", "regency", "city", "unit"]},
                    "parent": {"type": ["string", "null"]}}})}}}, **_RESPONSES_LIST}}},
        "/periods/{period_id}/indices/": {"get": {
            "summary": "Indices of every agency in scope for a period", "operationId": "listIndices",
            "parameters": [{"name": "period_id", "in": "path", "required": True, "schema": {"type": "integer"}}, *_PAGE_PARAMETERS],
            "responses": {"200": {"description": "One row per agency, in tree order", "content": {"application/json": {"schema": _page_of(
                {"type": "object", "properties": {
                    "agency": {"type": "string"}, "name": {"type": "string"},
                    "rank": {"type": ["integer", "null"], "description": "Rank among the regencies and city in scope: "
                             "verified index, then self-assessed index (both as published, two decimals), then agency "
                             "code, as on the province dashboard and in the province report; null for other agencies"},
                    "self_assessed": _INDEX, "verified": _INDEX,
                    "planned": _INDEX, "change": _CHANGE, "change_basis": _CHANGE_BASIS}},
                period=_PERIOD, change_basis=_CHANGE_BASIS, compared_with=_COMPARED_PERIOD)}}}, **_RESPONSES_LIST}}},
        "/periods/{period_id}/indices/{code}/": {"get": {
            "summary": "One agency's indices, overall and per domain/aspect", "operationId": "getAgencyIndices",
            "parameters": [{"name": "period_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                           {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "example": "17.02"}}],
            "responses": {"200": {"description": "The agency's indices", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"period": _PERIOD, "agency": {"type": "string"}, "name": {"type": "string"},
                    "self_assessed": _INDEX, "verified": _INDEX, "planned": _INDEX, "change": _CHANGE, "change_basis": _CHANGE_BASIS,
                    "compared_with": {"type": ["object", "null"], "properties": {"name": {"type": "string"}, "index": {"type": "number"}}},
                    "groups": {"type": "array", "items": {"type": "object", "properties": {
                        "code": {"type": "string"}, "name": {"type": "string"}, "tier": {"type": "string"}, "weight": {"type": "number"},
                        "self_assessed": {"type": ["number", "null"]}, "verified": {"type": ["number", "null"]},
                        "planned": {"type": ["number", "null"]}}}},
                    "stages": {"type": "array", "description": "The index of every stage reached, in order: self (self-assessment), "
                               "province (verified by the province), then the national stages with results (document, interview, "
                               "visit, final); indicators without a score count at the bottom of the scale",
                               "items": {"type": "object", "properties": {
                                   "stage": {"type": "string", "enum": _STAGES}, "label": {"type": "string"}, **_INDEX["properties"]}}},
                    "ledger": {"type": "array", "description": "Per indicator, its score at each of the stages, with the gap to the "
                               "previous stage that has a score and the national assessors' note and recommendation",
                               "items": {"type": "object", "properties": {
                                   "indicator": {"type": "string", "example": "I4"},
                                   "steps": {"type": "array", "items": {"type": "object", "properties": {
                                       "stage": {"type": "string", "enum": _STAGES},
                                       "score": {"type": ["number", "null"], "description": "The level (a decimal value for an "
                                                 "externally scored indicator); null where not assessed"},
                                       "gap": {"type": ["number", "null"], "description": "Score minus the previous score; null at "
                                               "the first score or without one"},
                                       "note": {"type": "string"}, "recommendation": {"type": "string"}}}}}}}}}}}}, **_RESPONSES_401_404}}},
    },
}
