//! The pilot recorder: subscribes to a pilot's topics with QoS 1 on a persistent session, reads
//! each message through the mapping file, stores it in the run database, and only then
//! acknowledges it. So a message the recorder acknowledged is on disk, and one it had not
//! acknowledged when the broker went away comes again (stored once: duplicates are counted).
//! Malformed messages are counted and sampled, never fatal.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use rumqttc::{AsyncClient, Event, Packet, PubAck, Publish, QoS, Request, Subscribe};
use store::{MalformedRow, NewRecording, PilotRow, Store};
use tokio::sync::mpsc;

use crate::broker::{Connect, Unreachable};
use crate::map::{MQTT_MAX_PACKET_BYTES, PilotMap};
use crate::retry::Attempts;

/// What [`record`] tells its caller while it records.
#[derive(Debug)]
pub enum Recorded<'a> {
    /// A batch of readings, just stored.
    Stored(&'a [PilotRow]),
    /// The connection was lost or regained: for people.
    Note(String),
    /// The first connection is up and the pilot's topics are subscribed: the pilot may start.
    Connected,
}

#[derive(Clone, Debug)]
pub struct RecordOptions {
    pub name: String,
    /// Stop after this long (wall clock).
    pub duration: Option<Duration>,
    /// Stop when no message has come for this long (after the first one).
    pub idle_timeout: Option<Duration>,
    pub created_at: String,
}

/// What a recording took in.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct RecordSummary {
    pub recording: i64,
    pub received: u64,
    pub duplicates: u64,
    pub malformed: u64,
    /// Times the broker went away and the recorder reconnected.
    pub reconnects: u64,
    pub wall_s: f64,
}

enum FromLoop {
    Publish(Box<Publish>, i64, u64),
    Connected {
        session_present: bool,
        generation: u64,
    },
    Lost(String),
    /// The retry policy is spent, or the failure is permanent (refused login, TLS): why.
    GaveUp(String),
}

/// Messages read from the broker but not yet stored: the recorder's memory bound. When the
/// store falls behind, the connection is not read (TCP flow control holds the broker back)
/// instead of buffering without limit.
const WINDOW: usize = 4096;

/// A stored message's acknowledgement, for the connection it came on.
struct Ack {
    pkid: u16,
    generation: u64,
}

/// The largest part of a malformed payload kept as its sample.
const SAMPLE_BYTES: usize = 4096;

fn now_us() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

/// Records until `opts.duration` or `opts.idle_timeout` says stop, or `stop` resolves (e.g.
/// Ctrl-C). `on` sees every stored batch (the live divergence check). Fails, with the
/// broker's reason, when it cannot connect within `connect.retry` (a refused login or a failed
/// TLS verification at once); the recording is then left `incomplete`.
///
/// Flow: one task polls the MQTT connection and hands messages over a channel of [`WINDOW`]
/// places, polling only when there is room; this task stores them in batches and hands their
/// acknowledgements back to the polling task without waiting, which writes them on the
/// connection they came from before its next poll. Neither task waits for the other's room, so
/// they cannot block each other.
///
/// `on` hears of every batch as it is stored ([`Recorded::Stored`]) and of every connection
/// lost and regained ([`Recorded::Note`], for people), as it happens, and once the first
/// connection is up and subscribed ([`Recorded::Connected`]).
pub async fn record(
    connect: &Connect,
    map: &PilotMap,
    map_text: &str,
    store: &mut Store,
    opts: &RecordOptions,
    stop: impl std::future::Future<Output = ()>,
    mut on: impl FnMut(Recorded<'_>),
) -> Result<RecordSummary> {
    let started = Instant::now();
    let client_id = format!("scaleproof-rec-{}", opts.name);
    let mut o = connect.options(&client_id, &client_id)?;
    o.set_clean_session(false);
    o.set_manual_acks(true);
    // Take any packet MQTT allows: an oversized payload is malformed (by the map's limit), not a
    // dropped connection that the broker answers by sending the same message again.
    o.set_max_packet_size(MQTT_MAX_PACKET_BYTES, 256 * 1024);
    let (client, mut el) = AsyncClient::new(o, 64);
    let rec = store.begin_recording(&NewRecording {
        created_at: &opts.created_at,
        name: &opts.name,
        broker: &connect.broker.display(),
        map_text,
        pid: std::process::id(),
    })?;
    let (tx, mut rx) = mpsc::channel::<FromLoop>(WINDOW);
    let (ack_tx, mut ack_rx) = mpsc::unbounded_channel::<Ack>();
    let retry = connect.retry;
    let topics = map.topics.clone();
    let pump = tokio::spawn(async move {
        let mut generation = 0u64;
        let mut attempts = Attempts::new(retry);
        loop {
            let Ok(permit) = tx.reserve().await else { break };
            // Acknowledgements of stored messages go out on the connection that brought them,
            // written straight into its buffer and flushed once. (Queued as requests, one is sent
            // per poll while a poll can read ten messages: the queue grew by 190,000 in a
            // 500,000-message recording.)
            let mut wrote = false;
            while let Ok(a) = ack_rx.try_recv() {
                if a.generation == generation
                    && let Some(net) = el.network.as_mut()
                {
                    wrote |= net.write(Packet::PubAck(PubAck::new(a.pkid))).await.is_ok();
                }
            }
            if wrote && let Some(net) = el.network.as_mut() {
                // A failed write shows as an error of the next poll (the connection is gone).
                let _ = net.flush().await;
            }
            match el.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(c))) => {
                    attempts.connected();
                    generation += 1;
                    if !c.session_present {
                        // A new session: subscribe (queued here, not through the client, so
                        // nothing in the recorder ever waits for the client's request queue).
                        for t in &topics {
                            el.pending.push_back(Request::Subscribe(Subscribe::new(t.clone(), QoS::AtLeastOnce)));
                        }
                    }
                    permit.send(FromLoop::Connected { session_present: c.session_present, generation });
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    permit.send(FromLoop::Publish(Box::new(p), now_us(), generation));
                }
                Ok(_) => {}
                Err(e) => {
                    // Acknowledgements for the lost connection are not sent on the next: the
                    // broker delivers those messages again (stored once, counted as duplicates).
                    generation += 1;
                    match attempts.failed(&e) {
                        Ok(delay) => {
                            permit.send(FromLoop::Lost(e.to_string()));
                            tokio::time::sleep(delay).await;
                        }
                        Err(why) => {
                            permit.send(FromLoop::GaveUp(why));
                            break;
                        }
                    }
                }
            }
        }
    });
    let mut summary = RecordSummary { recording: rec, ..RecordSummary::default() };
    let mut generation = 0u64;
    let mut was_connected = false;
    let mut last_message: Option<Instant> = None;
    let mut batch: Vec<(Box<Publish>, i64, u64)> = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut failure = None;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            m = rx.recv() => {
                let Some(m) = m else { break };
                let mut next = Some(m);
                // Take everything already waiting, then store it in one transaction.
                while let Some(m) = next.take() {
                    match m {
                        FromLoop::Publish(p, at, g) => batch.push((p, at, g)),
                        FromLoop::Connected { session_present, generation: g } => {
                            generation = g;
                            if was_connected {
                                summary.reconnects += 1;
                                on(Recorded::Note(format!(
                                    "recorder: reconnected to {} (session kept: {session_present})",
                                    connect.broker.display()
                                )));
                            } else {
                                on(Recorded::Connected);
                            }
                            was_connected = true;
                        }
                        FromLoop::Lost(e) => {
                            if was_connected {
                                on(Recorded::Note(format!(
                                    "recorder: broker {} went away ({e}); reconnecting",
                                    connect.broker.display()
                                )));
                            }
                        }
                        FromLoop::GaveUp(why) => failure = Some(why),
                    }
                    if batch.len() < 2000 && failure.is_none() {
                        next = rx.try_recv().ok();
                    }
                }
                if !batch.is_empty() {
                    last_message = Some(Instant::now());
                    flush(&client, &ack_tx, map, store, rec, &mut batch, generation, &mut summary, &mut on)?;
                }
                if failure.is_some() {
                    break;
                }
            }
            _ = tick.tick() => {}
            _ = &mut stop => break,
        }
        if opts.duration.is_some_and(|d| started.elapsed() >= d)
            || opts.idle_timeout.zip(last_message).is_some_and(|(d, l)| l.elapsed() >= d)
        {
            break;
        }
    }
    if let Some(why) = failure {
        pump.abort();
        store.abandon_recording(rec)?;
        return Err(Unreachable(format!(
            "cannot record from {}: {why} (recording {rec} kept as incomplete, {} messages stored)",
            connect.broker.display(),
            summary.received
        ))
        .into());
    }
    // Every batch was stored as it came in; give the acknowledgements a moment to leave, then
    // disconnect. Messages still arriving meanwhile are not stored and not acknowledged (the
    // broker keeps them for the session's next recording); taking them keeps the polling task
    // moving, and nothing here waits on the client's request queue (it may be full).
    linger(&mut rx, Duration::from_millis(200)).await;
    let _ = client.try_disconnect();
    linger(&mut rx, Duration::from_millis(100)).await;
    pump.abort();
    store.finish_recording(rec)?;
    summary.wall_s = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Takes (and drops) what the polling task hands over, for `d`.
async fn linger(rx: &mut mpsc::Receiver<FromLoop>, d: Duration) {
    let _ = tokio::time::timeout(d, async { while rx.recv().await.is_some() {} }).await;
}

#[allow(clippy::too_many_arguments)]
fn flush(
    client: &AsyncClient,
    acks: &mpsc::UnboundedSender<Ack>,
    map: &PilotMap,
    store: &mut Store,
    rec: i64,
    batch: &mut Vec<(Box<Publish>, i64, u64)>,
    generation: u64,
    summary: &mut RecordSummary,
    on: &mut impl FnMut(Recorded<'_>),
) -> Result<()> {
    let mut rows = Vec::with_capacity(batch.len());
    let mut bad = Vec::new();
    for (p, at, _) in batch.iter() {
        match map.extract(&p.topic, &p.payload) {
            Ok(r) => rows.push(PilotRow {
                device: r.device,
                seq: r.seq,
                ts_us: r.ts_us,
                rx_us: r.rx_us.unwrap_or(*at),
                battery_pct: r.battery_pct,
                fields_json: r.fields_json,
            }),
            Err(reason) => bad.push(MalformedRow {
                topic: p.topic.clone(),
                reason,
                payload: p.payload[..p.payload.len().min(SAMPLE_BYTES)].to_vec(),
            }),
        }
    }
    let (stored, dups) = tokio::task::block_in_place(|| store.append_recording(rec, &rows, &bad))?;
    summary.received += stored;
    summary.duplicates += dups;
    summary.malformed += bad.len() as u64;
    // Acknowledgements go to the polling task, which queues them on the connection before its
    // next poll; the batch's last one also goes through the client's request queue, so a poll
    // waiting on a quiet connection wakes and the batch is acknowledged without delay. (All of
    // them through the request queue measured 20 times slower: one write and flush each.)
    let last = batch.len().saturating_sub(1);
    for (i, (p, _, g)) in batch.drain(..).enumerate() {
        if g != generation || p.qos != QoS::AtLeastOnce {
            continue;
        }
        if i == last && client.try_ack(&p).is_ok() {
            continue;
        }
        // The polling task has stopped only if the recording is ending: nothing to send.
        let _ = acks.send(Ack { pkid: p.pkid, generation: g });
    }
    on(Recorded::Stored(&rows));
    Ok(())
}
