"""The OpenAPI 3.1 document, built from the JSON Schemas ``formasi schema`` prints, and the
``/docs`` page that renders it with no asset from elsewhere."""

from __future__ import annotations

from functools import cache
from typing import Any

from ..schemas import schema as json_schema

SCHEMAS = ("candidate", "result", "result-compact", "formation", "policy")


@cache
def schema(name: str) -> dict[str, Any]:
    return json_schema(name)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_PROBLEM = {
    "type": "object", "description": "RFC 9457 problem details; `code` is stable, titles in English and Bahasa Indonesia.",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "title_id": {"type": "string"},
        "status": {"type": "integer"}, "code": {"type": "string", "examples": ["S422", "S413"]},
        "detail": {"type": "string"}, "request_id": {"type": "string"},
        "limit": {"type": "integer"},
        "problems": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "id": {"type": "string"}, "en": {"type": "string"},
            "path": {"type": "string", "examples": ["$[3].birth_date"]}, "file": {"type": "string"},
            "line": {"type": "integer"}, "column": {"type": "integer"}, "rule": {"type": "string"},
            "hint": {"type": "string"}}}},
    },
}

_PLACES = {"description": "Open places: {region: {level: open}}, or rows {region, level, open}.",
           "oneOf": [{"type": "object", "additionalProperties": {"type": "object",
                                                                 "additionalProperties": {"type": "integer"}}},
                     {"type": "array", "items": {"type": "object", "required": ["region", "level", "open"],
                                                 "properties": {"region": {"type": "string"},
                                                                "level": {"type": "string"},
                                                                "open": {"type": "integer"}}}}]}

# coded values (statuses, ranks, ratings) are the served policy's: GET /v1/schemas/candidate lists them
_EXAMPLE = {"id": "C-0001", "birth_date": "1985-04-30", "region": "Kota Contoh", "experience_years": 3}


def _q(name: str, description: str, required: bool = False, enum: list | None = None) -> dict:
    schema_: dict[str, Any] = {"type": "string"}
    if enum:
        schema_["enum"] = enum
    if name == "as_of":
        schema_["format"] = "date"
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema_}


def _problems(*statuses: int) -> dict:
    text = {400: "The body is not JSON.", 401: "Missing or wrong bearer token.", 404: "No such policy or schema.",
            413: "Body or a line over the size limit, or too many records (the limit is named).",
            415: "Unsupported Content-Type.", 422: "A bad option or a bad single record (the path is named).",
            503: "The policy has no version in service."}
    return {str(s): {"description": text[s], "content": {"application/problem+json": {"schema": _ref("Problem")}}}
            for s in statuses}


def document(version: str, policies: list[str], routes: list[str], levels: list[str],
             formations: list[str] = ()) -> dict[str, Any]:
    """The OpenAPI document; ``routes`` and ``levels`` are the loaded policies' own names."""
    eval_params = [
        _q("as_of", "Evaluation date (YYYY-MM-DD).", True),
        _q("route", "Only this route.", enum=routes or None),
        _q("level", "Only this level.", enum=levels or None),
        _q("layout", "full (every reason) or compact (a catalogue, then outcomes); JSON Lines default to compact.",
           enum=["full", "compact"]),
        _q("policy", "Policy name; needed only when the service holds more than one.", enum=policies or None),
        _q("formation", "Open places by the name of a formation file the service holds (--formations); "
                        "or inline in the body's envelope.", enum=formations or None),
    ]
    body = {"required": True, "content": {
        "application/json": {
            "schema": {"oneOf": [_ref("candidate"), {"type": "array", "items": _ref("candidate")},
                                 {"type": "object", "required": ["candidates"], "additionalProperties": False,
                                  "properties": {"candidates": {"oneOf": [_ref("candidate"), {
                                      "type": "array", "items": _ref("candidate")}]}, "formation": _ref("Places")}}]},
            "examples": {"one": {"value": _EXAMPLE}, "list": {"value": [_EXAMPLE]},
                         "with_places": {"value": {"candidates": [_EXAMPLE],
                                                   "formation": {"Kota Contoh": {"any_level": 1}}}}}},
        "application/x-ndjson": {"schema": _ref("candidate"),
                                 "description": "One candidate per line; the answer streams as JSON Lines."}}}
    results = {"application/json": {"schema": {"oneOf": [_ref("result"), _ref("result-compact")]}},
               "application/x-ndjson": {"schema": {"type": "string"},
                                        "description": "JSON Lines: the compact catalogue first, then a line per record."}}
    policy_header = {"Formasi-Policy": {"description": "name@version sha256:digest of the version that answered",
                                       "schema": {"type": "string"}},
                     "X-Request-Id": {"schema": {"type": "string"}}}
    ok = {"200": {"description": "Every record evaluated.", "headers": policy_header, "content": results},
          "207": {"description": "Some records of a list were rejected: each is an {\"error\": ...} item in its "
                                 "place; the rest are evaluated.", "headers": policy_header, "content": results}}
    simple = {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}
    paths = {
        "/v1/evaluate": {"post": {
            "summary": "Decisions for one candidate, a list, or a JSON Lines stream",
            "description": "Same bytes as `formasi evaluate --format json` (or `--format jsonl` for JSON Lines).",
            "parameters": eval_params, "requestBody": body,
            "responses": {**ok, **_problems(400, 401, 413, 415, 422, 503)}}},
        "/v1/allocate": {"post": {
            "summary": "Evaluate candidates against open places and give contested places in the policy's order",
            "description": "Body {\"candidates\": [...], \"formation\": places}; same bytes as "
                           "`formasi evaluate --formation F --allocate --format json`.",
            "parameters": eval_params, "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object", "required": ["candidates", "formation"],
                           "properties": {"candidates": {"type": "array", "items": _ref("candidate")},
                                          "formation": _ref("Places")}}}}},
            "responses": {**ok, **_problems(400, 401, 413, 422, 503)}}},
        "/v1/formation": {"post": {
            "summary": "Officers needed per region and level from workload rows",
            "parameters": [_q("as_of", "Date whose parameters apply.", True),
                           _q("format", "json (default), csv or html.", enum=["json", "csv", "html"]),
                           _q("policy", "Policy name, when more than one.", enum=policies or None)],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["workload"],
                "properties": {"workload": {"type": "array", "items": {"type": "object"},
                                            "description": "rows region, activity, level, volume, period"},
                               "existing": {"type": "array", "items": {"type": "object"},
                                            "description": "rows region, level, count"}}}}}},
            "responses": {"200": {"description": "The formation", "headers": {
                **policy_header, **{h: {"description": f"how many {h.split('-')[1].lower()} the JSON answer lists "
                                                        "(a CSV table cannot)", "schema": {"type": "integer"}}
                                    for h in ("Formasi-Problems", "Formasi-Warnings")}},
                                  "content": {"application/json": {"schema": _ref("formation")},
                                              "text/csv": {"schema": {"type": "string"}},
                                              "text/html": {"schema": {"type": "string"}}}},
                          "207": {"description": "Some rows rejected (listed in `problems`); the rest computed."},
                          **_problems(400, 401, 413, 422, 503)}}},
        "/v1/policies": {"get": {"summary": "The policies held: version, digest, periods, refused reloads",
                                 "responses": simple}},
        "/v1/policies/{name}": {"get": {
            "summary": "One policy; with as_of, its catalogue of checks on that date",
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                           _q("as_of", "Date of the catalogue [default: today].")],
            "responses": {**simple, **_problems(404)}}},
        "/v1/schemas/{name}": {"get": {
            "summary": "A JSON Schema, as `formasi schema NAME` prints it",
            "parameters": [{"name": "name", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": list(SCHEMAS)}}],
            "responses": {**simple, **_problems(404)}}},
        "/healthz": {"get": {"summary": "The process answers", "security": [], "responses": simple}},
        "/readyz": {"get": {"summary": "Every policy has a version in service (503 if not); refused reloads",
                            "security": [], "responses": simple}},
        "/metrics": {"get": {"summary": "Prometheus text format", "responses": {"200": {
            "description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    }
    components = {name: schema(name) for name in SCHEMAS}
    components.update({"Problem": _PROBLEM, "Places": _PLACES})
    return {"openapi": "3.1.0",
            "info": {"title": "formasi_rules decision service", "version": version,
                     "description": "Appointment and formation decisions from declarative policy files. "
                                    "See docs/service.md."},
            "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
            "paths": paths,
            "components": {"schemas": components,
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}, {}]}


DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>formasi_rules API</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem} .op{border:1px solid #ccc;border-radius:6px;margin:.8rem 0;padding:.2rem .8rem}
.m{display:inline-block;min-width:4rem;font-weight:bold;font-family:monospace} .get{color:#0a6} .post{color:#06c}
code,pre{font-family:ui-monospace,monospace;font-size:13px} pre{background:#f6f6f6;padding:.6rem;overflow:auto;max-height:28rem}
table{border-collapse:collapse} td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left;vertical-align:top}
summary{cursor:pointer}
</style></head><body>
<h1 id="title">formasi_rules API</h1><p id="desc"></p>
<p>The machine-readable document: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<div id="ops">Loading…</div><h2>Schemas</h2><div id="schemas"></div>
<script>
"use strict";
function el(tag, attrs, ...kids){const e=document.createElement(tag);for(const[k,v]of Object.entries(attrs||{}))e.setAttribute(k,v);
 for(const k of kids)e.append(k);return e}
function pre(v){return el("pre",{},JSON.stringify(v,null,2))}
fetch("openapi.json").then(r=>r.json()).then(doc=>{
 document.getElementById("title").textContent=doc.info.title+" "+doc.info.version;
 document.getElementById("desc").textContent=doc.info.description;
 const ops=document.getElementById("ops");ops.textContent="";
 for(const[path,item]of Object.entries(doc.paths))for(const[method,op]of Object.entries(item)){
  const box=el("details",{class:"op"},el("summary",{},el("span",{class:"m "+method},method.toUpperCase())," ",el("code",{},path)," — "+(op.summary||"")));
  if(op.description)box.append(el("p",{},op.description));
  if(op.parameters){const t=el("table",{},el("tr",{},el("th",{},"parameter"),el("th",{},"in"),el("th",{},"required"),el("th",{},"description")));
   for(const p of op.parameters)t.append(el("tr",{},el("td",{},el("code",{},p.name)),el("td",{},p.in),el("td",{},p.required?"yes":""),
    el("td",{},(p.description||"")+(p.schema&&p.schema.enum?" One of: "+p.schema.enum.join(", "):""))));box.append(t)}
  if(op.requestBody){box.append(el("h4",{},"Request body"));for(const[type,c]of Object.entries(op.requestBody.content)){
   box.append(el("p",{},el("code",{},type)));if(c.examples)for(const[n,ex]of Object.entries(c.examples)){box.append(el("p",{},"Example "+n+":"),pre(ex.value))}}}
  const rs=el("table",{},el("tr",{},el("th",{},"status"),el("th",{},"meaning")));
  for(const[s,r]of Object.entries(op.responses||{}))rs.append(el("tr",{},el("td",{},s),el("td",{},r.description||"")));
  box.append(el("h4",{},"Responses"),rs);ops.append(box)}
 const sc=document.getElementById("schemas");
 for(const[n,s]of Object.entries(doc.components.schemas)){sc.append(el("details",{class:"op"},el("summary",{},el("code",{},n)," "+(s.title||"")),pre(s)))}
}).catch(e=>{document.getElementById("ops").textContent="Could not load openapi.json: "+e});
</script></body></html>
"""
