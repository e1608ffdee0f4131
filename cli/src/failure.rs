//! Why a command failed and the exit code it gives: the façade's error code decides (0 success,
//! 2 the user's input, 130 cancelled, 1 anything else); a closed stdout is a quiet 0.

use studio::ErrorCode;

/// Why a command failed: the façade's error (its code gives the exit code), or standard output
/// that could not be written (a reader that went away is a quiet exit 0, as in ripgrep).
#[derive(Debug)]
pub(crate) enum Failure {
    Studio(studio::Error),
    Stdout(std::io::Error),
}

impl From<studio::Error> for Failure {
    fn from(e: studio::Error) -> Failure {
        Failure::Studio(e)
    }
}

/// The errors of the binary's own work (writing a file, with context) are classified by the
/// façade like its own.
impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Studio(e.into())
    }
}

/// A bare `io::Error` in this binary comes from writing to stdout (files are written with
/// context, which makes them `anyhow` errors).
impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Stdout(e)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Failure {
        Failure::Studio(studio::Error::new(ErrorCode::Internal, e))
    }
}

pub(crate) type Result<T, E = Failure> = std::result::Result<T, E>;

/// Invalid input with the message `msg` (given without the `error: ` prefix, which is added
/// once).
pub(crate) fn invalid(msg: impl std::fmt::Display) -> studio::Error {
    studio::Error::invalid(without_error_prefix(&msg.to_string()))
}

/// The exit code of a failure: 2 for the user's input (also what they asked for that does not
/// exist), 130 for work cancelled (Ctrl-C, as shells report SIGINT), 1 for anything else.
pub(crate) fn exit_code(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::InvalidInput | ErrorCode::NotFound => 2,
        ErrorCode::Cancelled => EXIT_CANCELLED,
        ErrorCode::Store | ErrorCode::BrokerUnreachable | ErrorCode::Io | ErrorCode::Internal => 1,
    }
}

/// The exit code of work stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub(crate) const EXIT_CANCELLED: u8 = 130;

/// A message that already starts with `error: ` (diagnostics, wrapped errors) is printed with
/// the prefix once, not "error: error:".
pub(crate) fn without_error_prefix(msg: &str) -> &str {
    let mut m = msg;
    while let Some(rest) = m.strip_prefix("error: ") {
        m = rest;
    }
    m
}
