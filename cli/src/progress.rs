//! A progress bar on stderr, drawn only when stderr is a terminal.

use std::io::Write;
use std::sync::Mutex;

pub struct Bar {
    enabled: bool,
    last: Mutex<u32>,
}

impl Bar {
    pub fn new(enabled: bool) -> Bar {
        Bar { enabled, last: Mutex::new(u32::MAX) }
    }

    pub fn set(&self, fraction: f64) {
        if !self.enabled {
            return;
        }
        let permille = (fraction.clamp(0.0, 1.0) * 1000.0) as u32;
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if *last == permille {
            return;
        }
        *last = permille;
        let width = 40;
        let filled = (permille as usize * width) / 1000;
        let _ = write!(
            std::io::stderr(),
            "\r[{}{}] {:5.1} %",
            "#".repeat(filled),
            "-".repeat(width - filled),
            permille as f64 / 10.0
        );
    }

    pub fn finish(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr(), "\r{}\r", " ".repeat(60));
        }
    }
}
