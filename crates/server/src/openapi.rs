//! The OpenAPI 3.1 document of the JSON API, written by hand next to the routes; a test checks
//! that every API route is documented.

use axum::Json;
use serde_json::{json, Value};

fn error_response() -> Value {
    json!({ "description": "错误 / error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn param(name: &str, location: &str, description: &str) -> Value {
    json!({ "name": name, "in": location, "required": location == "path", "description": description, "schema": { "type": "string" } })
}

pub fn spec() -> Value {
    let page = |item: &str| json!({ "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{item}") } }, "next": { "type": ["string", "null"], "description": "cursor of the next page / 下一页游标" } } });
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Minzheng 民政服务管理平台 API", "version": env!("CARGO_PKG_VERSION") },
        "paths": {
            "/api/health": { "get": { "summary": "服务状态 / service status", "responses": { "200": { "description": "ok" } } } },
            "/api/session": {
                "post": { "summary": "登录 / sign in (sets the session cookie; returns the CSRF token)",
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "name": { "type": "string" }, "password": { "type": "string" } }, "required": ["name", "password"] } } } },
                    "responses": { "200": { "description": "signed in" }, "401": error_response(), "429": error_response() } },
                "delete": { "summary": "退出 / sign out (needs the x-csrf-token header)", "responses": { "204": { "description": "signed out" }, "401": error_response(), "403": error_response() } } },
            "/api/regions/{code}": { "get": {
                "summary": "区划及其下级 / a region and its children",
                "parameters": [param("code", "path", "2/4/6/9/12-digit division code")],
                "responses": { "200": { "description": "region", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Region" } } } }, "400": error_response(), "404": error_response() } } },
            "/api/persons": { "get": {
                "summary": "查询人员 / search persons (keyset pagination)",
                "parameters": [param("region", "query", "region code (any level)"), param("name", "query", "name prefix"), param("tag", "query", "tag"), param("after", "query", "cursor"), param("limit", "query", "1-1000, default 50")],
                "responses": { "200": { "description": "page", "content": { "application/json": { "schema": page("Person") } } }, "400": error_response() } } },
            "/api/persons/{id}": { "get": {
                "summary": "按身份证号取人员 / a person by ID number",
                "parameters": [param("id", "path", "18-digit ID number (15-digit legacy accepted)")],
                "responses": { "200": { "description": "person", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } }, "400": error_response(), "404": error_response() } } },
            "/api/persons/{id}/unmask": { "post": {
                "summary": "查看完整身份证号和电话（须说明理由，记入审计）/ show the full ID and phone numbers, with a reason (audited)",
                "parameters": [param("id", "path", "ID number"), { "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } }],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "reason": { "type": "string", "minLength": 4 } }, "required": ["reason"] } } } },
                "responses": { "200": { "description": "person, unmasked", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/acceptance/{id}": { "get": {
                "summary": "全市通办：按完整身份证号查找本市居民（仅姓名、脱敏号码、户籍区县）/ city-wide acceptance: find any city resident by full ID number",
                "parameters": [param("id", "path", "full ID number")],
                "responses": { "200": { "description": "name, masked number, owning county" }, "403": error_response(), "404": error_response() } } },
            "/api/password": { "post": {
                "summary": "修改本人密码（需 x-csrf-token）/ change one's own password (needs x-csrf-token)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "old": { "type": "string" }, "new": { "type": "string" } }, "required": ["old", "new"] } } } },
                "responses": { "204": { "description": "changed; every session ended" }, "400": error_response(), "401": error_response(), "403": error_response() } } },
            "/api/households": { "get": {
                "summary": "查询户 / list households",
                "parameters": [param("region", "query", "region code"), param("after", "query", "cursor"), param("limit", "query", "1-1000")],
                "responses": { "200": { "description": "page", "content": { "application/json": { "schema": page("Household") } } }, "400": error_response() } } },
            "/api/audit": { "get": {
                "summary": "审计日志查询（审计角色，本区划）/ search the audit log (auditors, own region), newest first",
                "parameters": [param("region", "query", "region within the auditor's"), param("actor", "query", "account"), param("entity", "query", "person, household, account ..."), param("key", "query", "entity key"), param("action", "query", "read, update, login ..."), param("before", "query", "id cursor"), param("limit", "query", "1-1000")],
                "responses": { "200": { "description": "page of audit records" }, "403": error_response() } } },
            "/api/stats/residents": { "get": {
                "summary": "居民分布（下一级区划的人数）/ residents per region one level below",
                "parameters": [param("region", "query", "region within the account's (default: the account's)")],
                "responses": { "200": { "description": "[{code, name, persons}]" }, "403": error_response() } } },
            "/api/households/{no}": { "get": {
                "summary": "户及成员 / a household with its members",
                "parameters": [param("no", "path", "户号 household number")],
                "responses": { "200": { "description": "household" }, "404": error_response() } } },
            "/api/households/{no}/check": { "get": {
                "summary": "资格核算：逐项目是否符合、金额及解释（条件、特征值、参数、依据）/ check a household against every program, with the explanation",
                "parameters": [param("no", "path", "户号 household number"), param("on", "query", "date, default today (2026-07-01)")],
                "responses": { "200": { "description": "check: programs, units, steps with features, parameters and legal basis" }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/policy/sweeps": { "post": {
                "summary": "政策找人：对区划全量核算并保存为一次普查 / sweep a region on a date, stored as a run (needs x-csrf-token)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "region": { "type": "string" }, "on": { "type": "string", "format": "date" } }, "required": ["region"] } } } },
                "responses": { "200": { "description": "run id, counts and amounts per program, county and area" }, "400": error_response(), "403": error_response() } } },
            "/api/policy/whatif": { "post": {
                "summary": "提标测算：参数调整后新增、退出对象和增支 / cost parameter changes against the current values (needs x-csrf-token)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "region": { "type": "string" }, "from": { "type": "string", "format": "date" },
                    "changes": { "type": "array", "items": { "type": "string", "description": "dibao_standard:urban+7% | gaoling_80=3000 | name:region:area+n%" } } }, "required": ["region", "from", "changes"] } } } },
                "responses": { "200": { "description": "per program and county: baseline and scenario counts, new and leaving units, monthly amounts" }, "400": error_response(), "403": error_response() } } },
            "/api/policy/runs/{id}": { "get": {
                "summary": "一次普查或测算的结果 / a stored sweep or what-if",
                "parameters": [param("id", "path", "run id")],
                "responses": { "200": { "description": "run with its summary" }, "403": error_response(), "404": error_response() } } },
            "/api/policy/parameters": {
                "get": { "summary": "政策参数的全部历史 / the whole parameter history", "responses": { "200": { "description": "records: name, region, area, effective_from, value, reason, recorded_by, recorded_at, seq" }, "403": error_response() } },
                "post": { "summary": "记录参数新值（自某日起，写明依据；需 x-csrf-token）/ record a new parameter value from a date, with its basis",
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "name": { "type": "string" }, "region": { "type": "string" }, "area": { "type": ["string", "null"], "enum": ["urban", "rural", null] },
                        "from": { "type": "string", "format": "date" }, "value": { "type": "integer", "description": "fen, per mille or count" }, "reason": { "type": "string", "minLength": 4 } },
                        "required": ["name", "region", "from", "value", "reason"] } } } },
                    "responses": { "200": { "description": "the stored record" }, "400": error_response(), "403": error_response() } } },
            "/api/findings": { "get": {
                "summary": "比对疑点（本区划，新的在前）/ findings of the data comparison in the account's region, newest first",
                "parameters": [param("region", "query", "region within the account's"), param("kind", "query", "deceased | enrolled_twice | incompatible_programs | moved_out | members_mismatch | no_longer_eligible | absent"),
                    param("status", "query", "new | assigned | verified | resolved"), param("before", "query", "cursor: the next field of the previous page"), param("limit", "query", "1 to 1000, default 50")],
                "responses": { "200": { "description": "{items: findings with evidence, next}" }, "400": error_response(), "403": error_response() } } },
            "/api/findings/{id}": { "get": {
                "summary": "一条疑点及其证据和处理记录 / one finding with its evidence and workflow steps",
                "parameters": [param("id", "path", "finding id")],
                "responses": { "200": { "description": "{finding, events}" }, "403": error_response(), "404": error_response() } } },
            "/api/findings/{id}/actions": { "post": {
                "summary": "疑点处理：分派、核实、办结（需 x-csrf-token）/ a workflow step: assign, verify, resolve",
                "parameters": [param("id", "path", "finding id")],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "action": { "type": "string", "enum": ["assign", "verify", "resolve"] }, "to": { "type": "string" },
                    "resolution": { "type": "string", "enum": ["stop", "recover_overpayment", "correct_data", "false_positive"] }, "comment": { "type": "string", "minLength": 4 }, "seen": { "type": "string", "enum": ["new", "assigned", "verified"], "description": "the status the worker saw; refused with 409 if it changed" } },
                    "required": ["action", "comment"] } } } },
                "responses": { "200": { "description": "the finding after the step" }, "400": error_response(), "403": error_response(), "404": error_response(), "409": error_response() } } },
            "/api/services": { "get": {
                "summary": "全市通办服务事项目录及要件精减情况 / the service catalogue and the documents report",
                "parameters": [param("since", "query", "base date of the report, default 2022-01-01"), param("on", "query", "report date, default today")],
                "responses": { "200": { "description": "services and, per service, documents still required and replaced by data" }, "400": error_response() } } },
            "/api/cases": {
                "get": { "summary": "办件列表：待办、即将到期和超期、本社区受理、全部 / cases: the role's queue, due and overdue, accepted here, all",
                    "parameters": [param("list", "query", "queue (default), due, accepted, all"), param("before", "query", "cursor: cases with a smaller id"), param("limit", "query", "1-1000, default 50")],
                    "responses": { "200": { "description": "page of cases (ID numbers masked by role)" }, "400": error_response() } },
                "post": { "summary": "受理申请（全市通办，需 x-csrf-token）/ accept an application at the account's community",
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "service": { "type": "string", "description": "service code of the catalogue, e.g. apply_dibao" }, "applicant": { "type": "string", "description": "full ID number" },
                        "documents": { "type": "array", "items": { "type": "string" }, "description": "codes of the documents handed in" }, "staff_relative": { "type": "boolean" }, "comment": { "type": "string", "minLength": 4 } },
                        "required": ["service", "applicant", "comment"] } } } },
                    "responses": { "201": { "description": "the case, owned by the applicant's hukou county" }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/cases/{id}": { "get": {
                "summary": "办件及办理记录 / a case with its steps (the accepting community outside the household's region sees the status only)",
                "parameters": [param("id", "path", "case id")],
                "responses": { "200": { "description": "case and events" }, "403": error_response(), "404": error_response() } } },
            "/api/cases/{id}/actions": { "post": {
                "summary": "办理一个环节（需 x-csrf-token）/ take a step of the procedure",
                "parameters": [param("id", "path", "case id")],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "action": { "type": "string", "enum": ["survey", "record_check", "review", "return", "publish_notice", "object", "democratic_review", "approve", "refuse", "withdraw", "pay_first", "extend", "refer"] },
                    "comment": { "type": "string", "minLength": 4 }, "seen": { "type": "integer", "description": "the case version shown; refused with 409 if it changed" },
                    "staff": { "type": "string", "description": "survey: two or more staff, comma separated" }, "home_visit": { "type": "boolean" }, "findings": { "type": "string" },
                    "per_capita_income": { "type": "string", "description": "record_check: yuan per person and month" }, "assets_within_limits": { "type": "boolean" }, "report": { "type": "integer", "description": "a stored household check" },
                    "objection": { "type": "string" }, "amount": { "type": "string", "description": "yuan: pay_first, and approve for temporary assistance" }, "reason": { "type": "string", "description": "refuse: the written reason" } },
                    "required": ["action", "comment", "seen"] } } } },
                "responses": { "200": { "description": "the case after the step" }, "400": error_response(), "403": error_response(), "404": error_response(), "409": error_response() } } },
            "/api/comparisons": { "post": {
                "summary": "批量比对：区划内全部在保对象与人口库、死亡数据和政策规则比对（需 x-csrf-token）/ compare every active enrolment of a region",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "region": { "type": "string" }, "on": { "type": "string", "format": "date" } }, "required": ["region"] } } } },
                "responses": { "200": { "description": "enrolments, persons, rows, re-checked, found, added, by kind, seconds" }, "400": error_response(), "403": error_response() } } },
            "/api/households/{no}/verifications": { "post": {
                "summary": "家庭经济状况核对：凭授权书查询各部门数据，生成核对报告（需 x-csrf-token）/ check a household's income and assets with its signed authorisation",
                "parameters": [param("no", "path", "户号 household number")],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "reference": { "type": "string", "description": "授权书编号" }, "signed_on": { "type": "string", "format": "date" },
                    "signed_by": { "type": "array", "items": { "type": "string", "description": "ID numbers of the members who signed (every adult)" } },
                    "on": { "type": "string", "format": "date", "description": "核对基准日, default today" } }, "required": ["reference", "signed_on", "signed_by"] } } } },
                "responses": { "200": { "description": "the report: members, each departmental record with source and batch, figures as the rules count them, each program's decision" }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/verifications/{id}": { "get": {
                "summary": "一份核对报告（PDF 见 /verifications/{id}/report.pdf）/ a stored household check report",
                "parameters": [param("id", "path", "report id")],
                "responses": { "200": { "description": "the report" }, "403": error_response(), "404": error_response() } } }
        },
        "components": { "schemas": {
            "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": {
                "code": { "type": "string" }, "message_zh": { "type": "string" }, "message_en": { "type": "string" } } } } },
            "Region": { "type": "object", "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "level": { "type": "string", "enum": ["province", "city", "county", "street", "community"] }, "parent": { "type": ["string", "null"] } } },
            "Person": { "type": "object", "properties": {
                "id_number": { "type": "string" }, "name": { "type": "string" }, "sex": { "type": "string", "enum": ["male", "female"] },
                "birth_date": { "type": "string", "format": "date" }, "hukou_region": { "type": "string" }, "household_no": { "type": ["string", "null"] },
                "relation": { "type": "string" }, "status": { "type": "object" }, "disability": { "type": ["object", "null"] },
                "phone": { "type": ["string", "null"] }, "tags": { "type": "array", "items": { "type": "string" } } } },
            "Household": { "type": "object", "properties": {
                "household_no": { "type": "string" }, "head": { "type": ["string", "null"] }, "address": { "type": "string" },
                "community": { "type": "string" }, "grid": { "type": ["string", "null"] }, "building": { "type": ["string", "null"] },
                "kind": { "type": "string", "enum": ["urban", "rural"] } } }
        } }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
