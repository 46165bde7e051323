//! `perfwatch_alert_active{pipeline,stage,severity}`: 1 for each open
//! alert of a monitored pipeline, replaced whole at each change.

use crate::labels::label_value;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Most open alerts shown; more are not published (a pipeline whose
/// every stage alerts needs its dashboard, not ten thousand series).
pub const MAX_ALERT_SERIES: usize = 1_000;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AlertLabels {
    pipeline: String,
    stage: String,
    severity: String,
}

/// One open alert, as labelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAlert {
    /// The monitored pipeline.
    pub pipeline: String,
    /// The stage path.
    pub stage: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
}

/// The family.
#[derive(Debug)]
pub(crate) struct AlertMetrics {
    active: Family<AlertLabels, Gauge>,
}

impl AlertMetrics {
    /// The family, registered in `registry`.
    pub fn register(registry: &mut Registry) -> Self {
        let active = Family::<AlertLabels, Gauge>::default();
        registry.register(
            "perfwatch_alert_active",
            "Open regression alerts of monitored pipelines (1 each), by pipeline, stage and severity",
            active.clone(),
        );
        AlertMetrics { active }
    }

    /// Shows exactly `open` (the first [`MAX_ALERT_SERIES`]).
    pub fn set(&self, open: &[ActiveAlert]) {
        self.active.clear();
        for a in open.iter().take(MAX_ALERT_SERIES) {
            self.active
                .get_or_create(&AlertLabels {
                    pipeline: label_value(&a.pipeline),
                    stage: label_value(&a.stage),
                    severity: label_value(&a.severity),
                })
                .set(1);
        }
    }
}
