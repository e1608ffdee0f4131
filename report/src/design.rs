//! What the charts need from the design a report is about: its `[targets]` as labelled lines,
//! its `[[event]]` captions as marks on the time axis, and which loss causes its networks can
//! produce. Read from the scenario text stored with the run (and its overrides), so a report of
//! a stored run shows the design as it was run.

use sim_core::scenario::{EventKind, Scenario, ScenarioSource, Targets, parse_scenario};

use sim_core::text::duration_s;

use crate::Assumptions;
use crate::chart::{Axis, EventMark, TargetLine};
use crate::page::plain as num;

pub(crate) struct Design {
    targets: Targets,
    /// The scenario's own `description`, the one line saying what the design is about.
    pub description: Option<String>,
    /// Events, at their day of the run.
    pub events: Vec<EventMark>,
    /// The networks are known (the stored scenario still reads).
    pub known: bool,
    /// Some class talks LoRa: collisions and the duty-cycle limit can lose messages.
    pub lora: bool,
    /// Some class sends unacknowledged: the channel and sending into a dead link can lose messages.
    pub unacked: bool,
}

impl Design {
    /// The design in `a`; with nothing known when the stored scenario no longer reads.
    pub(crate) fn of(a: &Assumptions) -> Design {
        let s = parse_scenario(&ScenarioSource {
            file: &a.scenario_file,
            bytes: a.scenario_text.as_bytes(),
            overrides: &a.overrides,
        });
        match s {
            Ok(s) => Design::from_scenario(&s),
            Err(_) => Design {
                targets: Targets::default(),
                description: None,
                events: Vec::new(),
                known: false,
                lora: false,
                unacked: false,
            },
        }
    }

    pub(crate) fn from_scenario(s: &Scenario) -> Design {
        let networks = || s.classes.iter().filter_map(|c| s.networks.get(c.network));
        Design {
            targets: s.targets.clone(),
            description: s.description.clone().filter(|d| !d.trim().is_empty()),
            events: s
                .events
                .iter()
                .map(|e| EventMark {
                    x: e.at.as_secs_f64() / 86_400.0,
                    caption: if e.caption.is_empty() { kind_label(&e.kind).to_string() } else { e.caption.clone() },
                })
                .collect(),
            known: true,
            lora: networks().any(|n| n.lora.is_some()),
            unacked: networks().any(|n| !n.delivery.acked),
        }
    }

    /// The delivery-ratio target on a percent axis.
    pub(crate) fn delivery_pct(&self) -> Option<TargetLine> {
        self.targets.delivery_ratio.map(|r| y(r * 100.0, format!("target {} %", num(r * 100.0))))
    }

    /// The p99-latency target on an axis in seconds.
    pub(crate) fn p99_latency_s(&self) -> Option<TargetLine> {
        self.targets.p99_latency.map(|d| {
            let s = d.as_secs_f64();
            y(s, format!("target {}", duration_s(s)))
        })
    }

    /// The battery-life target on an x axis in days.
    pub(crate) fn battery_life_days(&self) -> Option<TargetLine> {
        self.targets.battery_life.map(|d| {
            let days = d.as_secs_f64() / 86_400.0;
            TargetLine { axis: Axis::X, value: days, label: format!("target {}", duration_s(d.as_secs_f64())) }
        })
    }

    /// The TCO per device-year target on an axis in `currency` per device-year.
    pub(crate) fn tco_per_device_year(&self, currency: &str) -> Option<TargetLine> {
        self.targets.tco_per_device_year.map(|v| y(v, format!("target {} {currency}", num(v))))
    }
}

fn y(value: f64, label: String) -> TargetLine {
    TargetLine { axis: Axis::Y, value, label }
}

fn kind_label(k: &EventKind) -> &'static str {
    match k {
        EventKind::SiteOutage { .. } => "site outage",
        EventKind::GatewayOutage { .. } => "gateway outage",
        EventKind::PowerOutage { .. } => "power cut",
        EventKind::Brownout { .. } => "brownout",
        EventKind::FirmwareUpdate(_) => "firmware update",
        EventKind::CredentialCompromise => "credential compromise",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_labels_use_the_shared_formatter() {
        assert_eq!(num(99.5), "99.5");
        assert_eq!(num(60.0), "60");
        assert_eq!(num(1500.0), "1,500");
        assert_eq!(duration_s(300.0), "5.0 min");
    }
}
