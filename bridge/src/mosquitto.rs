//! A private mosquitto broker for tests, benchmarks and demos: started on a loopback port in a
//! private directory (mode 0700, an unpredictable name), with persistence (a restart keeps
//! sessions and queued messages), no limit on queued messages and 1,000
//! in flight per client; restarted on demand, stopped when dropped (and `pilot broker`'s when
//! its parent dies, with SIGTERM, so it saves its state). It runs as the user that starts it (as root too: it
//! is told not to drop to the `mosquitto` user, so its directory need not be world-writable).
//! `scripts/setup.sh` installs mosquitto.
//!
//! [`Mosquitto::start_kept`] is `scaleproof pilot broker`: a stable per-user state directory
//! (kept across restarts, autosaved every [`AUTOSAVE_S`] seconds) and, unless told otherwise, a
//! password for every client.

use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Mosquitto {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
    /// Removed when dropped (a test's broker), or kept (`pilot broker`'s state).
    keep_dir: bool,
}

/// A random 64-bit number from the OS (through std's hash keys; no extra crate).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.finish()
}

/// A new private directory under `parent`: mode 0700, an unpredictable name starting `sp-NAME-`,
/// created by this call (never an existing one another user could have prepared).
pub fn private_dir(parent: &Path, name: &str) -> std::io::Result<PathBuf> {
    loop {
        let dir = parent.join(format!("sp-{name}-{:016x}", random_u64()));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A fresh private directory under the system's temporary directory (for tests).
pub fn temp_dir(name: &str) -> PathBuf {
    private_dir(&std::env::temp_dir(), name).expect("a private directory in the temporary directory")
}

/// `scaleproof pilot broker`'s state: `$XDG_STATE_HOME/scaleproof/broker-PORT`, else
/// `~/.local/state/scaleproof/broker-PORT`.
pub fn state_dir(port: u16) -> Result<PathBuf, String> {
    let base = match (std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME")) {
        (Some(x), _) if !x.is_empty() => PathBuf::from(x),
        (_, Some(h)) if !h.is_empty() => PathBuf::from(h).join(".local/state"),
        _ => return Err("neither XDG_STATE_HOME nor HOME is set: nowhere to keep the broker's state".into()),
    };
    Ok(base.join("scaleproof").join(format!("broker-{port}")))
}

/// The user name every client of a [`Mosquitto::start_kept`] broker logs in with.
pub const KEPT_BROKER_USER: &str = "scaleproof";

impl Mosquitto {
    /// A broker with `extra` appended to its listener's configuration (e.g. TLS settings).
    /// The port is one the OS had free a moment before; if another process takes it first, the
    /// broker starts again on another (up to five tries).
    pub fn start(name: &str, extra: &str) -> Mosquitto {
        let mut why = String::new();
        for _ in 0..5 {
            let port =
                TcpListener::bind("127.0.0.1:0").expect("a free loopback port").local_addr().expect("bound").port();
            match Mosquitto::try_start_on(name, port, extra) {
                Ok(m) => return m,
                Err(e) if e.contains("Address already in use") => why = e,
                Err(e) => panic!("{e}"),
            }
        }
        panic!("no free port for mosquitto after five tries: {why}")
    }

    /// A broker on `port` (loopback only); panics if it cannot start (for tests).
    pub fn start_on(name: &str, port: u16, extra: &str) -> Mosquitto {
        Mosquitto::try_start_on(name, port, extra).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A broker on `port` (loopback only), or why it could not start.
    pub fn try_start_on(name: &str, port: u16, extra: &str) -> Result<Mosquitto, String> {
        let dir = private_dir(&std::env::temp_dir(), name).map_err(|e| format!("cannot create a directory: {e}"))?;
        write_config(&dir, port, extra, false)?;
        let mut m = Mosquitto { port, dir, child: None, keep_dir: false };
        m.launch()?;
        Ok(m)
    }

    /// `scaleproof pilot broker`: a broker on `port` whose state (sessions, queued messages)
    /// lives in [`state_dir`] and survives its restarts. Clients log in as [`KEPT_BROKER_USER`]
    /// with the password in `DIR/client.pw` (made on first start, mode 0600), unless `anonymous`.
    pub fn start_kept(port: u16, anonymous: bool) -> Result<Mosquitto, String> {
        Mosquitto::start_kept_in(state_dir(port)?, port, anonymous)
    }

    /// [`Mosquitto::start_kept`] with its state in `dir`.
    pub fn start_kept_in(dir: PathBuf, port: u16, anonymous: bool) -> Result<Mosquitto, String> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        // An existing directory is made private again (it holds a password).
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot make {} private: {e}", dir.display()))?;
        let extra = if anonymous {
            "allow_anonymous true".to_string()
        } else {
            let client_pw = dir.join("client.pw");
            let passwd = dir.join("passwd");
            if !client_pw.exists() || !passwd.exists() {
                let secret = format!("{:016x}{:016x}", random_u64(), random_u64());
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .open(&client_pw)
                    .and_then(|mut f| std::io::Write::write_all(&mut f, format!("*:{secret}\n").as_bytes()))
                    .map_err(|e| format!("cannot write {}: {e}", client_pw.display()))?;
                let status = Command::new("mosquitto_passwd")
                    .arg("-c")
                    .arg("-b")
                    .arg(&passwd)
                    .arg(KEPT_BROKER_USER)
                    .arg(&secret)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .map_err(|e| format!("cannot run mosquitto_passwd (run `bash scripts/setup.sh`): {e}"))?;
                if !status.success() {
                    return Err(format!("mosquitto_passwd failed ({status})"));
                }
                let _ = std::fs::set_permissions(&passwd, std::fs::Permissions::from_mode(0o600));
            }
            format!("allow_anonymous false\npassword_file {}", passwd.display())
        };
        write_config(&dir, port, &extra, true)?;
        let mut m = Mosquitto { port, dir, child: None, keep_dir: true };
        m.launch()?;
        Ok(m)
    }

    fn launch(&mut self) -> Result<(), String> {
        let bin = mosquitto_bin().ok_or("mosquitto not found: run `bash scripts/setup.sh`")?;
        let mut cmd = Command::new(bin);
        cmd.arg("-c").arg(self.dir.join("mosquitto.conf")).stdout(Stdio::null()).stderr(Stdio::null());
        if self.keep_dir {
            // SAFETY: prctl is async-signal-safe; it only sets a flag of the child being started.
            // The broker gets SIGTERM (and saves its state) when its parent dies, however it dies.
            // Linux means the parent *thread*: only `pilot broker`, which starts it from the
            // main thread and then waits for it, asks for this (a test restarting its broker
            // from another thread would see it stopped as that thread ends).
            #[cfg(target_os = "linux")]
            unsafe {
                cmd.pre_exec(|| {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        // Ready when *this* process says it runs (its log gains a `running` line) and the port
        // answers: a port that answers alone may be another process's that took it first.
        let running = |log: &str| log.lines().filter(|l| l.ends_with(" running")).count();
        let before = running(&self.log());
        let mut child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let t0 = Instant::now();
        while running(&self.log()) <= before || TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("mosquitto exited ({status}) on port {}: {}", self.port, self.log()));
            }
            if t0.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                return Err(format!("mosquitto did not listen on {} within 10 s: {}", self.port, self.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
        Ok(())
    }

    /// Waits until the broker process exits (for a broker run in the foreground).
    pub fn wait(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.wait();
        }
    }

    /// Stops the broker as an operator would (SIGTERM: it saves its state) and starts it again.
    pub fn restart(&mut self) {
        self.stop();
        self.launch().unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: kill with the pid of a child we have not yet waited for.
            unsafe { libc::kill(c.id() as libc::pid_t, libc::SIGTERM) };
            let _ = c.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("mosquitto.log")).unwrap_or_default()
    }

    /// Whether the log shows `client` subscribed: from then on the broker routes what is
    /// published to it. Test brokers log every subscription (`log_type subscribe`: a line of
    /// time, client, QoS and topic).
    pub fn is_subscribed(&self, client: &str) -> bool {
        self.log().lines().any(|l| {
            let fields: Vec<&str> = l.split(' ').collect();
            fields.len() == 4 && fields[1] == client
        })
    }

    /// Waits until `client` has subscribed (see [`Mosquitto::is_subscribed`]), so a test
    /// publishes only once a recorder hears it; panics after 30 s with the broker's log.
    pub async fn subscribed(&self, client: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !self.is_subscribed(client) {
            assert!(std::time::Instant::now() < deadline, "{client} did not subscribe within 30 s:\n{}", self.log());
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// [`Mosquitto::subscribed`] for a test without a runtime.
    pub fn wait_subscribed(&self, client: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !self.is_subscribed(client) {
            assert!(std::time::Instant::now() < deadline, "{client} did not subscribe within 30 s:\n{}", self.log());
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if self.keep_dir {
            // Saves its state for the next start.
            self.stop();
        } else if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Seconds between saves of a kept broker's state. mosquitto writes its whole state each time
/// and serves no one meanwhile: every second stalled a recording of 400,000 queued messages
/// (the state was 190 MB); every 5 s bounds what a crash loses without that.
pub const AUTOSAVE_S: u32 = 5;

/// The configuration: persistence (autosaved every [`AUTOSAVE_S`] when `autosave`; else saved
/// on a clean stop), no queue limit, 1,000 in flight per client, loopback only, running as the
/// starting user.
fn write_config(dir: &Path, port: u16, extra: &str, autosave: bool) -> Result<(), String> {
    // mosquitto's default autosave_interval is 1800 s.
    let autosave = if autosave { AUTOSAVE_S } else { 1800 };
    let mut conf = format!(
        "per_listener_settings false\npersistence true\npersistence_location {}/\nautosave_interval {autosave}\n\
         max_queued_messages 0\nmax_inflight_messages 1000\nmax_connections -1\n\
         log_dest file {}/mosquitto.log\nlistener {port} 127.0.0.1\n{extra}\n",
        dir.display(),
        dir.display()
    );
    if !extra.contains("allow_anonymous") {
        conf += "allow_anonymous true\n";
    }
    // mosquitto's default log types, and every subscription (one line per recorder that
    // connects), so a caller can wait for a recorder to subscribe (`Mosquitto::subscribed`)
    // instead of sleeping.
    conf += "log_type error\nlog_type warning\nlog_type notice\nlog_type information\nlog_type subscribe\n";
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Do not drop to the `mosquitto` user: it could not write to a 0700 directory of root's.
        conf += "user root\n";
    }
    std::fs::write(dir.join("mosquitto.conf"), conf).map_err(|e| format!("cannot write {}: {e}", dir.display()))
}

pub fn mosquitto_bin() -> Option<&'static Path> {
    ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
}
