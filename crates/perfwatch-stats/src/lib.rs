//! Pure statistics for perfwatch: summaries, percentiles, bootstrap confidence intervals, Mann-Whitney U, outliers, change points.
