//! `/history`: a metric's series over stored sessions, and the change
//! points in them — `perfwatch history` and `perfwatch detect`.

use crate::errors::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::memo::{generation_key, Rendered};
use crate::respond::{pretty_bytes, rendered};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use perfwatch_app::history::{
    change_points as find_change_points, chosen_metric, detect_options, load_series,
    normalise_since, Filters, Series, SeriesChanges, SeriesMetric,
};
use perfwatch_stats::changepoint::DetectOptions;
use serde::Deserialize;
use utoipa::IntoParams;

/// Which series (the arguments of `perfwatch history`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// The benchmark [default: the only one stored].
    pub benchmark: Option<String>,
    /// Only this variant [default: every variant, one series each].
    pub variant: Option<String>,
    /// wall_s, user_s, sys_s, max_rss_bytes, …, stage:PATH or app:NAME [default: wall_s; latency_p99_s for a service benchmark].
    pub metric: Option<String>,
    /// Only sessions on this git branch.
    pub branch: Option<String>,
    /// Only sessions started on or after this date (YYYY-MM-DD or RFC 3339 UTC).
    pub since: Option<String>,
    /// Only the newest N sessions.
    #[param(minimum = 0)]
    pub last: Option<usize>,
}

impl SeriesQuery {
    /// The filters and the metric named (`None`: the history's default,
    /// see [`chosen_metric`]).
    fn parts(self) -> Result<(Filters, Option<SeriesMetric>), ApiError> {
        let metric = self
            .metric
            .as_deref()
            .map(SeriesMetric::parse)
            .transpose()
            .map_err(|e| ApiError::from(e).with_field("metric"))?;
        if let Some(since) = &self.since {
            normalise_since(since).map_err(|e| ApiError::from(e).with_field("since"))?;
        }
        let filters = Filters {
            benchmark: self.benchmark,
            variant: self.variant,
            branch: self.branch,
            since: self.since,
            last: self.last,
        };
        Ok((filters, metric))
    }
}

/// The series of a metric, one per variant, oldest session first: what
/// `perfwatch history --format json` prints.
#[utoipa::path(
    get,
    path = "/history",
    tag = "history",
    params(SeriesQuery),
    responses(
        (status = 200, description = "One series per variant", body = Vec<Series>),
        (status = 400, description = "A parameter is invalid, or no figures match", body = ErrorBody),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn series(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SeriesQuery>,
) -> ApiResult<Response> {
    let query = serde_json::json!({
        "route": "history", "benchmark": q.benchmark, "variant": q.variant, "metric": q.metric,
        "branch": q.branch, "since": q.since, "last": q.last,
    });
    let (filters, metric) = q.parts()?;
    let answer = state
        .blocking(move |s| {
            let store = &**s.store();
            s.answers().get_or_compute(
                || generation_key(store, filters.benchmark.as_deref(), query.clone()),
                || {
                    let metric = chosen_metric(store, &filters, metric.clone())?;
                    let series = load_series(store, &filters, &metric, &s.options().ci())?;
                    Ok::<_, ApiError>(Rendered(pretty_bytes(&series)?))
                },
            )
        })
        .await?;
    Ok(rendered(&answer.0))
}

/// Which series, and how to find change points in them (the arguments of
/// `perfwatch detect`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangePointQuery {
    /// The benchmark [default: the only one stored].
    pub benchmark: Option<String>,
    /// Only this variant [default: every variant, one series each].
    pub variant: Option<String>,
    /// wall_s, user_s, sys_s, max_rss_bytes, …, stage:PATH or app:NAME [default: wall_s; latency_p99_s for a service benchmark].
    pub metric: Option<String>,
    /// Only sessions on this git branch.
    pub branch: Option<String>,
    /// Only sessions started on or after this date (YYYY-MM-DD or RFC 3339 UTC).
    pub since: Option<String>,
    /// Only the newest N sessions.
    #[param(minimum = 0)]
    pub last: Option<usize>,
    /// Points per sliding window (at least 2) [default: as `perfwatch detect`].
    #[param(minimum = 2)]
    pub window: Option<usize>,
    /// Largest p-value of a change point, in (0, 1] [default: as `perfwatch detect`].
    pub p_value: Option<f64>,
    /// Smallest relative change of a change point [default: as `perfwatch detect`].
    pub magnitude: Option<f64>,
}

/// The change points of each series: what `perfwatch detect --format
/// json` prints.
#[utoipa::path(
    get,
    path = "/history/change-points",
    tag = "history",
    params(ChangePointQuery),
    responses(
        (status = 200, description = "Each series with its change points", body = Vec<SeriesChanges>),
        (status = 400, description = "A parameter is invalid, or no figures match", body = ErrorBody),
        (status = 401, description = "A token is required and was not given, or is unknown", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody),
    )
)]
pub async fn change_points(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ChangePointQuery>,
) -> ApiResult<Response> {
    let query = serde_json::json!({
        "route": "change-points", "benchmark": q.benchmark, "variant": q.variant,
        "metric": q.metric, "branch": q.branch, "since": q.since, "last": q.last,
        "window": q.window, "p_value": q.p_value, "magnitude": q.magnitude,
    });
    let defaults = DetectOptions::default();
    let opts = detect_options(
        q.window.unwrap_or(defaults.window),
        q.p_value.unwrap_or(defaults.max_p_value),
        q.magnitude.unwrap_or(defaults.min_magnitude),
    )
    .map_err(ApiError::from)?;
    let (filters, metric) = SeriesQuery {
        benchmark: q.benchmark,
        variant: q.variant,
        metric: q.metric,
        branch: q.branch,
        since: q.since,
        last: q.last,
    }
    .parts()?;
    let answer = state
        .blocking(move |s| {
            let store = &**s.store();
            s.answers().get_or_compute(
                || generation_key(store, filters.benchmark.as_deref(), query.clone()),
                || {
                    let thresholds = s.options().compare.severity;
                    let metric = chosen_metric(store, &filters, metric.clone())?;
                    let found = find_change_points(
                        store,
                        &filters,
                        &metric,
                        &s.options().ci(),
                        &opts,
                        &thresholds,
                    )?;
                    Ok::<_, ApiError>(Rendered(pretty_bytes(&found)?))
                },
            )
        })
        .await?;
    Ok(rendered(&answer.0))
}
