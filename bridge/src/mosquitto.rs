//! A private mosquitto broker for tests, benchmarks and demos: started on a free loopback port in
//! a temporary directory (with persistence, so a restart keeps sessions and queued messages, no
//! limit on queued messages, 1,000 in flight per client), restarted on demand, killed when
//! dropped. `scripts/setup.sh` installs mosquitto.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Mosquitto {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
}

/// A fresh directory under the system's temporary directory that mosquitto can write to.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // mosquitto started as root drops to its own user: it must be able to write its
    // persistence file and log here.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

impl Mosquitto {
    /// A broker with `extra` appended to its listener's configuration (e.g. TLS settings).
    pub fn start(name: &str, extra: &str) -> Mosquitto {
        let port = TcpListener::bind("127.0.0.1:0").expect("a free loopback port").local_addr().expect("bound").port();
        Mosquitto::start_on(name, port, extra)
    }

    /// A broker on `port` (loopback only); panics if it cannot start (for tests).
    pub fn start_on(name: &str, port: u16, extra: &str) -> Mosquitto {
        Mosquitto::try_start_on(name, port, extra).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A broker on `port` (loopback only), or why it could not start.
    pub fn try_start_on(name: &str, port: u16, extra: &str) -> Result<Mosquitto, String> {
        let dir = temp_dir(name);
        let conf = format!(
            "per_listener_settings false\npersistence true\npersistence_location {}/\n\
             max_queued_messages 0\nmax_inflight_messages 1000\nmax_connections -1\n\
             log_dest file {}/mosquitto.log\nlistener {port} 127.0.0.1\n{extra}\n",
            dir.display(),
            dir.display()
        );
        let conf = if extra.contains("allow_anonymous") { conf } else { conf + "allow_anonymous true\n" };
        std::fs::write(dir.join("mosquitto.conf"), conf).unwrap();
        let mut m = Mosquitto { port, dir, child: None };
        m.launch()?;
        Ok(m)
    }

    fn launch(&mut self) -> Result<(), String> {
        let bin = mosquitto_bin().ok_or("mosquitto not found: run `bash scripts/setup.sh`")?;
        let mut child = Command::new(bin)
            .arg("-c")
            .arg(self.dir.join("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let t0 = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
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
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("mosquitto.log")).unwrap_or_default()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn mosquitto_bin() -> Option<&'static Path> {
    ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
}
