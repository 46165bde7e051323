//! Comparisons, severity, findings, health score and gates for perfwatch.
