//! 重点工作推进表: the key-task progress table: the year's key tasks with their owner, deadline
//! and monthly progress, and where each stands. The first module built whole in its own folder:
//! its model (`model.rs`, pure), its tables and store trait written once for both databases
//! (`store.rs`, `migrations/`), its use cases with access and audit (`service.rs`), its routes
//! and pages (`routes.rs`, `templates/tasks.html`, `task.html`), its OpenAPI part and menu entry
//! (here), its tests (`tests/tasks.rs`). The server knows it by one line in `MODULES`.

pub mod cli;
pub mod import;
pub mod model;
mod routes;
pub mod service;
pub mod store;
mod work;

use crate::module::{listed, Access, MenuEntry, Module, Route};
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use minzheng_domain::Permission;

pub const ROUTES: &[Route] = &[
    Route::new("GET", "/tasks", Access::Needs(Permission::ReadTasks)),
    Route::new("POST", "/tasks", Access::Needs(Permission::ManageTasks)),
    Route::new("GET", "/tasks/{id}", Access::Needs(Permission::ReadTasks)),
    Route::new("POST", "/tasks/{id}/progress", Access::Needs(Permission::ReportProgress)),
    Route::new("GET", "/api/tasks", Access::Needs(Permission::ReadTasks)),
    Route::new("POST", "/api/tasks", Access::Needs(Permission::ManageTasks)),
    Route::new("GET", "/api/tasks/{id}", Access::Needs(Permission::ReadTasks)),
    Route::new("POST", "/api/tasks/{id}/progress", Access::Needs(Permission::ReportProgress)),
];

const MENU: &[MenuEntry] = &[MenuEntry { href: "/tasks", zh: "重点工作", en: "Key tasks", needs: Some(Permission::ReadTasks) }];

pub const MODULE: Module =
    Module { name: "tasks", routes: ROUTES, router, openapi, menu: MENU, migrations: Some(&store::MIGRATIONS), work: Some(work::lines) };

fn router() -> Router<AppState> {
    let l = |path: &'static str, methods: &[&str]| listed(ROUTES, path, methods);
    Router::new()
        .route(l("/tasks", &["GET", "POST"]), get(routes::list_page).post(routes::form_add))
        .route(l("/tasks/{id}", &["GET"]), get(routes::task_page))
        .route(l("/tasks/{id}/progress", &["POST"]), post(routes::form_report))
        .route(l("/api/tasks", &["GET", "POST"]), get(routes::api_list).post(routes::api_add))
        .route(l("/api/tasks/{id}", &["GET"]), get(routes::api_one))
        .route(l("/api/tasks/{id}/progress", &["POST"]), post(routes::api_report))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    serde_json::json!({
        "paths": {
            "/api/tasks": {
                "get": { "summary": "重点工作推进表：可见的任务及其状态 / the key tasks the account may see, with their status",
                    "responses": { "200": { "description": "tasks: number, title, work, unit, responsible, region, deadline, latest progress, status (not_reported, on_track, late, overdue, done)" }, "403": error_response() } },
                "post": { "summary": "新增任务（需 x-csrf-token）/ enter a key task (needs x-csrf-token)",
                    "parameters": [csrf],
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "number": { "type": "integer" }, "title": { "type": "string" }, "work": { "type": "string" }, "unit": { "type": "string" },
                        "responsible": { "type": "string" }, "region": { "type": "string" }, "deadline": { "type": "string", "format": "date" } },
                        "required": ["number", "title", "work", "unit"] } } } },
                    "responses": { "201": { "description": "added" }, "200": { "description": "already there" }, "403": error_response(), "422": error_response() } } },
            "/api/tasks/{id}": { "get": {
                "summary": "一项任务及历次进展 / a key task with its monthly progress",
                "parameters": [param("id", "path", "task id")],
                "responses": { "200": { "description": "task with progress" }, "403": error_response(), "404": error_response() } } },
            "/api/tasks/{id}/progress": { "post": {
                "summary": "填报月度进展（需 x-csrf-token）/ report a month's progress (needs x-csrf-token)",
                "parameters": [param("id", "path", "task id"), csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "month": { "type": "string", "description": "2026-05" }, "progress": { "type": "string", "minLength": 4 },
                    "judgement": { "type": "string", "enum": ["on_track", "late", "done"] }, "problems": { "type": "string" } },
                    "required": ["month", "progress", "judgement"] } } } },
                "responses": { "201": { "description": "recorded" }, "400": error_response(), "403": error_response(), "404": error_response(), "422": error_response() } } }
        }
    })
}
