//! The mapping file: how to read a pilot's own messages. Which topics to subscribe to, where the
//! device id is (a topic level or a JSON pointer), and JSON pointers to the sequence number, the
//! reading's timestamp, optionally the time the pilot's backend received it, the battery level
//! and any other fields to keep. A message that does not fit is *malformed*: counted, sampled,
//! never fatal.
//!
//! ```toml
//! topics = ["pilot/+/+/up"]
//! device = { topic_level = 2 }              # or { pointer = "/dev_eui" }
//! seq = "/fcnt"
//! timestamp = { pointer = "/time", unit = "ms" }   # ms | s | us | rfc3339
//! received = { pointer = "/received_at", unit = "ms" }  # optional; else the recorder's clock
//! battery_pct = "/batt/pct"                 # optional
//! fields = { rms_mm_s = "/rms" }            # optional
//! max_payload_bytes = 262144                # optional; larger payloads are malformed
//! ```
//!
//! RFC 3339 times are read with the `time` crate (offsets, fractions, leap years; 31 February
//! and non-ASCII bytes are malformed, not a panic).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::Value;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PilotMap {
    pub topics: Vec<String>,
    pub device: DeviceId,
    pub seq: String,
    pub timestamp: TimeField,
    #[serde(default)]
    pub received: Option<TimeField>,
    #[serde(default)]
    pub battery_pct: Option<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Payloads larger than this are malformed (counted, a sample kept), never a dropped
    /// connection. Default [`DEFAULT_MAX_PAYLOAD_BYTES`].
    #[serde(default = "default_max_payload")]
    pub max_payload_bytes: usize,
}

/// 256 KiB: far above any sensor reading, small enough that a broker's in-flight window of
/// them fits in memory.
pub const DEFAULT_MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// The most an MQTT packet can carry (the protocol's remaining-length limit): the recorder's
/// client accepts anything up to this, so an oversized payload is read and judged by
/// [`PilotMap::max_payload_bytes`] instead of ending the connection (which the broker would
/// answer by redelivering the same message for ever).
pub const MQTT_MAX_PACKET_BYTES: usize = 268_435_455;

fn default_max_payload() -> usize {
    DEFAULT_MAX_PAYLOAD_BYTES
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceId {
    #[serde(default)]
    pub topic_level: Option<usize>,
    #[serde(default)]
    pub pointer: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeField {
    pub pointer: String,
    pub unit: TimeUnit,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    S,
    Ms,
    Us,
    Rfc3339,
}

/// One message read through the map (times in µs since the Unix epoch).
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub device: String,
    pub seq: u64,
    pub ts_us: i64,
    /// None: the map has no `received` field (the recorder's clock is used).
    pub rx_us: Option<i64>,
    pub battery_pct: Option<f64>,
    pub fields_json: Option<String>,
}

impl PilotMap {
    /// Reads a mapping file's text; errors name the file, line and field.
    pub fn parse(file: &str, text: &str) -> Result<PilotMap> {
        let map: PilotMap = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].lines().count().max(1)).unwrap_or(1);
            anyhow::anyhow!("{file}:{line}: {}", e.message())
        })?;
        let at = |field: &str| {
            let line = text.lines().position(|l| l.trim_start().starts_with(field)).map_or(1, |i| i + 1);
            format!("{file}:{line}: {field}")
        };
        if map.max_payload_bytes == 0 || map.max_payload_bytes > MQTT_MAX_PACKET_BYTES {
            anyhow::bail!(
                "{}: must be between 1 and {MQTT_MAX_PACKET_BYTES} (the MQTT limit)",
                at("max_payload_bytes")
            );
        }
        if map.topics.is_empty() {
            anyhow::bail!("{}: list at least one topic filter", at("topics"));
        }
        match (&map.device.topic_level, &map.device.pointer) {
            (Some(_), None) | (None, Some(_)) => {}
            _ => anyhow::bail!("{}: give exactly one of topic_level or pointer", at("device")),
        }
        for (name, p) in [
            ("seq", Some(&map.seq)),
            ("timestamp", Some(&map.timestamp.pointer)),
            ("battery_pct", map.battery_pct.as_ref()),
        ]
        .into_iter()
        .chain(map.fields.iter().map(|(k, v)| (k.as_str(), Some(v))))
        {
            if let Some(p) = p
                && !p.starts_with('/')
            {
                anyhow::bail!("{}: `{p}` is not a JSON pointer (it starts with /)", at(name));
            }
        }
        Ok(map)
    }

    pub fn read(path: &std::path::Path) -> Result<(PilotMap, String)> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let col = at - bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
            anyhow::anyhow!("{}:{line}:{col}: not UTF-8 text (byte 0x{:02x})", path.display(), bytes[at])
        })?;
        Ok((PilotMap::parse(&path.display().to_string(), &text)?, text))
    }

    /// Reads one message, or says why it cannot.
    pub fn extract(&self, topic: &str, payload: &[u8]) -> std::result::Result<Reading, String> {
        if payload.len() > self.max_payload_bytes {
            return Err(format!(
                "payload of {} bytes is over max_payload_bytes ({})",
                payload.len(),
                self.max_payload_bytes
            ));
        }
        let v: Value = serde_json::from_slice(payload).map_err(|e| format!("not JSON: {e}"))?;
        let device = match (&self.device.topic_level, &self.device.pointer) {
            (Some(level), _) => topic
                .split('/')
                .nth(*level)
                .filter(|s| !s.is_empty())
                .ok_or(format!("topic has no level {level}"))?
                .to_string(),
            (None, Some(p)) => match v.pointer(p) {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(format!("no device id at {p}")),
            },
            (None, None) => unreachable!("checked by parse"),
        };
        let seq = v
            .pointer(&self.seq)
            .and_then(|x| x.as_u64().or_else(|| x.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u64)))
            .ok_or(format!("no unsigned sequence number at {}", self.seq))?;
        let ts_us = time_at(&v, &self.timestamp)?;
        let rx_us = match &self.received {
            Some(f) => Some(time_at(&v, f)?),
            None => None,
        };
        let battery_pct = match &self.battery_pct {
            Some(p) => match v.pointer(p) {
                None | Some(Value::Null) => None,
                Some(x) => Some(x.as_f64().filter(|b| b.is_finite()).ok_or(format!("battery at {p} is not a number"))?),
            },
            None => None,
        };
        let fields_json = if self.fields.is_empty() {
            None
        } else {
            let m: serde_json::Map<String, Value> =
                self.fields.iter().filter_map(|(k, p)| v.pointer(p).map(|x| (k.clone(), x.clone()))).collect();
            Some(Value::Object(m).to_string())
        };
        Ok(Reading { device, seq, ts_us, rx_us, battery_pct, fields_json })
    }
}

fn time_at(v: &Value, f: &TimeField) -> std::result::Result<i64, String> {
    let x = v.pointer(&f.pointer).ok_or(format!("no timestamp at {}", f.pointer))?;
    let us = match f.unit {
        TimeUnit::Rfc3339 => {
            let s = x.as_str().ok_or(format!("timestamp at {} is not a string", f.pointer))?;
            parse_rfc3339_us(s).ok_or(format!("timestamp `{s}` at {} is not RFC 3339", f.pointer))?
        }
        unit => {
            let n = x
                .as_f64()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or(format!("timestamp at {} is not a number", f.pointer))?;
            let scale = match unit {
                TimeUnit::S => 1e6,
                TimeUnit::Ms => 1e3,
                _ => 1.0,
            };
            (n * scale).round() as i64
        }
    };
    Ok(us)
}

/// An RFC 3339 date-time (`2026-01-01T00:03:00.5+01:00`) to µs since the Unix epoch; None for
/// anything else, 31 February and non-ASCII bytes included. The `time` crate does the parsing:
/// a hand-written parser here once panicked on a multi-byte character.
pub fn parse_rfc3339_us(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = r#"topics = ["pilot/+/+/up"]
device = { topic_level = 2 }
seq = "/fcnt"
timestamp = { pointer = "/time", unit = "rfc3339" }
received = { pointer = "/rx", unit = "ms" }
battery_pct = "/batt/pct"
fields = { rms = "/rms" }
"#;

    #[test]
    fn a_pilot_payload_is_read_through_the_map() {
        let m = PilotMap::parse("map.toml", MAP).unwrap();
        let r = m
            .extract("pilot/s1/emu-7/up", br#"{"fcnt": 12, "time": "2026-01-01T00:00:01.5Z", "rx": 1767225602000, "batt": {"pct": 97.5}, "rms": 0.3}"#)
            .unwrap();
        assert_eq!(r.device, "emu-7");
        assert_eq!(r.seq, 12);
        assert_eq!(r.ts_us, 1_767_225_601_500_000);
        assert_eq!(r.rx_us, Some(1_767_225_602_000_000));
        assert_eq!(r.battery_pct, Some(97.5));
        assert_eq!(r.fields_json.as_deref(), Some(r#"{"rms":0.3}"#));
    }

    #[test]
    fn malformed_messages_say_why() {
        let m = PilotMap::parse("map.toml", MAP).unwrap();
        let why = |p: &[u8]| m.extract("pilot/s1/emu-7/up", p).unwrap_err();
        assert!(why(b"{not json").starts_with("not JSON"));
        assert!(why(br#"{"time": "2026-01-01T00:00:00Z"}"#).contains("/fcnt"));
        assert!(why(br#"{"fcnt": -1, "time": "2026-01-01T00:00:00Z"}"#).contains("/fcnt"));
        assert!(why(br#"{"fcnt": 1, "time": "yesterday", "rx": 1}"#).contains("RFC 3339"));
        assert!(
            why(br#"{"fcnt": 1, "time": "2026-01-01T00:00:00Z", "rx": 1, "batt": {"pct": "full"}}"#)
                .contains("battery")
        );
        assert!(
            m.extract("pilot", br#"{"fcnt": 1, "time": "2026-01-01T00:00:00Z", "rx": 1}"#)
                .unwrap_err()
                .contains("level 2")
        );
    }

    #[test]
    fn rfc3339_offsets_and_fractions() {
        assert_eq!(parse_rfc3339_us("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_us("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339_us("2000-03-01T00:00:00.000001Z"), Some(951_868_800_000_001));
        assert_eq!(parse_rfc3339_us("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339_us("2026-02-31T00:00:00Z"), None);
        assert_eq!(parse_rfc3339_us("2024-02-29T00:00:00Z"), Some(1_709_164_800_000_000));
    }

    #[test]
    fn a_multibyte_character_in_a_time_is_malformed_not_a_panic() {
        // Found by probing the recorder: this payload panicked (byte index not on a char
        // boundary), the message was never acknowledged, and every restart died on it again.
        let m = PilotMap::parse("map.toml", MAP).unwrap();
        let why = m
            .extract("pilot/s1/emu-7/up", r#"{"fcnt":3,"time":"2026-01-01T00:03:00+0é00","rx":1}"#.as_bytes())
            .unwrap_err();
        assert!(why.contains("RFC 3339"), "{why}");
        for s in
            ["2026-01-01T00:03:00+0é00", "2026-01-01T00:03:00.é", "é026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:0é"]
        {
            assert_eq!(parse_rfc3339_us(s), None, "{s}");
        }
    }

    #[test]
    fn an_oversized_payload_is_malformed() {
        let m = PilotMap::parse("map.toml", &format!("{MAP}max_payload_bytes = 64\n")).unwrap();
        let big = format!(r#"{{"fcnt": 1, "time": "2026-01-01T00:00:00Z", "rx": 1, "pad": "{}"}}"#, "x".repeat(100));
        assert!(m.extract("pilot/s1/emu-7/up", big.as_bytes()).unwrap_err().contains("max_payload_bytes"));
        assert!(PilotMap::parse("map.toml", &format!("{MAP}max_payload_bytes = 0\n")).is_err());
    }

    #[test]
    fn a_map_that_is_not_utf8_is_refused_at_its_line() {
        let dir = std::env::temp_dir().join(format!("sp-map-utf8-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("m.toml");
        std::fs::write(&f, b"topics = [\"a/#\"]\nseq = \"/s\xff\"\n").unwrap();
        let e = PilotMap::read(&f).unwrap_err().to_string();
        assert!(e.ends_with("m.toml:2:10: not UTF-8 text (byte 0xff)"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn map_errors_name_the_line() {
        let e = PilotMap::parse("m.toml", "topics = [\"a/#\"]\ndevice = { topic_level = 1 }\nseq = \"fcnt\"\ntimestamp = { pointer = \"/t\", unit = \"ms\" }\n").unwrap_err();
        assert_eq!(e.to_string(), "m.toml:3: seq: `fcnt` is not a JSON pointer (it starts with /)");
        let e = PilotMap::parse("m.toml", "topics = [\"a/#\"]\ndevice = { topic_level = 1 }\nseq = \"/s\"\ntimestamp = { pointer = \"/t\", unit = \"hours\" }\n").unwrap_err();
        assert!(e.to_string().starts_with("m.toml:4: unknown variant `hours`"), "{e}");
    }
}
