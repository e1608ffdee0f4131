//! Where and how to connect: the broker URL, TLS material and credentials. Secrets come from
//! files or the environment and are never printed: [`Broker::display`] is scheme, host and port.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rumqttc::{MqttOptions, TlsConfiguration, Transport};

use crate::retry::RetryPolicy;

/// A broker address: `mqtt://HOST:PORT` or `mqtts://HOST:PORT` (TLS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broker {
    pub host: String,
    pub port: u16,
    pub tls: bool,
}

/// The URL with anything between the scheme and an `@` hidden (credentials never printed).
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(i), Some(j)) if j > i => format!("{}***{}", &url[..i + 3], &url[j..]),
        _ => url.to_string(),
    }
}

impl Broker {
    pub fn parse(url: &str) -> Result<Broker> {
        let shown = redact(url);
        let (tls, rest) = if let Some(r) = url.strip_prefix("mqtts://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("mqtt://") {
            (false, r)
        } else {
            bail!("broker `{shown}`: expected mqtt://HOST:PORT or mqtts://HOST:PORT");
        };
        if rest.contains('@') {
            bail!("broker `{shown}`: put credentials in --password-file or SCALEPROOF_MQTT_PASSWORD, not in the URL");
        }
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().with_context(|| format!("broker `{shown}`: bad port `{p}`"))?),
            None => (rest, if tls { 8883 } else { 1883 }),
        };
        if host.is_empty() {
            bail!("broker `{shown}`: no host");
        }
        Ok(Broker { host: host.to_string(), port, tls })
    }

    /// Scheme, host and port: safe to print and store.
    pub fn display(&self) -> String {
        format!("{}://{}:{}", if self.tls { "mqtts" } else { "mqtt" }, self.host, self.port)
    }
}

/// TLS files: the CA that signed the broker's certificate and, for client-certificate
/// authentication, a directory of per-device certificates (`NAME.crt` and `NAME.key`, PEM).
#[derive(Clone, Debug, Default)]
pub struct TlsFiles {
    pub ca: Option<PathBuf>,
    pub cert_dir: Option<PathBuf>,
}

/// Username and password for each client. The password is a secret: it is read from a file
/// (`--password-file`) or `SCALEPROOF_MQTT_PASSWORD`, and only ever handed to the MQTT client.
///
/// The file has one `NAME:PASSWORD` line per client, split at the first `:` (so a password may
/// contain `:`, a name may not), and optionally `*:PASSWORD` for every client without a line of
/// its own; `#` starts a comment line. For compatibility a file whose only line has no `:` is
/// one password for every client. A client with no password in a given file is an error, never
/// a silent anonymous connection.
#[derive(Clone, Default)]
pub struct Credentials {
    per_client: std::collections::HashMap<String, String>,
    shared: Option<String>,
    /// Where the passwords came from (the file, for messages), if a file.
    file: Option<PathBuf>,
    /// `{device}` is replaced by the client's name; default: the name itself.
    pub username_template: Option<String>,
    /// Things the user should know (a password file others can read).
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials({} per client, shared: {}, secrets hidden)",
            self.per_client.len(),
            self.shared.is_some()
        )
    }
}

pub const PASSWORD_ENV: &str = "SCALEPROOF_MQTT_PASSWORD";

impl Credentials {
    /// From `--password-file` (see the type's docs for the format) or else the environment.
    pub fn load(password_file: Option<&Path>, username_template: Option<String>) -> Result<Credentials> {
        let mut c = Credentials { username_template, ..Credentials::default() };
        if let Some(p) = password_file {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
            let lines: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .map(|(i, l)| (i + 1, l.trim()))
                .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
                .collect();
            if let [(_, only)] = lines[..]
                && !only.contains(':')
            {
                c.shared = Some(only.to_string());
            } else {
                for (n, line) in lines {
                    match line.split_once(':') {
                        Some(("*", pw)) if !pw.is_empty() => c.shared = Some(pw.to_string()),
                        Some((name, pw)) if !name.is_empty() && !pw.is_empty() => {
                            c.per_client.insert(name.to_string(), pw.to_string());
                        }
                        _ => bail!(
                            "{}:{n}: expected NAME:PASSWORD or *:PASSWORD (a file of one line without `:` is one password for all)",
                            p.display()
                        ),
                    }
                }
            }
            c.file = Some(p.to_path_buf());
            #[cfg(unix)]
            use std::os::unix::fs::PermissionsExt;
            #[cfg(unix)]
            if let Ok(m) = std::fs::metadata(p)
                && m.permissions().mode() & 0o077 != 0
            {
                c.warnings.push(format!(
                    "{} can be read by other users (mode {:o}): chmod 600 it",
                    p.display(),
                    m.permissions().mode() & 0o777
                ));
            }
        } else if let Ok(pw) = std::env::var(PASSWORD_ENV) {
            c.shared = Some(pw);
        }
        Ok(c)
    }

    /// Whether any password is set.
    pub fn any(&self) -> bool {
        self.shared.is_some() || !self.per_client.is_empty()
    }

    fn for_client(&self, name: &str) -> Result<Option<(String, String)>> {
        let Some(pw) = self.per_client.get(name).or(self.shared.as_ref()) else {
            if let Some(f) = &self.file {
                bail!(
                    "{} has no password for client `{name}`: add a line `{name}:PASSWORD`, or `*:PASSWORD` for every client",
                    f.display()
                );
            }
            return Ok(None);
        };
        let user = match &self.username_template {
            Some(t) => t.replace("{device}", name),
            None => name.to_string(),
        };
        Ok(Some((user, pw.clone())))
    }
}

/// The broker could not be reached, or refused the login, once the retry policy was spent (a
/// typed error, so front ends tell it apart from bad input without reading its text).
#[derive(Debug)]
pub struct Unreachable(pub String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreachable {}

/// Everything needed to connect any number of clients.
#[derive(Clone, Debug)]
pub struct Connect {
    pub broker: Broker,
    pub tls: TlsFiles,
    pub credentials: Credentials,
    /// How long each client keeps trying to (re)connect before the command fails.
    pub retry: RetryPolicy,
    ca_pem: Option<Vec<u8>>,
}

impl Connect {
    pub fn new(broker: Broker, tls: TlsFiles, credentials: Credentials) -> Result<Connect> {
        let ca_pem = match &tls.ca {
            Some(p) => Some(std::fs::read(p).with_context(|| format!("cannot read CA file {}", p.display()))?),
            None if broker.tls => {
                bail!("{} needs --ca FILE (the CA that signed the broker's certificate)", broker.display())
            }
            None => None,
        };
        if !broker.tls && (tls.ca.is_some() || tls.cert_dir.is_some()) {
            bail!("--ca and --cert-dir need an mqtts:// broker");
        }
        install_crypto_provider();
        Ok(Connect { broker, tls, credentials, retry: RetryPolicy::default(), ca_pem })
    }

    /// What the user should be told before connecting: a password sent in the clear over
    /// `mqtt://`, a password file others can read.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = self.credentials.warnings.clone();
        let loopback = matches!(self.broker.host.as_str(), "127.0.0.1" | "localhost" | "::1" | "[::1]");
        if !self.broker.tls && self.credentials.any() && !loopback {
            w.push(format!(
                "passwords go to {} in plain text (mqtt://); use mqtts:// with --ca for anything but a local test broker",
                self.broker.display()
            ));
        }
        w
    }

    /// Options for the client `name` (its client id, credentials and certificate).
    pub fn options(&self, client_id: &str, name: &str) -> Result<MqttOptions> {
        let mut o = MqttOptions::new(client_id, self.broker.host.clone(), self.broker.port);
        o.set_keep_alive(Duration::from_secs(60));
        o.set_max_packet_size(256 * 1024, 256 * 1024);
        if let Some((u, p)) = self.credentials.for_client(name)? {
            o.set_credentials(u, p);
        }
        if let Some(ca) = &self.ca_pem {
            let client_auth = match &self.tls.cert_dir {
                Some(dir) => {
                    let read = |ext: &str| {
                        let p = dir.join(format!("{name}.{ext}"));
                        std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))
                    };
                    Some((read("crt")?, read("key")?))
                }
                None => None,
            };
            o.set_transport(Transport::tls_with_config(TlsConfiguration::Simple {
                ca: ca.clone(),
                alpn: None,
                client_auth,
            }));
        }
        Ok(o)
    }
}

/// rustls needs one process-wide crypto provider; ring is the one built in.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_never_carry_credentials() {
        assert_eq!(
            Broker::parse("mqtt://127.0.0.1:1884").unwrap(),
            Broker { host: "127.0.0.1".into(), port: 1884, tls: false }
        );
        assert_eq!(Broker::parse("mqtts://broker.example").unwrap().port, 8883);
        let e = Broker::parse("mqtt://user:pw@host:1883").unwrap_err().to_string();
        assert!(e.contains("password-file") && !e.contains("pw@") && e.contains("mqtt://***@host:1883"), "{e}");
        assert!(Broker::parse("http://host").is_err());
        assert_eq!(Broker::parse("mqtts://h:1").unwrap().display(), "mqtts://h:1");
    }

    #[test]
    fn credentials_come_per_client_or_shared_and_debug_hides_them() {
        let dir = std::env::temp_dir().join(format!("sp-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("pw");
        std::fs::write(&f, "# devices\nsensor-1:s3cret\nsensor-2:other\n").unwrap();
        let c = Credentials::load(Some(&f), Some("fleet/{device}".into())).unwrap();
        assert_eq!(c.for_client("sensor-1").unwrap(), Some(("fleet/sensor-1".into(), "s3cret".into())));
        // A client the file does not name is an error, never an anonymous connection.
        let e = c.for_client("sensor-3").unwrap_err().to_string();
        assert!(e.contains("no password for client `sensor-3`"), "{e}");
        assert!(!format!("{c:?}").contains("s3cret"));
        std::fs::write(&f, "onepassword\n").unwrap();
        let c = Credentials::load(Some(&f), None).unwrap();
        assert_eq!(c.for_client("x").unwrap(), Some(("x".into(), "onepassword".into())));
        // A shared password with `:` is written `*:PASSWORD`; the split is at the first `:`.
        std::fs::write(&f, "*:pa:ss:word\nsensor-1:a:b\n").unwrap();
        let c = Credentials::load(Some(&f), None).unwrap();
        assert_eq!(c.for_client("anyone").unwrap(), Some(("anyone".into(), "pa:ss:word".into())));
        assert_eq!(c.for_client("sensor-1").unwrap(), Some(("sensor-1".into(), "a:b".into())));
        // Found by probing: `pa:ss` alone used to be read as client `pa`, and the recorder
        // connected without a password, was refused, said nothing and exited 0.
        std::fs::write(&f, "pa:ss\n").unwrap();
        let c = Credentials::load(Some(&f), None).unwrap();
        assert!(c.for_client("scaleproof-rec-pilot").unwrap_err().to_string().contains("*:PASSWORD"));
        std::fs::write(&f, ":nobody\n").unwrap();
        assert!(Credentials::load(Some(&f), None).unwrap_err().to_string().contains(":1: expected NAME:PASSWORD"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn passwords_in_the_clear_and_readable_password_files_are_warned_about() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("sp-cred-warn-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("pw");
        std::fs::write(&f, "*:s3cret\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let c = Credentials::load(Some(&f), None).unwrap();
        let connect =
            Connect::new(Broker::parse("mqtt://broker.example:1883").unwrap(), TlsFiles::default(), c).unwrap();
        let w = connect.warnings();
        assert!(w.iter().any(|w| w.contains("mode 644")), "{w:?}");
        assert!(w.iter().any(|w| w.contains("plain text")), "{w:?}");
        assert!(w.iter().all(|w| !w.contains("s3cret")));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = Credentials::load(Some(&f), None).unwrap();
        assert!(c.warnings.is_empty());
        // A loopback broker (the walkthrough's) is not warned about.
        let local = Connect::new(Broker::parse("mqtt://127.0.0.1:1883").unwrap(), TlsFiles::default(), c).unwrap();
        assert!(local.warnings().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
