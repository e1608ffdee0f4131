//! The façade's one error: a code every front end branches on (exit codes, UI states), a message
//! for people with its causes, and, for invalid input, every problem with its location.

use serde::{Deserialize, Serialize};

use crate::LoadError;
use crate::contract::Problem;

/// What kind of failure an [`Error`] is. Front ends branch on this, never on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The user's input is wrong (a scenario, a flag, a file name); nothing was done.
    InvalidInput,
    /// What was asked for (a run, a sweep, a recording, a database) does not exist.
    NotFound,
    /// The run database could not be read or written, or belongs to another version.
    Store,
    /// The MQTT broker could not be reached or refused the login.
    BrokerUnreachable,
    /// The work was cancelled by its caller.
    Cancelled,
    /// A file could not be read or written.
    Io,
    /// A bug: an invariant broke (a panic inside a run is reported as this).
    Internal,
}

/// The error of every façade function.
#[derive(Debug)]
pub struct Error {
    code: ErrorCode,
    problems: Vec<Problem>,
    inner: anyhow::Error,
}

/// The result of every façade function.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with this code whose message is `inner` with its causes.
    pub fn new(code: ErrorCode, inner: impl Into<anyhow::Error>) -> Error {
        Error { code, problems: Vec::new(), inner: inner.into() }
    }

    /// Invalid input described by `message` (without an `error: ` prefix).
    pub fn invalid(message: impl std::fmt::Display) -> Error {
        Error::new(ErrorCode::InvalidInput, anyhow::anyhow!("{message}"))
    }

    /// Something asked for that does not exist.
    pub fn not_found(message: impl std::fmt::Display) -> Error {
        Error::new(ErrorCode::NotFound, anyhow::anyhow!("{message}"))
    }

    /// Work stopped because its caller cancelled it.
    pub fn cancelled(message: impl std::fmt::Display) -> Error {
        Error::new(ErrorCode::Cancelled, anyhow::anyhow!("{message}"))
    }

    /// Invalid input: every problem of a file, with its location.
    pub fn problems(d: sim_core::diagnostic::Diagnostics) -> Error {
        let problems = d.0.iter().map(Problem::from).collect();
        Error { code: ErrorCode::InvalidInput, problems, inner: anyhow::Error::new(d) }
    }

    /// What kind of failure this is.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// For invalid input found in a file: every problem, in file order (empty otherwise).
    pub fn problem_list(&self) -> &[Problem] {
        &self.problems
    }

    /// Adds what was being done when the error happened (kept with the code).
    pub fn context(self, what: impl std::fmt::Display + Send + Sync + 'static) -> Error {
        Error { inner: self.inner.context(what), ..self }
    }

    /// The error as front ends receive it (the Tauri app serialises this).
    pub fn report(&self) -> ErrorReport {
        ErrorReport { code: self.code, message: format!("{:#}", self.inner), problems: self.problems.clone() }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // With its causes, one line: "opening runs.db: run database: disk I/O error".
        write!(f, "{:#}", self.inner)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Error {
        match e {
            LoadError::Io(m) => Error::new(ErrorCode::InvalidInput, anyhow::anyhow!(m)),
            LoadError::Invalid(d) => Error::problems(d),
        }
    }
}

impl From<store::StoreError> for Error {
    fn from(e: store::StoreError) -> Error {
        let code = match e {
            store::StoreError::Missing { .. } => ErrorCode::NotFound,
            _ => ErrorCode::Store,
        };
        Error::new(code, e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::new(ErrorCode::Io, e)
    }
}

/// Errors from inside studio (built with `anyhow` and its `.context`) are classified by what
/// caused them: the typed errors of studio and the crates below it. An error of no known kind is
/// [`ErrorCode::Internal`].
impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        let e = match e.downcast::<Error>() {
            Ok(inner) => return inner,
            Err(e) => e,
        };
        if let Some(d) = e.downcast_ref::<sim_core::diagnostic::Diagnostics>() {
            let problems = d.0.iter().map(Problem::from).collect();
            return Error { code: ErrorCode::InvalidInput, problems, inner: e };
        }
        if let Some(l) = e.downcast_ref::<LoadError>() {
            let problems = match l {
                LoadError::Invalid(d) => d.0.iter().map(Problem::from).collect(),
                LoadError::Io(_) => Vec::new(),
            };
            return Error { code: ErrorCode::InvalidInput, problems, inner: e };
        }
        let code = e
            .chain()
            .find_map(|c| {
                if c.is::<crate::Cancelled>() {
                    Some(ErrorCode::Cancelled)
                } else if c.is::<bridge::broker::Unreachable>() {
                    Some(ErrorCode::BrokerUnreachable)
                } else if c.is::<crate::sensitivity::UnknownKpi>() {
                    Some(ErrorCode::InvalidInput)
                } else if let Some(s) = c.downcast_ref::<store::StoreError>() {
                    Some(match s {
                        store::StoreError::Missing { .. } => ErrorCode::NotFound,
                        _ => ErrorCode::Store,
                    })
                } else if c.is::<std::io::Error>() {
                    Some(ErrorCode::Io)
                } else {
                    None
                }
            })
            .unwrap_or(ErrorCode::Internal);
        Error::new(code, e)
    }
}

/// An error as front ends receive it: its code, its message with causes, and for invalid input
/// every problem with its location.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ErrorReport {
    /// What kind of failure it is.
    pub code: ErrorCode,
    /// For people, with its causes.
    pub message: String,
    /// For invalid input found in a file: every problem.
    pub problems: Vec<Problem>,
}

#[cfg(test)]
mod tests {
    use super::{Error, ErrorCode};
    use anyhow::Context;

    fn code_of(e: anyhow::Error) -> ErrorCode {
        Error::from(e).code()
    }

    #[test]
    fn errors_are_classified_by_their_cause_not_their_text() {
        let missing = store::StoreError::Missing { path: "x.db".into() };
        assert_eq!(code_of(anyhow::Error::new(missing).context("opening x.db")), ErrorCode::NotFound);
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "no");
        assert_eq!(code_of(anyhow::Error::new(io).context("writing out.html")), ErrorCode::Io);
        assert_eq!(code_of(anyhow::Error::new(crate::Cancelled).context("run 3")), ErrorCode::Cancelled);
        assert_eq!(code_of(anyhow::anyhow!("not found at all")), ErrorCode::Internal);
        // A façade error travelling through anyhow keeps its code and problems.
        let inner = Error::not_found("no run 9");
        assert_eq!(code_of(anyhow::Error::new(inner)), ErrorCode::NotFound);
        let r: anyhow::Result<()> = Err(Error::invalid("bad")).context("loading");
        assert_eq!(code_of(r.unwrap_err()), ErrorCode::InvalidInput);
    }

    #[test]
    fn invalid_files_carry_every_problem() {
        let d = sim_core::diagnostic::Diagnostics(vec![sim_core::diagnostic::Diagnostic {
            file: "a.toml".into(),
            line: 3,
            column: 7,
            path: "fleet.x.count".into(),
            message: "must be at least 1".into(),
            from_override: None,
        }]);
        let e = Error::problems(d);
        let r = e.report();
        assert_eq!((r.code, r.problems.len(), r.problems[0].line), (ErrorCode::InvalidInput, 1, 3));
        assert!(r.message.contains("a.toml:3:7: fleet.x.count: must be at least 1"), "{}", r.message);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["code"], "invalid_input");
    }
}
