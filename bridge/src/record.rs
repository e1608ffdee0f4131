//! The pilot recorder: subscribes to a pilot's topics with QoS 1 on a persistent session, reads
//! each message through the mapping file, stores it in the run database, and only then
//! acknowledges it. So a message the recorder acknowledged is on disk, and one it had not
//! acknowledged when the broker went away comes again (stored once: duplicates are counted).
//! Malformed messages are counted and sampled, never fatal.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use rumqttc::{AsyncClient, Event, Packet, Publish, QoS};
use store::{MalformedRow, NewRecording, PilotRow, Store};
use tokio::sync::mpsc;

use crate::broker::Connect;
use crate::map::PilotMap;

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
#[derive(Clone, Debug, Default, serde::Serialize)]
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
    Connected { session_present: bool, generation: u64 },
    Lost(String),
}

fn now_us() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

/// Records until `opts.duration` or `opts.idle_timeout` says stop, or `stop` resolves (e.g.
/// Ctrl-C). `watch` sees every stored batch (the live divergence check).
pub async fn record(
    connect: &Connect,
    map: &PilotMap,
    map_text: &str,
    store: &mut Store,
    opts: &RecordOptions,
    stop: impl std::future::Future<Output = ()>,
    mut watch: impl FnMut(&[PilotRow]),
) -> Result<RecordSummary> {
    let started = Instant::now();
    let client_id = format!("scaleproof-rec-{}", opts.name);
    let mut o = connect.options(&client_id, &client_id)?;
    o.set_clean_session(false);
    o.set_manual_acks(true);
    let (client, mut el) = AsyncClient::new(o, 4096);
    let rec = store.begin_recording(&NewRecording {
        created_at: &opts.created_at,
        name: &opts.name,
        broker: &connect.broker.display(),
        map_text,
        pid: std::process::id(),
    })?;
    // Unbounded on purpose: the event loop must keep polling (it also sends our acknowledgements),
    // and the broker sends no more than its in-flight window of unacknowledged messages.
    let (tx, mut rx) = mpsc::unbounded_channel::<FromLoop>();
    let pump = tokio::spawn(async move {
        let mut generation = 0u64;
        loop {
            match el.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(c))) => {
                    generation += 1;
                    if tx.send(FromLoop::Connected { session_present: c.session_present, generation }).is_err() {
                        break;
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    if tx.send(FromLoop::Publish(Box::new(p), now_us(), generation)).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    if tx.send(FromLoop::Lost(e.to_string())).is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
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
                                eprintln!("recorder: reconnected to {} (session kept: {session_present})", connect.broker.display());
                            }
                            was_connected = true;
                            if !session_present {
                                for t in &map.topics {
                                    client.subscribe(t.clone(), QoS::AtLeastOnce).await?;
                                }
                            }
                        }
                        FromLoop::Lost(e) => {
                            if was_connected && generation > 0 {
                                eprintln!("recorder: broker {} went away ({e}); reconnecting", connect.broker.display());
                            }
                            // Acknowledgements from the old connection are not sent: the broker
                            // delivers those messages again.
                            generation = u64::MAX;
                        }
                    }
                    if batch.len() < 2000 {
                        next = rx.try_recv().ok();
                    }
                }
                if !batch.is_empty() {
                    last_message = Some(Instant::now());
                    flush(&client, map, store, rec, &mut batch, generation, &mut summary, &mut watch).await?;
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
    // Every batch was stored as it came in; give the acknowledgements a moment to leave before
    // disconnecting.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = client.disconnect().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    pump.abort();
    store.finish_recording(rec)?;
    summary.wall_s = started.elapsed().as_secs_f64();
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
async fn flush(
    client: &AsyncClient,
    map: &PilotMap,
    store: &mut Store,
    rec: i64,
    batch: &mut Vec<(Box<Publish>, i64, u64)>,
    generation: u64,
    summary: &mut RecordSummary,
    watch: &mut impl FnMut(&[PilotRow]),
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
            Err(reason) => bad.push(MalformedRow { topic: p.topic.clone(), reason, payload: p.payload.to_vec() }),
        }
    }
    let (stored, dups) = tokio::task::block_in_place(|| store.append_recording(rec, &rows, &bad))?;
    summary.received += stored;
    summary.duplicates += dups;
    summary.malformed += bad.len() as u64;
    for (p, _, g) in batch.drain(..) {
        if g == generation {
            client.ack(&p).await?;
        }
    }
    watch(&rows);
    Ok(())
}
