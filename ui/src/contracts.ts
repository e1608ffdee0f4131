// Scaleproof's wire contracts, generated from studio's contracts by
// `cargo test -p studio --test contracts`; UPDATE_GOLDEN=1 rewrites it; do not edit.
//
// Integers are JSON numbers (`number`): ids, counts and bytes stay below 2^53. Seeds are u64s
// and may pass 2^53: JSON.parse rounds them (show them; read them losslessly to rerun a seed).

export type Stat = {
/**
 * Mean over the replications.
 */
mean: number,
/**
 * Lower end of the 95 % interval of the mean.
 */
ci95_low: number,
/**
 * Upper end of the 95 % interval of the mean.
 */
ci95_high: number, };

export type SummaryOf<C, F> = {
/**
 * Always 1 for this contract.
 */
schema_version: number,
/**
 * The scenario's name.
 */
scenario: string,
/**
 * Devices in the fleet.
 */
devices: number,
/**
 * Simulated time, seconds.
 */
simulated_s: number,
/**
 * Wall-clock time the simulation took, seconds (varies between identical runs).
 */
wall_s: F,
/**
 * `sim-core VERSION+modelN`.
 */
engine_version: string,
/**
 * Where every generated message ended up, messages.
 */
messages: Messages<C>,
/**
 * Messages lost by the network, by cause (they add up to `messages.lost_network`).
 */
loss_causes: LossCauses<C>,
/**
 * Delivered / generated messages, 0..1.
 */
delivery_ratio: F,
/**
 * Latency of delivered messages, seconds.
 */
latency_s: Latency<F>,
/**
 * Device reboots: firmware crashes, low-battery brownouts, power cuts and power sags.
 */
reboots: C,
/**
 * Network outages (a shared outage counts once).
 */
outages: C,
/**
 * Mains power outages at sites.
 */
power_outages: C,
/**
 * Battery devices that ran flat (out of service until a truck roll).
 */
deaths: C,
/**
 * Devices whose hardware failed (out of service until a truck roll).
 */
hardware_failures: C,
/**
 * Technician visits that brought a dead, failed or bricked device back into service.
 */
truck_rolls: C,
/**
 * Truck rolls that replaced a flat battery.
 */
battery_replacements: C,
/**
 * Radio activity, device ticks and transmission attempts.
 */
radio: Radio<C>,
/**
 * Gateways (or cells) over all sites.
 */
gateways: number,
/**
 * The same figures for each device class, in the scenario's order.
 */
per_class: Array<ClassSummary<C, F>>,
/**
 * Installation and onboarding (absent without `[provisioning]`).
 */
provisioning?: Provisioning<C, F> | null,
/**
 * Firmware campaigns (absent without `[firmware]`).
 */
ota?: Ota<C, F> | null,
/**
 * Credentials, certificates and TLS sessions (absent without `[identity]`).
 */
security?: Security<C, F> | null,
/**
 * The business case (absent without a price book).
 */
cost?: Cost<F> | null,
/**
 * Targets and the warning signs of a pilot that will not scale. Over replications it is the
 * verdict on all of them together (targets judged by the interval of their mean), not a
 * statistic of verdicts, so it has one form.
 */
verdict?: Verdict | null, };

export type Messages<C> = {
/**
 * Messages the devices sampled.
 */
generated: C,
/**
 * Messages that reached the backend.
 */
delivered: C,
/**
 * Messages the network lost (broken down in `loss_causes`).
 */
lost_network: C,
/**
 * Messages dropped because the device buffer was full.
 */
dropped_overflow: C,
/**
 * Messages lost from a RAM buffer when the device rebooted or lost power.
 */
dropped_reboot: C,
/**
 * Messages left in the buffer of a device that died or failed.
 */
stranded_dead: C,
/**
 * Still in device buffers at the end of the run.
 */
buffered_end: C, };

export type LossCauses<C> = {
/**
 * Dropped by the channel (unacknowledged delivery).
 */
channel: C,
/**
 * Sent while the link was down (unacknowledged delivery).
 */
outage: C,
/**
 * LoRa frames that overlapped another frame on the same gateway, channel and SF.
 */
collision: C,
/**
 * LoRa frames not sent because of the regional duty-cycle limit.
 */
duty_cycle: C, };

export type Latency<F> = {
/**
 * Mean latency, seconds.
 */
mean: F,
/**
 * Median latency, seconds.
 */
p50: F,
/**
 * 95th percentile, seconds (from log-spaced bins, within 1.6 %).
 */
p95: F,
/**
 * 99th percentile, seconds (from log-spaced bins, within 1.6 %).
 */
p99: F,
/**
 * Largest latency, seconds.
 */
max: F, };

export type Radio<C> = {
/**
 * Device ticks simulated (device-steps).
 */
device_steps: C,
/**
 * Transmission attempts.
 */
attempts: C,
/**
 * Attempts lost by the channel in acknowledged mode (the message stays buffered).
 */
lost_attempts: C,
/**
 * Device ticks at which the backend's publish quota held back part of the flush.
 */
throttled_ticks: C,
/**
 * Device ticks at which the link was down (outage or reconnecting).
 */
outage_ticks: C,
/**
 * Device ticks a mains-powered device spent without power.
 */
powered_off_ticks: C, };

export type ClassSummary<C, F> = {
/**
 * The class's name in the scenario.
 */
name: string,
/**
 * Devices of the class.
 */
devices: C,
/**
 * Where the class's generated messages ended up, messages.
 */
messages: Messages<C>,
/**
 * The class's messages lost by the network, by cause.
 */
loss_causes: LossCauses<C>,
/**
 * Delivered / generated messages, 0..1.
 */
delivery_ratio: F,
/**
 * Latency of delivered messages, seconds.
 */
latency_s: Latency<F>,
/**
 * Reboots of the class's devices (crashes, brownouts, power cuts and sags).
 */
reboots: C,
/**
 * The class's battery devices that ran flat.
 */
deaths: C,
/**
 * The class's devices whose hardware failed.
 */
hardware_failures: C,
/**
 * Technician visits that brought one of the class's out-of-service devices back.
 */
truck_rolls: C,
/**
 * Devices online (in service, powered, link up) at the end of the run.
 */
online_end: C,
/**
 * How long an outage the buffer rides through before it overflows, seconds.
 */
buffer_covers_s: F,
/**
 * Shared (gateway- or site-wide) outages on this class's gateways that lasted longer than
 * `buffer_covers_s`, counted once per gateway.
 */
shared_outages_longer_than_buffer: C,
/**
 * Battery figures (`null` for mains-powered classes).
 */
battery: Battery<C, F> | null,
/**
 * Payload of one message, bytes.
 */
payload_bytes: C,
/**
 * Reporting period, seconds.
 */
period_s: F,
/**
 * Transmission attempts (each is billed by a cellular operator).
 */
attempts: C,
/**
 * Device-seconds in service with the link up.
 */
connected_device_s: F,
/**
 * Messages delivered on the busiest day (daily platform quotas).
 */
peak_day_delivered: C,
/**
 * Firmware bytes downloaded, retransmissions included, bytes.
 */
ota_bytes: C,
/**
 * TLS handshake bytes (reconnects, or one session per report), bytes.
 */
handshake_bytes: C, };

export type Battery<C, F> = {
/**
 * Mean remaining charge of the devices in service at the end, percent of capacity.
 */
mean_remaining_pct: F,
/**
 * Capacity / mean charge drawn per device-day in service: how long a full battery lasts,
 * days.
 */
projected_life_days: F,
/**
 * Charge drawn by the class, mAh.
 */
energy_used_mah: F,
/**
 * Devices in service at the end by projected life: `life_hist[i]` devices last from
 * `30 x 10^(i/10)` days up to the next bin (30 bins; the first and last are open-ended).
 */
life_hist: Array<C>, };

export type Provisioning<C, F> = {
/**
 * "manual" or "zero-touch".
 */
onboarding: string,
/**
 * Installs a week.
 */
installs_per_week: F,
/**
 * Devices to install.
 */
devices: C,
/**
 * Devices online before the end of the run.
 */
online_by_end: C,
/**
 * When the last device came online (or will), days from the first install.
 */
fleet_online_days: F,
/**
 * Whether the run covers the rollout (else it is the steady state after it).
 */
rollout_in_run: boolean,
/**
 * Share of the run's device-time with devices installed, 0..1 (1 without a rollout in the
 * run).
 */
installed_share: F,
/**
 * Technician hours, hours.
 */
technician_hours: F,
/**
 * Second visits: manual set-up mistakes, zero-touch devices that gave up.
 */
revisits: C,
/**
 * Zero-touch enrolment attempts with the registry, retries included.
 */
enrolment_attempts: C, };

export type Ota<C, F> = {
/**
 * "none", "single-slot" or "a-b".
 */
update: string,
/**
 * Whether interrupted downloads resume.
 */
resume: boolean,
/**
 * Each campaign in the run, in order.
 */
campaigns: Array<Campaign<C, F>>,
/**
 * Devices left without a bootable image (out of service until a truck roll), all campaigns.
 */
bricked: C,
/**
 * Updates after which the old image runs again, all campaigns.
 */
rolled_back: C,
/**
 * Bytes the downloads sent, retransmissions included, bytes.
 */
bytes_sent: C,
/**
 * Updates that found their device failed, dead or without power (not applied).
 */
missed_out_of_service: C,
/**
 * Campaigns a year the business case assumes.
 */
campaigns_per_year: F, };

export type Campaign<C, F> = {
/**
 * When it started, days into the run.
 */
at_days: F,
/**
 * Size of the image, bytes.
 */
image_bytes: C,
/**
 * Devices installed when the campaign started (its target).
 */
devices: C,
/**
 * The campaign's waves, in order.
 */
waves: Array<Wave<C, F>>,
/**
 * Devices now running the new image.
 */
succeeded: C,
/**
 * Devices running the old image again (A/B revert).
 */
rolled_back: C,
/**
 * Devices left without a bootable image (out of service until a truck roll).
 */
bricked: C,
/**
 * Devices whose download never completed.
 */
download_failed: C,
/**
 * Devices in waves that never started (the error threshold stopped the campaign).
 */
not_reached: C,
/**
 * The wave (from 0) after which the campaign stopped; `null`: it ran to the end.
 */
stopped_after_wave: C | null,
/**
 * From the start to the end of the last wave, hours.
 */
duration_h: F,
/**
 * Whether the last wave ended before the end of the run.
 */
finished_in_run: boolean,
/**
 * Bytes the downloads sent, retransmissions included, bytes.
 */
bytes_sent: C,
/**
 * Battery charge the downloads cost, mAh (battery devices).
 */
energy_mah: F, };

export type Wave<C, F> = {
/**
 * Devices in the wave.
 */
devices: C,
/**
 * Devices now running the new image.
 */
succeeded: C,
/**
 * Devices running the old image again (A/B revert).
 */
rolled_back: C,
/**
 * Devices left without a bootable image (out of service until a truck roll).
 */
bricked: C,
/**
 * Devices whose download never completed.
 */
download_failed: C,
/**
 * When the wave started, days into the run.
 */
start_days: F,
/**
 * When the wave ended, days into the run.
 */
end_days: F, };

export type Security<C, F> = {
/**
 * "shared" or "per-device".
 */
credentials: string,
/**
 * Certificate lifetime, days (`null`: certificates do not expire).
 */
certificate_lifetime_days: F | null,
/**
 * Whether certificates are renewed before they expire.
 */
rotation: boolean,
/**
 * Certificates issued in the run (first issue, renewals, re-issues after a visit).
 */
certificates_issued: C,
/**
 * Times a device dropped offline with an expired certificate.
 */
certificate_expiries: C,
/**
 * The first expiry, days into the run (`null`: none).
 */
first_expiry_days: F | null,
/**
 * Device-days offline with an expired certificate, within the run.
 */
expired_device_days: F,
/**
 * Each credential leak in the run, in order.
 */
compromises: Array<Compromise<C, F>>,
/**
 * "persistent" or "per-report".
 */
sessions: string,
/**
 * TLS handshakes (one per reconnect, or one per report).
 */
handshakes: C,
/**
 * Bytes of those handshakes, bytes.
 */
handshake_bytes: C,
/**
 * Battery charge of those handshakes, mAh.
 */
handshake_energy_mah: F, };

export type Compromise<C, F> = {
/**
 * When it leaked, days into the run.
 */
at_days: F,
/**
 * Devices the leaked credential exposes, all revoked.
 */
blast_radius: C,
/**
 * From the leak until the last exposed device is back, days.
 */
restored_after_days: F,
/**
 * Device-days the exposed devices spent offline within the run.
 */
offline_device_days: F,
/**
 * Technician hours, hours.
 */
technician_hours: F,
/**
 * Site visits (manual re-provisioning: one per site with exposed devices).
 */
site_visits: C,
/**
 * Remote re-enrolments (zero-touch).
 */
reenrolments: C, };

export type Cost<F> = {
/**
 * ISO code of the price book's currency, e.g. "USD".
 */
currency: string,
/**
 * The price book's id.
 */
price_book: string,
/**
 * The price book's date, YYYY-MM-DD.
 */
price_book_date: string,
/**
 * The cloud platform priced.
 */
platform: string,
/**
 * The connectivity option priced.
 */
connectivity: string,
/**
 * The time-series store (`null`: none priced).
 */
storage: string | null,
/**
 * Horizon of the business case, years.
 */
horizon_years: F,
/**
 * Yearly discount rate, percent.
 */
discount_rate_pct: F,
/**
 * Spent at the start (month 0), currency units.
 */
capex: F,
/**
 * Undiscounted recurring spend per month, averaged over the horizon, currency units.
 */
opex_per_month: F,
/**
 * Total cost of ownership over the horizon (discounted), currency units.
 */
tco: F,
/**
 * TCO per device and year, currency units.
 */
tco_per_device_year: F,
/**
 * TCO by category, currency units.
 */
breakdown: Breakdown<F>,
/**
 * How the platform is sized (e.g. "1 x S2", "3 VMs").
 */
platform_sizing: string,
/**
 * Set when no size of the platform covers the fleet's peak day.
 */
quota_exceeded: string | null,
/**
 * Every item of the bill.
 */
lines: Array<BillLine<F>>,
/**
 * The TCO of the same run under other platform or connectivity choices.
 */
alternatives: Array<Alternative<F>>, };

export type Breakdown<F> = {
/**
 * Devices, gateways and other equipment.
 */
hardware: F,
/**
 * Installing the fleet.
 */
installation: F,
/**
 * Onboarding, certificates and re-provisioning after credential leaks.
 */
provisioning: F,
/**
 * SIMs, data plans and gateway backhaul.
 */
connectivity: F,
/**
 * The cloud IoT platform.
 */
cloud: F,
/**
 * Time-series storage and data egress.
 */
storage: F,
/**
 * Truck rolls, replaced devices, battery swaps and other site work.
 */
maintenance: F, };

export type CostCategory = "hardware" | "installation" | "provisioning" | "connectivity" | "cloud" | "storage" | "maintenance";

export type BillLine<F> = {
/**
 * Which TCO category the line adds to.
 */
category: CostCategory,
/**
 * What is bought, e.g. "gateway backhaul".
 */
item: string,
/**
 * How the quantity was metered (a typical month, or the one-time order).
 */
basis: string,
/**
 * Spent at the start (month 0), currency units.
 */
capex: F,
/**
 * The first month's charge (recurring items), currency units.
 */
first_month: F,
/**
 * Its share of the TCO (discounted), currency units.
 */
tco: F, };

export type Alternative<F> = {
/**
 * "platform" or "connectivity".
 */
choice: string,
/**
 * The platform or connectivity option priced instead.
 */
name: string,
/**
 * Total cost of ownership over the horizon (discounted), currency units.
 */
tco: F,
/**
 * TCO per device and year, currency units.
 */
tco_per_device_year: F, };

export type Verdict = {
/**
 * `status == "ready"`.
 */
ready: boolean,
/**
 * The overall answer.
 */
status: Readiness,
/**
 * The replications judged: targets by the 95 % interval of their mean, warning signs by the
 * mean summary.
 */
replications: number,
/**
 * Every target and warning sign checked, with its evidence.
 */
findings: Array<Finding>, };

export type Readiness = "ready" | "undecided" | "not_ready";

export type Severity = "pass" | "warn" | "undecided" | "fail";

export type Finding = {
/**
 * A stable name: `target.delivery_ratio`, `sign.manual_onboarding`, ...
 */
check: string,
/**
 * How it came out.
 */
severity: Severity,
/**
 * One line saying what was found, for a person.
 */
title: string,
/**
 * What in the run or the design shows it.
 */
evidence: string,
/**
 * For a target: the KPI over the replications (mean and 95 % interval), in the unit of
 * `target`.
 */
estimate?: Estimate | null,
/**
 * For a target: the target, in the KPI's unit (a ratio 0..1, seconds, days, currency
 * units, percent).
 */
target?: number | null, };

export type Estimate = {
/**
 * Mean over the replications.
 */
mean: number,
/**
 * Lower end of the 95 % interval of the mean (the mean for one replication).
 */
ci95_low: number,
/**
 * Upper end of the 95 % interval of the mean (the mean for one replication).
 */
ci95_high: number,
/**
 * Replications the estimate is over.
 */
replications: number, };

export type RunStatus = "running" | "complete" | "incomplete" | "cancelled" | "failed";

export type RunFacts = {
/**
 * The run's id in the run database (the one asked for: a replication's own id when a
 * replication was asked for).
 */
run_id: number,
/**
 * Where the run stands: running, complete, or stopped before a summary.
 */
status: RunStatus,
/**
 * When the run was started, RFC 3339 UTC.
 */
created_at: string,
/**
 * The scenario file, as given on the command line.
 */
file: string,
/**
 * The `--set PATH=VALUE` overrides applied to the scenario, in order.
 */
overrides: Array<string>,
/**
 * The run this one is a replication of (absent for replication 0 and single runs).
 */
replication_of?: number | null, };

export type RunOne = {
/**
 * The seed of the replication. A u64 that may pass 2^53: JavaScript's `JSON.parse` rounds
 * such a seed, so show it, but read it with a lossless parser to run it again.
 */
seed: number,
/**
 * What the figures are: "one replication: no intervals".
 */
statistic: string,
/**
 * The run's id in the run database (the one asked for: a replication's own id when a
 * replication was asked for).
 */
run_id: number,
/**
 * Where the run stands: running, complete, or stopped before a summary.
 */
status: RunStatus,
/**
 * When the run was started, RFC 3339 UTC.
 */
created_at: string,
/**
 * The scenario file, as given on the command line.
 */
file: string,
/**
 * The `--set PATH=VALUE` overrides applied to the scenario, in order.
 */
overrides: Array<string>,
/**
 * The run this one is a replication of (absent for replication 0 and single runs).
 */
replication_of?: number | null,
/**
 * Always 1 for this contract.
 */
schema_version: number,
/**
 * The scenario's name.
 */
scenario: string,
/**
 * Devices in the fleet.
 */
devices: number,
/**
 * Simulated time, seconds.
 */
simulated_s: number,
/**
 * Wall-clock time the simulation took, seconds (varies between identical runs).
 */
wall_s: number,
/**
 * `sim-core VERSION+modelN`.
 */
engine_version: string,
/**
 * Where every generated message ended up, messages.
 */
messages: Messages<number>,
/**
 * Messages lost by the network, by cause (they add up to `messages.lost_network`).
 */
loss_causes: LossCauses<number>,
/**
 * Delivered / generated messages, 0..1.
 */
delivery_ratio: number,
/**
 * Latency of delivered messages, seconds.
 */
latency_s: Latency<number>,
/**
 * Device reboots: firmware crashes, low-battery brownouts, power cuts and power sags.
 */
reboots: number,
/**
 * Network outages (a shared outage counts once).
 */
outages: number,
/**
 * Mains power outages at sites.
 */
power_outages: number,
/**
 * Battery devices that ran flat (out of service until a truck roll).
 */
deaths: number,
/**
 * Devices whose hardware failed (out of service until a truck roll).
 */
hardware_failures: number,
/**
 * Technician visits that brought a dead, failed or bricked device back into service.
 */
truck_rolls: number,
/**
 * Truck rolls that replaced a flat battery.
 */
battery_replacements: number,
/**
 * Radio activity, device ticks and transmission attempts.
 */
radio: Radio<number>,
/**
 * Gateways (or cells) over all sites.
 */
gateways: number,
/**
 * The same figures for each device class, in the scenario's order.
 */
per_class: Array<ClassSummary<number, number>>,
/**
 * Installation and onboarding (absent without `[provisioning]`).
 */
provisioning?: Provisioning<number, number> | null,
/**
 * Firmware campaigns (absent without `[firmware]`).
 */
ota?: Ota<number, number> | null,
/**
 * Credentials, certificates and TLS sessions (absent without `[identity]`).
 */
security?: Security<number, number> | null,
/**
 * The business case (absent without a price book).
 */
cost?: Cost<number> | null,
/**
 * Targets and the warning signs of a pilot that will not scale. Over replications it is the
 * verdict on all of them together (targets judged by the interval of their mean), not a
 * statistic of verdicts, so it has one form.
 */
verdict?: Verdict | null, };

export type RunReplicated = {
/**
 * The replications' run ids, replication 0 first.
 */
run_ids: Array<number>,
/**
 * The replications' seeds, replication 0 first (u64s: see `RunOne.seed`).
 */
seeds: Array<number>,
/**
 * How many replications there are (at least 2).
 */
replications: number,
/**
 * What the figures are: "mean over replications, with its 95 % Student-t interval".
 */
statistic: string,
/**
 * The run's id in the run database (the one asked for: a replication's own id when a
 * replication was asked for).
 */
run_id: number,
/**
 * Where the run stands: running, complete, or stopped before a summary.
 */
status: RunStatus,
/**
 * When the run was started, RFC 3339 UTC.
 */
created_at: string,
/**
 * The scenario file, as given on the command line.
 */
file: string,
/**
 * The `--set PATH=VALUE` overrides applied to the scenario, in order.
 */
overrides: Array<string>,
/**
 * The run this one is a replication of (absent for replication 0 and single runs).
 */
replication_of?: number | null,
/**
 * Always 1 for this contract.
 */
schema_version: number,
/**
 * The scenario's name.
 */
scenario: string,
/**
 * Devices in the fleet.
 */
devices: number,
/**
 * Simulated time, seconds.
 */
simulated_s: number,
/**
 * Wall-clock time the simulation took, seconds (varies between identical runs).
 */
wall_s: Stat,
/**
 * `sim-core VERSION+modelN`.
 */
engine_version: string,
/**
 * Where every generated message ended up, messages.
 */
messages: Messages<Stat>,
/**
 * Messages lost by the network, by cause (they add up to `messages.lost_network`).
 */
loss_causes: LossCauses<Stat>,
/**
 * Delivered / generated messages, 0..1.
 */
delivery_ratio: Stat,
/**
 * Latency of delivered messages, seconds.
 */
latency_s: Latency<Stat>,
/**
 * Device reboots: firmware crashes, low-battery brownouts, power cuts and power sags.
 */
reboots: Stat,
/**
 * Network outages (a shared outage counts once).
 */
outages: Stat,
/**
 * Mains power outages at sites.
 */
power_outages: Stat,
/**
 * Battery devices that ran flat (out of service until a truck roll).
 */
deaths: Stat,
/**
 * Devices whose hardware failed (out of service until a truck roll).
 */
hardware_failures: Stat,
/**
 * Technician visits that brought a dead, failed or bricked device back into service.
 */
truck_rolls: Stat,
/**
 * Truck rolls that replaced a flat battery.
 */
battery_replacements: Stat,
/**
 * Radio activity, device ticks and transmission attempts.
 */
radio: Radio<Stat>,
/**
 * Gateways (or cells) over all sites.
 */
gateways: number,
/**
 * The same figures for each device class, in the scenario's order.
 */
per_class: Array<ClassSummary<Stat, Stat>>,
/**
 * Installation and onboarding (absent without `[provisioning]`).
 */
provisioning?: Provisioning<Stat, Stat> | null,
/**
 * Firmware campaigns (absent without `[firmware]`).
 */
ota?: Ota<Stat, Stat> | null,
/**
 * Credentials, certificates and TLS sessions (absent without `[identity]`).
 */
security?: Security<Stat, Stat> | null,
/**
 * The business case (absent without a price book).
 */
cost?: Cost<Stat> | null,
/**
 * Targets and the warning signs of a pilot that will not scale. Over replications it is the
 * verdict on all of them together (targets judged by the interval of their mean), not a
 * statistic of verdicts, so it has one form.
 */
verdict?: Verdict | null, };

export type RunUnfinished = {
/**
 * The scenario's name.
 */
scenario: string,
/**
 * The seed (a u64: see `RunOne.seed`).
 */
seed: number,
/**
 * Devices in the fleet.
 */
devices: number,
/**
 * `sim-core VERSION+modelN`.
 */
engine_version: string,
/**
 * The run's id in the run database (the one asked for: a replication's own id when a
 * replication was asked for).
 */
run_id: number,
/**
 * Where the run stands: running, complete, or stopped before a summary.
 */
status: RunStatus,
/**
 * When the run was started, RFC 3339 UTC.
 */
created_at: string,
/**
 * The scenario file, as given on the command line.
 */
file: string,
/**
 * The `--set PATH=VALUE` overrides applied to the scenario, in order.
 */
overrides: Array<string>,
/**
 * The run this one is a replication of (absent for replication 0 and single runs).
 */
replication_of?: number | null, };

export type RunDetail = RunOne | RunReplicated | RunUnfinished;

export type ClassHour = {
/**
 * The device class.
 */
class: string,
/**
 * Hours from the run's start (hour 0 starts at [`RunSeries::start_ms`]).
 */
hour: number,
/**
 * Messages generated in the hour.
 */
generated: number,
/**
 * Messages delivered.
 */
delivered: number,
/**
 * Lost in the network, every cause (channel, outages, LoRa collisions, duty cycle).
 */
lost_network: number,
/**
 * Lost to LoRa collisions (a part of `lost_network`).
 */
lost_collision: number,
/**
 * Dropped by full buffers.
 */
dropped_overflow: number,
/**
 * Wiped from RAM buffers by reboots.
 */
dropped_reboot: number,
/**
 * Left in devices that died.
 */
stranded_dead: number,
/**
 * Devices in service, powered and with a usable link at the hour's end.
 */
online: number,
/**
 * Messages waiting in device buffers at the hour's end.
 */
buffered: number,
/**
 * Mean charge of the battery devices in service, mAh (None for mains classes).
 */
battery_mean_mah: number | null, };

export type TimelineEventKind = "power_outage" | "site_outage" | "gateway_outage" | "power_sag" | "firmware_campaign" | "firmware_wave" | "credential_leak";

export type TimelineEvent = {
/**
 * What happened.
 */
kind: TimelineEventKind,
/**
 * When it starts, µs from the run's start.
 */
start_us: number,
/**
 * When it ends, µs from the run's start (None: a sag, or what never ends in the model).
 */
end_us: number | null,
/**
 * The site; None for fleet-wide events (campaigns, waves, leaks).
 */
site: string | null,
/**
 * The gateway within the site, from 0 (gateway outages only).
 */
gateway: number | null,
/**
 * The network or power profile whose outage process drew it.
 */
profile: string | null,
/**
 * The scenario `[[event]]` it comes from (0-based, in file order); None: drawn by a model.
 */
event: number | null,
/**
 * The wave of a firmware campaign, from 0.
 */
wave: number | null,
/**
 * The scheduled event's caption.
 */
caption: string | null,
/**
 * Devices it concerns (behind the gateway, at the site, targeted, in the blast radius).
 */
devices: number, };

export type RunSeries = {
/**
 * The run (replication) the series is of.
 */
run: number,
/**
 * The calendar time of hour 0 (`scenario.start`), ms since the Unix epoch, UTC.
 */
start_ms: number,
/**
 * One row per hour and class, by hour then class name.
 */
hours: Array<ClassHour>,
/**
 * Shared outages, sags, scheduled events with their captions, firmware waves, credential
 * leaks, sorted by start (the engine's order); times in µs from hour 0's start.
 */
events: Array<TimelineEvent>, };

export type PointOne = {
/**
 * The run's id in the run database.
 */
run_id: number,
/**
 * The replication's seed (a u64 that may pass 2^53: see `RunOne.seed`).
 */
seed: number,
/**
 * What the figures are: "one replication: no intervals".
 */
statistic: string,
/**
 * Always 1 for this contract.
 */
schema_version: number,
/**
 * The scenario's name.
 */
scenario: string,
/**
 * Devices in the fleet.
 */
devices: number,
/**
 * Simulated time, seconds.
 */
simulated_s: number,
/**
 * Wall-clock time the simulation took, seconds (varies between identical runs).
 */
wall_s: number,
/**
 * `sim-core VERSION+modelN`.
 */
engine_version: string,
/**
 * Where every generated message ended up, messages.
 */
messages: Messages<number>,
/**
 * Messages lost by the network, by cause (they add up to `messages.lost_network`).
 */
loss_causes: LossCauses<number>,
/**
 * Delivered / generated messages, 0..1.
 */
delivery_ratio: number,
/**
 * Latency of delivered messages, seconds.
 */
latency_s: Latency<number>,
/**
 * Device reboots: firmware crashes, low-battery brownouts, power cuts and power sags.
 */
reboots: number,
/**
 * Network outages (a shared outage counts once).
 */
outages: number,
/**
 * Mains power outages at sites.
 */
power_outages: number,
/**
 * Battery devices that ran flat (out of service until a truck roll).
 */
deaths: number,
/**
 * Devices whose hardware failed (out of service until a truck roll).
 */
hardware_failures: number,
/**
 * Technician visits that brought a dead, failed or bricked device back into service.
 */
truck_rolls: number,
/**
 * Truck rolls that replaced a flat battery.
 */
battery_replacements: number,
/**
 * Radio activity, device ticks and transmission attempts.
 */
radio: Radio<number>,
/**
 * Gateways (or cells) over all sites.
 */
gateways: number,
/**
 * The same figures for each device class, in the scenario's order.
 */
per_class: Array<ClassSummary<number, number>>,
/**
 * Installation and onboarding (absent without `[provisioning]`).
 */
provisioning?: Provisioning<number, number> | null,
/**
 * Firmware campaigns (absent without `[firmware]`).
 */
ota?: Ota<number, number> | null,
/**
 * Credentials, certificates and TLS sessions (absent without `[identity]`).
 */
security?: Security<number, number> | null,
/**
 * The business case (absent without a price book).
 */
cost?: Cost<number> | null,
/**
 * Targets and the warning signs of a pilot that will not scale. Over replications it is the
 * verdict on all of them together (targets judged by the interval of their mean), not a
 * statistic of verdicts, so it has one form.
 */
verdict?: Verdict | null, };

export type PointReplicated = {
/**
 * The replications' run ids, replication 0 first.
 */
run_ids: Array<number>,
/**
 * The replications' seeds, replication 0 first.
 */
seeds: Array<number>,
/**
 * How many replications there are (at least 2).
 */
replications: number,
/**
 * What the figures are: "mean over replications, with its 95 % Student-t interval".
 */
statistic: string,
/**
 * Always 1 for this contract.
 */
schema_version: number,
/**
 * The scenario's name.
 */
scenario: string,
/**
 * Devices in the fleet.
 */
devices: number,
/**
 * Simulated time, seconds.
 */
simulated_s: number,
/**
 * Wall-clock time the simulation took, seconds (varies between identical runs).
 */
wall_s: Stat,
/**
 * `sim-core VERSION+modelN`.
 */
engine_version: string,
/**
 * Where every generated message ended up, messages.
 */
messages: Messages<Stat>,
/**
 * Messages lost by the network, by cause (they add up to `messages.lost_network`).
 */
loss_causes: LossCauses<Stat>,
/**
 * Delivered / generated messages, 0..1.
 */
delivery_ratio: Stat,
/**
 * Latency of delivered messages, seconds.
 */
latency_s: Latency<Stat>,
/**
 * Device reboots: firmware crashes, low-battery brownouts, power cuts and power sags.
 */
reboots: Stat,
/**
 * Network outages (a shared outage counts once).
 */
outages: Stat,
/**
 * Mains power outages at sites.
 */
power_outages: Stat,
/**
 * Battery devices that ran flat (out of service until a truck roll).
 */
deaths: Stat,
/**
 * Devices whose hardware failed (out of service until a truck roll).
 */
hardware_failures: Stat,
/**
 * Technician visits that brought a dead, failed or bricked device back into service.
 */
truck_rolls: Stat,
/**
 * Truck rolls that replaced a flat battery.
 */
battery_replacements: Stat,
/**
 * Radio activity, device ticks and transmission attempts.
 */
radio: Radio<Stat>,
/**
 * Gateways (or cells) over all sites.
 */
gateways: number,
/**
 * The same figures for each device class, in the scenario's order.
 */
per_class: Array<ClassSummary<Stat, Stat>>,
/**
 * Installation and onboarding (absent without `[provisioning]`).
 */
provisioning?: Provisioning<Stat, Stat> | null,
/**
 * Firmware campaigns (absent without `[firmware]`).
 */
ota?: Ota<Stat, Stat> | null,
/**
 * Credentials, certificates and TLS sessions (absent without `[identity]`).
 */
security?: Security<Stat, Stat> | null,
/**
 * The business case (absent without a price book).
 */
cost?: Cost<Stat> | null,
/**
 * Targets and the warning signs of a pilot that will not scale. Over replications it is the
 * verdict on all of them together (targets judged by the interval of their mean), not a
 * statistic of verdicts, so it has one form.
 */
verdict?: Verdict | null, };

export type PointSummary = PointReplicated | PointOne;

export type SweepPoint = {
/**
 * `PATH=VALUE`, as the sweep set it.
 */
label: string,
/**
 * The value swept to.
 */
value: string,
/**
 * Replication 0's run id.
 */
run_id: number,
/**
 * Replications run at this point.
 */
replications: number,
/**
 * Its figures.
 */
summary: PointSummary, };

export type CrossoverPoint = {
/**
 * `platform` or `connectivity`.
 */
choice: string,
/**
 * The scenario's choice.
 */
chosen: string,
/**
 * The alternative it is compared with.
 */
alternative: string,
/**
 * Where the two TCO-per-device-year curves cross, in the swept value's unit.
 */
at: number,
/**
 * Whether the alternative is the cheaper one above `at`.
 */
alternative_cheaper_above: boolean,
/**
 * When the curves do not cross within the sweep but close over its last two points: the
 * alternative's gap at the last point, in percent of the chosen design's value.
 */
closing_gap_pct: number | null, };

export type SweepDetail = {
/**
 * The sweep's id (`sweep:ID`).
 */
sweep_id: number,
/**
 * Its points, in the order swept.
 */
points: Array<SweepPoint>,
/**
 * Where alternatives overtake the chosen design along the sweep.
 */
crossovers: Array<CrossoverPoint>, };

export type StudyRow = {
/**
 * The field (or `price.PATH`) varied.
 */
path: string,
/**
 * Its low setting, as set.
 */
low_setting: string,
/**
 * Its high setting, as set.
 */
high_setting: string,
/**
 * The KPI at the low setting.
 */
kpi_low: number,
/**
 * The KPI at the high setting.
 */
kpi_high: number, };

export type Study = {
/**
 * The KPI studied (a name or a dotted path into the RunSummary).
 */
kpi: string,
/**
 * The KPI at the base case.
 */
baseline: number,
/**
 * Widest swing first.
 */
rows: Array<StudyRow>, };

export type StudyDetail = {
/**
 * The study's id (`sweep:ID`).
 */
id: number,
/**
 * Its result.
 */
study: Study, };

export type RunSummaryV1 = {
/**
 * The run's id (0 when it was not stored).
 */
run_id: number,
/**
 * The seed (a u64 that may pass 2^53: see `RunOne.seed`).
 */
seed: number,
/**
 * Always 1 for this contract.
 */
schema_version: number,
/**
 * The scenario's name.
 */
scenario: string,
/**
 * Devices in the fleet.
 */
devices: number,
/**
 * Simulated time, seconds.
 */
simulated_s: number,
/**
 * Wall-clock time the simulation took, seconds (varies between identical runs).
 */
wall_s: number,
/**
 * `sim-core VERSION+modelN`.
 */
engine_version: string,
/**
 * Where every generated message ended up, messages.
 */
messages: Messages<number>,
/**
 * Messages lost by the network, by cause (they add up to `messages.lost_network`).
 */
loss_causes: LossCauses<number>,
/**
 * Delivered / generated messages, 0..1.
 */
delivery_ratio: number,
/**
 * Latency of delivered messages, seconds.
 */
latency_s: Latency<number>,
/**
 * Device reboots: firmware crashes, low-battery brownouts, power cuts and power sags.
 */
reboots: number,
/**
 * Network outages (a shared outage counts once).
 */
outages: number,
/**
 * Mains power outages at sites.
 */
power_outages: number,
/**
 * Battery devices that ran flat (out of service until a truck roll).
 */
deaths: number,
/**
 * Devices whose hardware failed (out of service until a truck roll).
 */
hardware_failures: number,
/**
 * Technician visits that brought a dead, failed or bricked device back into service.
 */
truck_rolls: number,
/**
 * Truck rolls that replaced a flat battery.
 */
battery_replacements: number,
/**
 * Radio activity, device ticks and transmission attempts.
 */
radio: Radio<number>,
/**
 * Gateways (or cells) over all sites.
 */
gateways: number,
/**
 * The same figures for each device class, in the scenario's order.
 */
per_class: Array<ClassSummary<number, number>>,
/**
 * Installation and onboarding (absent without `[provisioning]`).
 */
provisioning?: Provisioning<number, number> | null,
/**
 * Firmware campaigns (absent without `[firmware]`).
 */
ota?: Ota<number, number> | null,
/**
 * Credentials, certificates and TLS sessions (absent without `[identity]`).
 */
security?: Security<number, number> | null,
/**
 * The business case (absent without a price book).
 */
cost?: Cost<number> | null,
/**
 * Targets and the warning signs of a pilot that will not scale. Over replications it is the
 * verdict on all of them together (targets judged by the interval of their mean), not a
 * statistic of verdicts, so it has one form.
 */
verdict?: Verdict | null, };

export type BenchResult = {
/**
 * Devices simulated.
 */
devices: number,
/**
 * Worker threads.
 */
threads: number,
/**
 * Simulated time, seconds.
 */
simulated_s: number,
/**
 * Device ticks simulated (the peers' unit of work).
 */
device_steps: number,
/**
 * Messages generated.
 */
messages: number,
/**
 * Wall-clock seconds of the simulation alone.
 */
wall_s: number,
/**
 * Device ticks per wall-clock second.
 */
device_steps_per_s: number,
/**
 * Messages per wall-clock second.
 */
messages_per_s: number,
/**
 * Peak resident memory of the process during the run, bytes (Linux; 0 elsewhere).
 */
peak_rss_bytes: number,
/**
 * Resident memory just before the fleet was built, bytes.
 */
baseline_rss_bytes: number,
/**
 * (peak - baseline) / devices.
 */
bytes_per_device: number,
/**
 * The run's own summary (its counters are the peers' counters).
 */
summary: RunSummaryV1, };

export type Difference = {
/**
 * The field (dotted path) or price that differs.
 */
path: string,
/**
 * Run A's value; "-" where the run does not set it.
 */
a: string,
/**
 * Run B's value; "-" where the run does not set it.
 */
b: string, };

export type Unit = "count" | "percent" | "seconds" | "days" | "money";

export type Figure = {
/**
 * Stable snake_case identifier (`delivery_pct`, `tco_per_device_year`, ...).
 */
id: string,
/**
 * The text shown to people.
 */
label: string,
/**
 * What the values measure.
 */
unit: Unit,
/**
 * Run A's value (None where it has none).
 */
a: number | null,
/**
 * Run B's value.
 */
b: number | null, };

export type Comparison = {
/**
 * Run A's id.
 */
run_a: number,
/**
 * Run B's id.
 */
run_b: number,
/**
 * Run A's scenario name.
 */
scenario_a: string,
/**
 * Run B's scenario name.
 */
scenario_b: string,
/**
 * Scenario fields (after overrides) that differ.
 */
assumptions: Array<Difference>,
/**
 * Prices that differ (after each scenario's price overrides).
 */
prices: Array<Difference>,
/**
 * The headline figures of both runs.
 */
results: Array<Figure>,
/**
 * The currency of the money figures (run A's price book), when the runs are priced.
 */
currency: string | null, };

export type FitEstimate = {
/**
 * The fitted value (its unit is in the field's name).
 */
value: number,
/**
 * The interval's low end.
 */
low: number,
/**
 * The interval's high end.
 */
high: number,
/**
 * Observations behind it (bursts, outages, messages, devices, ...).
 */
n: number, };

export type Fit = {
/**
 * Devices in the recording.
 */
devices: number,
/**
 * Device-days of readings.
 */
device_days: number,
/**
 * The reporting period, seconds.
 */
period_s: number,
/**
 * Messages received.
 */
received: number,
/**
 * Delivered over sent (0 to 1), from sequence numbers.
 */
delivery_ratio: number,
/**
 * Gilbert channel: good to bad per sample.
 */
p_good_to_bad: FitEstimate,
/**
 * Gilbert channel: bad to good per sample.
 */
p_bad_to_good: FitEstimate,
/**
 * Gaps at least this long are outages; shorter ones are channel bursts.
 */
outage_threshold_s: number,
/**
 * Outages seen.
 */
outages_seen: number,
/**
 * Mean time between outages, hours.
 */
outage_mean_up_h: FitEstimate,
/**
 * Mean outage length, hours.
 */
outage_mean_down_h: FitEstimate,
/**
 * Median latency, seconds.
 */
latency_median_s: FitEstimate,
/**
 * 99th-percentile latency, seconds.
 */
latency_p99_s: FitEstimate,
/**
 * Reboots per device-day.
 */
reboots_per_day: FitEstimate,
/**
 * Battery drain, % of capacity per day (positive: draining); None without readings.
 */
battery_drain_pct_per_day: FitEstimate | null,
/**
 * What the fit could not do well, in words.
 */
warnings: Array<string>, };

export type PilotDistance = {
/**
 * What is compared, in words.
 */
metric: string,
/**
 * The pilot's value.
 */
pilot: number,
/**
 * The twin's value.
 */
twin: number,
/**
 * The distance the tolerance applies to (see `how`).
 */
distance: number,
/**
 * The largest distance that still matches.
 */
tolerance: number,
/**
 * How the distance is measured.
 */
how: string,
/**
 * Whether the distance is within the tolerance.
 */
ok: boolean, };

export type PilotComparison = {
/**
 * One line per metric.
 */
distances: Array<PilotDistance>,
/**
 * Whether every distance is within its tolerance.
 */
matches: boolean, };

export type RunListItem = {
/**
 * The run's id (a replication has its own).
 */
id: number,
/**
 * When it started, RFC 3339 UTC.
 */
created_at: string,
/**
 * The scenario's name.
 */
scenario: string,
/**
 * The scenario file as given.
 */
file: string,
/**
 * This replication's seed.
 */
seed: number,
/**
 * Devices simulated.
 */
devices: number,
/**
 * Where it stands.
 */
status: RunStatus,
/**
 * The run this one is a replication of (None: replication 0 or a single run).
 */
replication_of: number | null,
/**
 * Which replication this is (0 for the first or only one).
 */
replication_index: number,
/**
 * Its delivery ratio (0 to 1), once it finished.
 */
delivery_ratio: number | null,
/**
 * Wall-clock seconds it took (None until it finished).
 */
wall_s: number | null,
/**
 * The name people gave it in the studio, if any.
 */
label?: string,
/**
 * Its tags, in the order given.
 */
tags: Array<string>, };

export type SweepKind = "sweep" | "sensitivity";

export type SweepListItem = {
/**
 * The study's id (`sweep:ID`).
 */
id: number,
/**
 * Sweep or sensitivity study.
 */
kind: SweepKind,
/**
 * When it started, RFC 3339 UTC.
 */
created_at: string,
/**
 * The scenario's name.
 */
scenario: string,
/**
 * The scenario file as given.
 */
file: string,
/**
 * Where it stands (a run status).
 */
status: RunStatus,
/**
 * Points (runs) stored so far.
 */
points: number,
/**
 * The field paths varied.
 */
swept: Array<string>,
/**
 * A sweep's values, in order.
 */
values?: Array<string>,
/**
 * A sensitivity study's KPI.
 */
kpi?: string, };

export type RecordingItem = {
/**
 * The recording's id.
 */
id: number,
/**
 * Its name (unique).
 */
name: string,
/**
 * When it started, RFC 3339 UTC.
 */
created_at: string,
/**
 * The broker recorded, credentials removed.
 */
broker: string,
/**
 * Where it stands (`running` while it records).
 */
status: RunStatus,
/**
 * Devices seen.
 */
devices: number,
/**
 * Messages stored.
 */
received: number,
/**
 * Messages received again (stored once).
 */
duplicates: number,
/**
 * Payloads that could not be read (counted, a sample kept).
 */
malformed: number, };

export type ScenarioItem = {
/**
 * The file's path, as found.
 */
path: string,
/**
 * `scenario.name`, or the file's stem when the file does not validate.
 */
name: string,
/**
 * `scenario.description`, if any.
 */
description?: string,
/**
 * Devices in the fleet (0 when the file does not validate).
 */
devices: number,
/**
 * Simulated time, seconds.
 */
duration_s: number,
/**
 * The id of the price book it is priced with, if any.
 */
price_book?: string,
/**
 * Problems found when validating it (0: valid).
 */
problems: number, };

export type FieldKind = "integer" | "number" | "duration" | "text" | "choice";

export type FormField = {
/**
 * Its dotted path in the scenario (`fleet.vibration.count`), what `set_field` takes.
 */
path: string,
/**
 * What the form calls it.
 */
label: string,
/**
 * The input it takes.
 */
kind: FieldKind,
/**
 * The value as the text holds it, without quotes; empty when the text does not set it.
 */
value: string,
/**
 * What the scenario schema says of it (units, meaning).
 */
help: string,
/**
 * The allowed values, for `choice`.
 */
choices: Array<string>,
/**
 * The smallest value allowed, for numbers.
 */
min?: number,
/**
 * The largest value allowed, for numbers.
 */
max?: number, };

export type FormGroup = {
/**
 * Its heading.
 */
title: string,
/**
 * Its fields, in the order shown.
 */
fields: Array<FormField>, };

export type ScenarioForm = {
/**
 * The groups, in the order shown.
 */
groups: Array<FormGroup>, };

export type LiveSummary = { broker: string, devices: number,
/**
 * Most clients connected at once, and connection attempts the broker refused or that failed.
 */
connections_peak: number, connect_failures: number, simulated_s: number,
/**
 * Readings the twin took; published; acknowledged by the broker (QoS 1; QoS 0: published).
 */
generated: number, published: number, acknowledged: number,
/**
 * Readings the simulation lost (link, outages, overflow, reboots): never published.
 */
dropped_by_simulation: number,
/**
 * Readings still in device buffers when the run ended.
 */
buffered_end: number,
/**
 * Readings the twin delivered while the device's MQTT client was not connected (refused by
 * the broker, or reconnecting after a reboot): not published.
 */
not_connected: number, reboots: number, commands_answered: number, wall_s: number, messages_per_s: number,
/**
 * CPU time this process used (user + system), seconds.
 */
cpu_s: number, };

export type Truth = { devices: number, days: number, period_s: number, seed: number,
/**
 * Emulated time 0, seconds since the Unix epoch.
 */
start_unix_s: number, site: string, p_good_to_bad: number, p_bad_to_good: number, outage_mean_up_h: number, outage_mean_down_h: number, latency_median_s: number, latency_p99_s: number, reboots_per_day: number, battery_drain_pct_per_day: number, };

export type TruthReport = { truth: Truth | null, readings: number, lost_channel: number, lost_outage: number, reboots: number, outages: number, published: number, acknowledged: number, wall_s: number, };

export type RecordSummary = { recording: number, received: number, duplicates: number, malformed: number,
/**
 * Times the broker went away and the recorder reconnected.
 */
reconnects: number, wall_s: number, };

export type StateLegend = {
/**
 * The code frames use for it (`FleetFrame::states`, the index of `SiteStates::counts`).
 */
code: number,
/**
 * Its name in snake case (`buffer_full`).
 */
key: string,
/**
 * Its name for people (`buffer full, losing data`).
 */
label: string, };

export type FleetSite = {
/**
 * The site's id in the scenario.
 */
id: string,
/**
 * Latitude and longitude, degrees.
 */
position: [number, number],
/**
 * Gateways (or cells) at the site.
 */
gateways: number, };

export type FleetLayout = {
/**
 * The run played back.
 */
run: number,
/**
 * The scenario's name.
 */
scenario: string,
/**
 * Hours the run simulated (hourly samples).
 */
hours: number,
/**
 * The scenario's sites, in order.
 */
sites: Array<FleetSite>,
/**
 * The device classes' names, in order.
 */
classes: Array<string>,
/**
 * Every state a device can be in, by code.
 */
legend: Array<StateLegend>,
/**
 * Each device's site (an index of `sites`), by device index.
 */
site_of: Array<number>,
/**
 * Each device's gateway within its site (0 to the site's gateways - 1).
 */
gateway_of: Array<number>,
/**
 * Each device's class (an index of `classes`).
 */
class_of: Array<number>,
/**
 * The calendar time of hour 0 (`scenario.start`), ms since the Unix epoch, UTC.
 */
start_ms: number,
/**
 * The currency of `FleetKpis::cost_to_date` (None: the scenario has no cost plan).
 */
currency: string | null, };

export type SiteStates = {
/**
 * The site's id.
 */
site: string,
/**
 * Devices in each state, by state code.
 */
counts: Array<number>, };

export type FleetFrame = {
/**
 * The simulated time asked for, seconds from the run's start.
 */
at_s: number,
/**
 * The hourly sample shown: the state at the end of this simulated hour (1-based).
 */
hour: number,
/**
 * Counts per site and state, sites in layout order.
 */
sites: Array<SiteStates>,
/**
 * Each device's state code, by device index.
 */
states: Array<number>,
/**
 * The fleet's figures at the end of that hour (None: the run stored no series).
 */
kpis: FleetKpis | null, };

export type FleetKpis = {
/**
 * The hour (1-based, as `FleetFrame::hour`).
 */
hour: number,
/**
 * Devices in service with a usable link at the hour's end.
 */
online: number,
/**
 * Readings waiting in device buffers at the hour's end.
 */
buffered: number,
/**
 * Readings delivered to date.
 */
delivered: number,
/**
 * Readings lost to date: in the network, dropped by full buffers or reboots, stranded in
 * dead devices.
 */
lost: number,
/**
 * Cost of ownership to date, undiscounted: the capital spend at the start plus the bill's
 * mean monthly spend for the months elapsed (a month is 365.25 / 12 days). None without a
 * cost plan.
 */
cost_to_date: number | null, };

export type DeviceDetails = {
/**
 * Its index (classes in scenario order, devices in order within each).
 */
device: number,
/**
 * Its class's name.
 */
class: string,
/**
 * Its site's id.
 */
site: string,
/**
 * Its gateway within the site, from 0.
 */
gateway: number,
/**
 * Its state's code (see `FleetLayout::legend`).
 */
state: number,
/**
 * Since when it has been in that state, simulated seconds from the run's start (the end of
 * the hour whose sample first saw it).
 */
since_s: number,
/**
 * Its battery's charge in tenths of capacity, rounded down (None: on mains, or not
 * recorded).
 */
battery_tenths: number | null,
/**
 * Its buffer's fill in tenths of capacity, rounded down (None: not recorded).
 */
buffer_tenths: number | null,
/**
 * The buffer's capacity, readings.
 */
buffer_capacity: number,
/**
 * The last event at its gateway, its site or fleet-wide, at or before that time, as
 * `12d 10:00  caption`.
 */
last_event: string | null, };

export type DemoBeat = {
/**
 * When, simulated seconds from the run's start.
 */
at_s: number,
/**
 * What the caption says, starting with the simulated time (`12d 10:00  ...`).
 */
caption: string,
/**
 * The site the camera moves to (an index of `FleetLayout::sites`); None: the whole fleet.
 */
site: number | null, };

export type DemoSummary = {
/**
 * The headline: the scenario and its verdict (`Mine production: NOT ready for production`).
 */
title: string,
/**
 * Whether the run was judged ready for production (None: the scenario sets no targets).
 */
ready: boolean | null,
/**
 * What broke and what held, a line each, failures first.
 */
lines: Array<string>, };

export type LiveFigures = {
/**
 * Simulated hours done.
 */
hours: number,
/**
 * Messages the devices generated.
 */
generated: number,
/**
 * Messages that reached the backend.
 */
delivered: number,
/**
 * Lost in the network (channel, outage, collision, duty cycle).
 */
lost_network: number,
/**
 * Dropped by full buffers.
 */
dropped_overflow: number,
/**
 * Wiped from RAM buffers by reboots and power cuts.
 */
dropped_reboot: number,
/**
 * Stranded in devices that died or failed.
 */
stranded_dead: number,
/**
 * Devices online (in service with a working link) now.
 */
online: number,
/**
 * Devices in the fleet.
 */
devices: number,
/**
 * Messages waiting in buffers now.
 */
buffered: number, };

export type Progress = {
/**
 * What is running: `run`, `sweep`, `sensitivity`, `calibrate`.
 */
phase: string,
/**
 * What is running, for people (e.g. `run plant-production x3`, `devices=2000`).
 */
message: string,
/**
 * Epochs (simulated hours) done by the replication that reported, of `epochs`.
 */
epoch: number,
/**
 * Epochs in one replication of the current scenario.
 */
epochs: number,
/**
 * The replication that reported (0-based), of `replications` planned so far (a precision
 * goal may add more).
 */
replication: number,
/**
 * Replications planned so far.
 */
replications: number,
/**
 * The sweep point or study run in progress (0-based), of `points` (0 of 1 for a run).
 */
point: number,
/**
 * Sweep points or study runs in all (1 for a run).
 */
points: number,
/**
 * Messages the devices generated so far, over every replication and point.
 */
messages_generated: number,
/**
 * Fraction of the whole work done, 0 to 1, never going back.
 */
fraction: number,
/**
 * Wall-clock seconds since the work started.
 */
elapsed_s: number,
/**
 * Wall-clock seconds left, estimated from the pace so far (None before any progress).
 */
eta_s: number | null,
/**
 * The work finished (the last event, at fraction 1).
 */
done: boolean,
/**
 * The replication that reported, so far (engine runs only: None for the bridge).
 */
live: LiveFigures | null, };

export type LiveComparison = {
/**
 * Messages recorded so far.
 */
messages: number,
/**
 * Devices seen so far.
 */
devices: number,
/**
 * Device-days the recording covers so far.
 */
device_days: number,
/**
 * Each metric of pilot and twin, its distance and tolerance.
 */
comparison: PilotComparison, };

export type BridgeEvent = { "warning": string } | { "progress": Progress } | { "compared": LiveComparison };

export type ErrorCode = "invalid_input" | "not_found" | "store" | "broker_unreachable" | "cancelled" | "io" | "internal";

export type ErrorReport = {
/**
 * What kind of failure it is.
 */
code: ErrorCode,
/**
 * For people, with its causes.
 */
message: string,
/**
 * For invalid input found in a file: every problem.
 */
problems: Array<Problem>, };

export type Problem = {
/**
 * The file, as given.
 */
file: string,
/**
 * 1-based; 0 when the problem comes from a `--set` override.
 */
line: number,
/**
 * 1-based, in characters.
 */
column: number,
/**
 * Dotted path of the field, e.g. `fleet.vibration.buffer.capacity`.
 */
path: string,
/**
 * What is wrong and what is allowed.
 */
message: string,
/**
 * The `--set` override the problem comes from, if any.
 */
from_override?: string, };
