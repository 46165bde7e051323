//! What can go wrong while importing, with messages that name the file.

use std::path::PathBuf;

/// Why a file could not be imported.
///
/// Messages are lowercase fragments that read well after "failed to import:",
/// and name the file; JSON problems also give `line:column` and the field.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// What was being read.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The text is not valid JSON, or a field has the wrong type or is missing.
    #[error("{origin}:{line}:{column}: {message}")]
    Json {
        /// The file (or the name given for the text).
        origin: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong, starting with the field when one is known.
        message: String,
    },
    /// Valid JSON, but in neither supported format.
    #[error("{origin} is neither a hyperfine JSON export nor a criterion estimates.json")]
    Unrecognized {
        /// The file.
        origin: String,
    },
    /// criterion's `change/estimates.json`: ratios between runs, not times.
    #[error(
        "{origin} holds criterion's relative change estimates, not times; \
         import the benchmark's new/estimates.json instead"
    )]
    CriterionChange {
        /// The file.
        origin: String,
    },
    /// A directory with no `new/estimates.json` anywhere below it.
    #[error("{} holds no criterion results (no new/estimates.json below it)", path.display())]
    NoCriterionResults {
        /// The directory.
        path: PathBuf,
    },
    /// A list that must hold measurements is empty or absent.
    #[error("{origin}: {field} is empty or missing")]
    Empty {
        /// The file.
        origin: String,
        /// The field, e.g. `results` or `results[1].times`.
        field: String,
    },
    /// A time that is negative, not finite, or longer than any run
    /// ([`MAX_SECONDS`](perfwatch_model::iteration::MAX_SECONDS)).
    #[error("{origin}: {field} is {value:e}, not a time between 0 and 1e9 s")]
    BadTime {
        /// The file.
        origin: String,
        /// The field, e.g. `results[0].times[3]`.
        field: String,
        /// The value found.
        value: f64,
    },
    /// The names asked for do not fit what the file holds (a count of
    /// variant names that is not the number of commands, an unknown
    /// command, two variants of one name).
    #[error("{origin}: {message}")]
    Naming {
        /// The file.
        origin: String,
        /// What does not fit.
        message: String,
    },
    /// Fields that must agree do not (e.g. 10 times but 9 exit codes).
    #[error("{origin}: {message}")]
    Inconsistent {
        /// The file.
        origin: String,
        /// What disagrees.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_read_after_failed_to() {
        let cases: Vec<(ImportError, &str)> = vec![
            (
                ImportError::Json {
                    origin: "a.json".into(),
                    line: 3,
                    column: 7,
                    message: "invalid JSON: expected `,` or `}`".into(),
                },
                "a.json:3:7: invalid JSON: expected `,` or `}`",
            ),
            (
                ImportError::Unrecognized {
                    origin: "b.json".into(),
                },
                "b.json is neither a hyperfine JSON export nor a criterion estimates.json",
            ),
            (
                ImportError::Empty {
                    origin: "c.json".into(),
                    field: "results".into(),
                },
                "c.json: results is empty or missing",
            ),
            (
                ImportError::BadTime {
                    origin: "d.json".into(),
                    field: "results[0].times[2]".into(),
                    value: -1.5,
                },
                "d.json: results[0].times[2] is -1.5e0, not a time between 0 and 1e9 s",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
        }
    }
}
