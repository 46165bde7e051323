//! The OpenAPI document: the routes' own `#[utoipa::path]` annotations,
//! collected as the router is built (so a route cannot be served
//! undocumented), plus hand-written schemas for the model's documents,
//! which the serde-only model crate does not describe itself.

use serde_json::json;
use std::borrow::Cow;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

/// The document's fixed parts: title, description, security scheme.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "perfwatch",
        description = "The team server of perfwatch: a shared performance history. Every answer \
is the one the perfwatch CLI gives for the same history and configuration. Writes (POST, \
DELETE) need `Authorization: Bearer TOKEN` with a write token (`perfwatch token create \
--write`); reads need a token only when the server runs with --read-token-required."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "sessions", description = "Stored sessions and their analyses"),
        (name = "history", description = "Series of a metric over sessions, and change points"),
        (name = "baselines", description = "Saved, named references"),
        (name = "live", description = "Runs in progress, as the CLIs measuring them report"),
        (name = "monitoring", description = "Regression alerts of monitored pipelines (runs received over OTLP)"),
        (name = "meta", description = "The API itself"),
    )
)]
pub struct ApiDoc;

/// Adds the bearer scheme, required by every operation (writes always;
/// reads when the server says so).
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// A schema written as JSON (OpenAPI 3.1 / JSON Schema).
fn schema(value: serde_json::Value) -> RefOr<Schema> {
    // The values are literals below, checked by a test: never fails.
    RefOr::T(serde_json::from_value(value).expect("a valid schema literal"))
}

/// A `perfwatch.session.v1` document: a session with its iterations,
/// summaries, comparisons, findings and health. Only its outline is
/// described; the model crate's documentation has every field.
pub struct SessionDocument;

impl PartialSchema for SessionDocument {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "object",
            "description": "A perfwatch.session.v1 document (see the perfwatch README for every field).",
            "required": ["schema", "session", "variants"],
            "properties": {
                "schema": {"type": "string", "enum": [perfwatch_model::SCHEMA_V1]},
                "session": {
                    "type": "object",
                    "required": ["id", "started_at", "benchmark"],
                    "properties": {
                        "id": {"type": "string", "description": "4 to 64 lowercase hex digits"},
                        "started_at": {"type": "string"},
                        "benchmark": {"type": "string"}
                    }
                },
                "variants": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "iterations"],
                        "properties": {
                            "name": {"type": "string"},
                            "iterations": {"type": "array", "items": {"type": "object"}},
                            "summary": {"type": "object"},
                            "stages": {"type": "array", "items": {"type": "object"}}
                        }
                    }
                },
                "comparisons": {"type": "array", "items": {"type": "object"}},
                "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                "health": {"$ref": "#/components/schemas/Health"},
                "gate": {"type": "object"},
                "notes": {"type": "array", "items": {"type": "string"}}
            }
        }))
    }
}

impl ToSchema for SessionDocument {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SessionDocument")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((Finding::name().into(), Finding::schema()));
        schemas.push((Health::name().into(), Health::schema()));
    }
}

/// A finding: a diagnosis with evidence, an estimated saving and a
/// recommendation.
pub struct Finding;

impl PartialSchema for Finding {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "object",
            "required": ["kind", "title", "recommendation"],
            "properties": {
                "kind": {"type": "string"},
                "title": {"type": "string"},
                "stage": {"type": ["string", "null"]},
                "evidence": {"type": "object"},
                "impact_s": {"type": ["number", "null"]},
                "confidence": {"type": ["number", "null"]},
                "recommendation": {"type": "string"}
            }
        }))
    }
}

impl ToSchema for Finding {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Finding")
    }
}

/// The health score and its deductions.
pub struct Health;

impl PartialSchema for Health {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "object",
            "required": ["score", "breakdown"],
            "properties": {
                "score": {"type": "integer", "minimum": 0, "maximum": 100},
                "breakdown": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["what", "points", "why"],
                        "properties": {
                            "what": {"type": "string"},
                            "points": {"type": "integer"},
                            "why": {"type": "string"}
                        }
                    }
                }
            }
        }))
    }
}

impl ToSchema for Health {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Health")
    }
}

/// A `perfwatch.live.v1` snapshot of a run in progress (what `perfwatch
/// run --push` posts while it runs). Only its outline is described; the
/// model crate's `live` module documents every field.
pub struct LiveSnapshotDocument;

impl PartialSchema for LiveSnapshotDocument {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "object",
            "description": "A perfwatch.live.v1 snapshot of a run in progress.",
            "required": ["schema", "run_id", "benchmark", "state", "updated_at", "progress",
                "variants", "walls", "stages", "samples", "warnings", "findings"],
            "properties": {
                "schema": {"type": "string", "enum": [perfwatch_model::LIVE_SCHEMA_V1]},
                "run_id": {"type": "string", "description": "the session id: 4 to 64 lowercase hex digits"},
                "benchmark": {"type": "string"},
                "state": {"type": "string", "enum": ["running", "finished", "cancelled"]},
                "updated_at": {"type": "string"},
                "progress": {
                    "type": "object",
                    "required": ["done", "planned", "elapsed_s"],
                    "properties": {
                        "done": {"type": "integer", "minimum": 0},
                        "planned": {"type": "integer", "minimum": 0},
                        "elapsed_s": {"type": "number", "minimum": 0}
                    }
                },
                "variants": {"type": "array", "maxItems": perfwatch_model::live::MAX_VARIANTS, "items": {"type": "object"}},
                "walls": {"type": "array", "maxItems": perfwatch_model::live::MAX_WALLS, "items": {"type": "object"}},
                "stages": {"type": "array", "maxItems": perfwatch_model::live::MAX_STAGES, "items": {"type": "object"}},
                "samples": {"type": "array", "maxItems": perfwatch_model::live::MAX_SAMPLES, "items": {"type": "object"}},
                "warnings": {"type": "array", "maxItems": perfwatch_model::live::MAX_NOTES, "items": {"type": "string"}},
                "findings": {"type": "array", "maxItems": perfwatch_model::live::MAX_NOTES, "items": {"type": "string"}}
            }
        }))
    }
}

impl ToSchema for LiveSnapshotDocument {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("LiveSnapshot")
    }
}

/// The answer of `GET /live/runs`: `{"runs": [snapshot, …]}`.
pub struct LiveRunList;

impl PartialSchema for LiveRunList {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "object",
            "required": ["runs"],
            "properties": {
                "runs": {"type": "array", "items": {"$ref": "#/components/schemas/LiveSnapshot"}}
            }
        }))
    }
}

impl ToSchema for LiveRunList {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("LiveRunList")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            LiveSnapshotDocument::name().into(),
            LiveSnapshotDocument::schema(),
        ));
    }
}

/// The answer of `GET /alerts`: `{"alerts": [alert, …]}`.
pub struct AlertList;

impl PartialSchema for AlertList {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "object",
            "required": ["alerts"],
            "properties": {
                "alerts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "pipeline", "stage", "kind", "severity", "ratio",
                            "ci_low", "ci_high", "observed", "recent_p50_s", "first", "opened",
                            "state", "runs_checked"],
                        "properties": {
                            "id": {"type": "string", "description": "stable: pipeline, stage, kind and first run"},
                            "pipeline": {"type": "string", "description": "SERVICE/ROOT"},
                            "stage": {"type": "string", "description": "the stage path, or the application metric's name"},
                            "kind": {"type": "string", "enum": ["slower", "over_budget", "app_metric"]},
                            "what": {"type": "string", "enum": ["duration", "memory", "cpu"], "description": "over_budget: the figure"},
                            "op": {"type": "string", "enum": ["at_least", "above", "at_most", "below"], "description": "app_metric: the rule's comparison"},
                            "severity": {"type": "string", "enum": ["low", "medium", "high", "critical"]},
                            "ratio": {"type": "number"},
                            "ci_low": {"type": "number"},
                            "ci_high": {"type": ["number", "null"], "description": "null when unbounded"},
                            "p_value": {"type": "number"},
                            "limit": {"type": "number"},
                            "observed": {"type": "number"},
                            "recent_p50_s": {"type": "number"},
                            "baseline": {"type": "object"},
                            "first": {"$ref": "#/components/schemas/RunRef"},
                            "opened": {"$ref": "#/components/schemas/RunRef"},
                            "state": {"type": "string", "enum": ["open", "resolved"]},
                            "resolved_at": {"$ref": "#/components/schemas/RunRef"},
                            "runs_checked": {"type": "integer", "minimum": 0}
                        }
                    }
                }
            }
        }))
    }
}

impl ToSchema for AlertList {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AlertList")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            "RunRef".into(),
            schema(json!({
                "type": "object",
                "required": ["session_id", "index", "version", "started_at"],
                "properties": {
                    "session_id": {"type": "string"},
                    "index": {"type": "integer", "minimum": 0},
                    "version": {"type": "string"},
                    "started_at": {"type": "string"}
                }
            })),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hand_written_schemas_are_valid() {
        for s in [
            SessionDocument::schema(),
            Finding::schema(),
            Health::schema(),
            AlertList::schema(),
        ] {
            assert!(matches!(s, RefOr::T(Schema::Object(_))));
        }
    }
}
