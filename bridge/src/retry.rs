//! Connecting and reconnecting: which failures are worth another attempt, how many attempts a
//! client makes before it gives up, and the words a user reads when a broker cannot be reached.
//!
//! A refused login (CONNACK return codes 1, 2, 4 and 5) and a failed TLS verification (unknown
//! CA, hostname mismatch, expired certificate) are permanent: retrying cannot fix them, so the
//! client gives up at once with the reason. Anything else (connection refused, unknown host,
//! timeout, broker restarting) is retried with a doubling delay, up to
//! [`RetryPolicy::attempts`] consecutive failures. A successful connection resets the count, so
//! a broker restart in the middle of a recording is ridden out.

use std::time::Duration;

use rumqttc::{ConnectReturnCode, ConnectionError};

/// How long a client keeps trying to (re)connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Consecutive failed attempts (the first included) before giving up; at least 1.
    pub attempts: u32,
    /// The delay after the first failure; it doubles after each, up to `max_delay`.
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts over about 28 s (0.25, 0.5, 1, 2, 4, then 5 s apart): long enough for a
    /// broker restart, short enough that a typo in a host name is an error within a minute.
    fn default() -> RetryPolicy {
        RetryPolicy { attempts: 10, first_delay: Duration::from_millis(250), max_delay: Duration::from_secs(5) }
    }
}

impl RetryPolicy {
    /// The delay before attempt `k + 1` after `k` consecutive failures (k >= 1).
    pub fn delay(&self, k: u32) -> Duration {
        let doubled = self.first_delay.saturating_mul(1u32 << (k.saturating_sub(1)).min(20));
        doubled.min(self.max_delay)
    }

    /// The longest a client waits before giving up: the sum of the delays.
    pub fn patience(&self) -> Duration {
        (1..self.attempts.max(1)).map(|k| self.delay(k)).sum()
    }
}

/// Why a connection failed, in words, and whether another attempt could help.
pub fn describe(e: &ConnectionError) -> (String, bool) {
    use ConnectReturnCode as C;
    match e {
        ConnectionError::ConnectionRefused(code) => {
            let (why, permanent) = match code {
                C::RefusedProtocolVersion => ("unacceptable protocol version", true),
                C::BadClientId => ("client identifier rejected", true),
                C::ServiceUnavailable => ("server unavailable", false),
                C::BadUserNamePassword => ("bad user name or password", true),
                C::NotAuthorized => ("not authorized", true),
                C::Success => ("success (unexpected refusal)", false),
            };
            (format!("the broker refused the connection: {why} (CONNACK return code {})", *code as u8), permanent)
        }
        ConnectionError::Tls(t) => (format!("TLS: {}", tls_reason(t)), true),
        ConnectionError::Io(io) if rustls_error(io).is_some() => {
            (format!("TLS: {}", rustls_error(io).expect("checked")), true)
        }
        other => (other.to_string(), false),
    }
}

fn rustls_error(io: &std::io::Error) -> Option<&rustls::Error> {
    io.get_ref()?.downcast_ref::<rustls::Error>()
}

fn tls_reason(t: &rumqttc::TlsError) -> String {
    match t {
        rumqttc::TlsError::Io(io) => match rustls_error(io) {
            Some(r) => r.to_string(),
            None => io.to_string(),
        },
        other => other.to_string(),
    }
}

/// One client's consecutive failures under a policy.
#[derive(Clone, Debug)]
pub struct Attempts {
    policy: RetryPolicy,
    failures: u32,
}

impl Attempts {
    pub fn new(policy: RetryPolicy) -> Attempts {
        Attempts { policy, failures: 0 }
    }

    /// The broker accepted the connection: the count starts again.
    pub fn connected(&mut self) {
        self.failures = 0;
    }

    /// After a failure: how long to wait before the next attempt, or why to give up.
    pub fn failed(&mut self, e: &ConnectionError) -> Result<Duration, String> {
        self.failures += 1;
        let (why, permanent) = describe(e);
        if permanent {
            return Err(why);
        }
        if self.failures >= self.policy.attempts.max(1) {
            return Err(format!(
                "{why} ({} attempts over {:.0} s; --connect-attempts sets how many)",
                self.failures,
                self.policy.patience().as_secs_f64()
            ));
        }
        Ok(self.policy.delay(self.failures))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_failures_are_retried_with_a_doubling_delay_then_given_up() {
        let p =
            RetryPolicy { attempts: 4, first_delay: Duration::from_millis(100), max_delay: Duration::from_millis(300) };
        let mut a = Attempts::new(p);
        let io = || ConnectionError::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(a.failed(&io()), Ok(Duration::from_millis(100)));
        assert_eq!(a.failed(&io()), Ok(Duration::from_millis(200)));
        assert_eq!(a.failed(&io()), Ok(Duration::from_millis(300)));
        let why = a.failed(&io()).unwrap_err();
        assert!(why.contains("refused") && why.contains("4 attempts"), "{why}");
        // A connection in between starts the count again.
        let mut a = Attempts::new(p);
        for _ in 0..10 {
            assert!(a.failed(&io()).is_ok());
            a.connected();
        }
        assert_eq!(RetryPolicy::default().patience(), Duration::from_millis(250 + 500 + 1000 + 2000 + 4000 + 4 * 5000));
    }

    #[test]
    fn a_refused_login_is_permanent_and_says_why() {
        let mut a = Attempts::new(RetryPolicy::default());
        let why = a.failed(&ConnectionError::ConnectionRefused(ConnectReturnCode::NotAuthorized)).unwrap_err();
        assert_eq!(why, "the broker refused the connection: not authorized (CONNACK return code 5)");
        assert!(a.failed(&ConnectionError::ConnectionRefused(ConnectReturnCode::ServiceUnavailable)).is_ok());
    }
}
