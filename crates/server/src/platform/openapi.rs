//! The OpenAPI 3.1 document of the JSON API, written by hand next to the routes; a test checks
//! that every API route is documented.

use axum::Json;
use serde_json::{json, Value};

pub(crate) fn error_response() -> Value {
    json!({ "description": "错误 / error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub(crate) fn param(name: &str, location: &str, description: &str) -> Value {
    json!({ "name": name, "in": location, "required": location == "path", "description": description, "schema": { "type": "string" } })
}
/// A keyset-paginated page of `item`.
pub(crate) fn page(item: &str) -> Value {
    json!({ "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{item}") } }, "next": { "type": ["string", "null"], "description": "cursor of the next page / 下一页游标" } } })
}

/// The whole document: every module's paths and schemas.
pub fn spec() -> Value {
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    for m in crate::MODULES {
        let part = (m.openapi)();
        if let Some(p) = part.get("paths").and_then(Value::as_object) {
            paths.extend(p.clone());
        }
        if let Some(s) = part.get("schemas").and_then(Value::as_object) {
            schemas.extend(s.clone());
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Minzheng 民政服务管理平台 API", "version": env!("CARGO_PKG_VERSION") },
        "paths": paths,
        "components": { "schemas": schemas },
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
