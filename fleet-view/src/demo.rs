//! Demo mode: the run tells its own story. The clock plays the run; at each beat of the story
//! (`studio::playback::demo::script`: the scenario's events with their captions, buffers filling
//! until readings are lost, outages ending, firmware waves) it stops, shows the caption, moves
//! the camera to where it happens and holds for a few seconds; after a beat it plays slowly, so
//! the devices can be seen changing, then fast to the next. At the end, a card with the verdict
//! and what broke. Space pauses, Right skips to the next beat.
//!
//! [`DemoPlayer`] is the timing, pure and tested on its own; [`DemoPlugin`] puts it on screen.

use bevy::prelude::*;
use bevy::ui::UiTargetCamera;
use studio::contract::{DemoBeat, DemoSummary};

use crate::clock::Clock;
use crate::palette;
use crate::scene::{CameraGoal, ViewClock};

/// Wall-clock seconds each caption holds the playback.
pub const HOLD_S: f64 = 4.0;
/// Simulated hours after a beat played at [`SLOW_H_PER_S`].
pub const SLOW_AFTER_BEAT_H: f64 = 8.0;
/// The speed just after a beat, simulated hours per second.
pub const SLOW_H_PER_S: f64 = 2.0;
/// The speed between beats: a simulated day per second.
pub const FAST_H_PER_S: f64 = 24.0;

/// Where the story is.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoPlayer {
    /// The beats, in time order.
    pub beats: Vec<DemoBeat>,
    /// The card at the end.
    pub summary: DemoSummary,
    /// The beat whose caption is on screen.
    pub shown: Option<usize>,
    /// The run has played to its end: the card is on screen.
    pub finished: bool,
    /// Paused by the presenter.
    pub paused: bool,
    next: usize,
    hold_left_s: f64,
}

impl DemoPlayer {
    /// The story of `beats` and `summary`, not started.
    pub fn new(beats: Vec<DemoBeat>, summary: DemoSummary) -> DemoPlayer {
        DemoPlayer { beats, summary, shown: None, finished: false, paused: false, next: 0, hold_left_s: 0.0 }
    }

    /// Whether a caption holds the playback still.
    pub fn holding(&self) -> bool {
        self.hold_left_s > 0.0
    }

    /// Lets the caption on screen go: the story moves on at the next step.
    pub fn skip(&mut self) {
        self.hold_left_s = 0.0;
    }

    /// One frame of `wall_s` wall-clock seconds: holds a caption, or plays the clock to the next
    /// beat (stopping exactly at it), or to the run's end.
    pub fn step(&mut self, clock: &mut Clock, wall_s: f64) {
        clock.playing = false;
        if self.finished || self.paused {
            return;
        }
        if self.hold_left_s > 0.0 {
            self.hold_left_s -= wall_s.max(0.0);
            return;
        }
        // Beats at or before the clock (several at one time) each get their hold.
        if let Some(b) = self.beats.get(self.next).filter(|b| b.at_s <= clock.at_s) {
            clock.scrub(b.at_s);
            self.shown = Some(self.next);
            self.next += 1;
            self.hold_left_s = HOLD_S;
            return;
        }
        let since_beat_h = self.shown.map_or(f64::INFINITY, |i| (clock.at_s - self.beats[i].at_s) / 3600.0);
        clock.set_speed(if since_beat_h < SLOW_AFTER_BEAT_H { SLOW_H_PER_S } else { FAST_H_PER_S });
        clock.playing = true;
        let before = clock.at_s;
        clock.advance(wall_s);
        if let Some(b) = self.beats.get(self.next).filter(|b| b.at_s <= clock.at_s && b.at_s >= before) {
            // Stop at the beat, not past it: its caption is shown at its time.
            clock.scrub(b.at_s);
        } else if clock.at_s >= clock.duration_s {
            self.finished = true;
            self.shown = None;
        }
        clock.playing = false;
    }
}

/// The story being told.
#[derive(Resource)]
pub struct Demo(pub DemoPlayer);

#[derive(Component)]
struct CaptionPanel;

#[derive(Component)]
struct CaptionText;

#[derive(Component)]
struct SummaryCard;

/// How the story moves the clock: by itself (a presentation), or not at all (frames exported
/// one by one, each placed by the exporter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drive {
    /// The story plays at wall-clock speed.
    Play,
    /// The exporter sets the beat and the clock; the plugin only draws.
    Still,
}

/// Shows the story: the caption, the camera's goal, the card at the end.
pub struct DemoPlugin(pub Drive);

impl Plugin for DemoPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, spawn_panels).add_systems(Update, show.after(crate::scene::SceneSet));
        if self.0 == Drive::Play {
            app.add_systems(Update, (keys, step).chain().before(crate::scene::SceneSet));
        }
    }
}

fn step(time: Res<Time>, mut demo: ResMut<Demo>, mut clock: ResMut<ViewClock>) {
    demo.0.step(&mut clock.0, time.delta_secs_f64());
}

/// Space pauses the story, Right moves on to the next beat.
fn keys(keys: Res<ButtonInput<KeyCode>>, mut demo: ResMut<Demo>) {
    if keys.just_pressed(KeyCode::Space) {
        demo.0.paused = !demo.0.paused;
    }
    if keys.just_pressed(KeyCode::ArrowRight) || keys.just_pressed(KeyCode::KeyN) {
        demo.0.skip();
    }
}

fn spawn_panels(mut commands: Commands, cameras: Query<Entity, With<Camera2d>>) {
    let Some(camera) = cameras.iter().next() else { return };
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                top: px(110),
                left: percent(22),
                right: percent(4),
                padding: UiRect::axes(px(18), px(12)),
                display: Display::None,
                ..default()
            },
            BackgroundColor(palette::CAPTION),
            UiTargetCamera(camera),
            CaptionPanel,
        ))
        .with_children(|p| {
            p.spawn((Text::new(""), TextFont::from_font_size(26.0), TextColor(palette::TEXT), CaptionText));
        });
    commands.spawn((
        Node {
            position_type: PositionType::Absolute,
            top: percent(22),
            left: percent(18),
            right: percent(18),
            padding: UiRect::all(px(28)),
            flex_direction: FlexDirection::Column,
            row_gap: px(10),
            display: Display::None,
            ..default()
        },
        BackgroundColor(palette::CARD),
        UiTargetCamera(camera),
        SummaryCard,
    ));
}

/// Puts the story's state on screen when it changes.
#[expect(clippy::type_complexity, reason = "a Bevy query's filters are its type")]
fn show(
    mut commands: Commands,
    demo: Res<Demo>,
    mut last: Local<Option<(Option<usize>, bool)>>,
    mut panel: Query<&mut Node, (With<CaptionPanel>, Without<SummaryCard>)>,
    mut caption: Query<&mut Text, With<CaptionText>>,
    mut card: Query<(Entity, &mut Node), (With<SummaryCard>, Without<CaptionPanel>)>,
    mut goal: ResMut<CameraGoal>,
) {
    let d = &demo.0;
    if *last == Some((d.shown, d.finished)) {
        return;
    }
    *last = Some((d.shown, d.finished));
    let beat = d.shown.and_then(|i| d.beats.get(i));
    for mut node in &mut panel {
        node.display = if beat.is_some() { Display::Flex } else { Display::None };
    }
    for mut t in &mut caption {
        **t = beat.map(|b| b.caption.clone()).unwrap_or_default();
    }
    goal.site = beat.and_then(|b| b.site).map(usize::from);
    goal.changed = true;
    for (entity, mut node) in &mut card {
        node.display = if d.finished { Display::Flex } else { Display::None };
        if !d.finished {
            continue;
        }
        commands.entity(entity).despawn_children();
        let verdict_colour = match d.summary.ready {
            Some(true) => palette::color(1),
            Some(false) => palette::color(3),
            None => palette::TEXT,
        };
        commands.entity(entity).with_children(|c| {
            c.spawn((Text::new(d.summary.title.clone()), TextFont::from_font_size(30.0), TextColor(verdict_colour)));
            for line in &d.summary.lines {
                c.spawn((Text::new(line.clone()), TextFont::from_font_size(21.0), TextColor(palette::TEXT)));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(at_h: f64, caption: &str) -> DemoBeat {
        DemoBeat { at_s: at_h * 3600.0, caption: caption.into(), site: None }
    }

    fn player() -> DemoPlayer {
        let card = DemoSummary { title: "t".into(), ready: Some(false), lines: Vec::new() };
        DemoPlayer::new(vec![beat(0.0, "start"), beat(10.0, "cut"), beat(10.0, "also"), beat(30.0, "full")], card)
    }

    #[test]
    fn stops_at_each_beat_holds_it_then_plays_slowly_then_fast() {
        let mut p = player();
        let mut c = Clock::new(48.0 * 3600.0);
        let mut seen = Vec::new();
        let mut frames = 0;
        while !p.finished && frames < 10_000 {
            p.step(&mut c, 0.1);
            frames += 1;
            if let Some(i) = p.shown
                && seen.last() != Some(&(i, c.at_s))
                && p.holding()
            {
                seen.push((i, c.at_s));
            }
        }
        assert!(p.finished, "the story reaches its end");
        let at: Vec<(usize, f64)> = seen.iter().map(|&(i, s)| (i, s / 3600.0)).collect();
        assert_eq!(at, [(0, 0.0), (1, 10.0), (2, 10.0), (3, 30.0)], "each beat at its time, in order");
        // 4 holds of 4 s, 8 h at 2 h/s after each of three beat times (12 s), the rest at 24 h/s.
        let expected_s = 4.0 * HOLD_S + 3.0 * SLOW_AFTER_BEAT_H / SLOW_H_PER_S + (48.0 - 24.0) / FAST_H_PER_S;
        assert!((frames as f64 * 0.1 - expected_s).abs() < 1.0, "{frames} frames, expected about {expected_s} s");
    }

    #[test]
    fn pause_and_skip() {
        let mut p = player();
        let mut c = Clock::new(48.0 * 3600.0);
        p.step(&mut c, 0.1);
        assert_eq!(p.shown, Some(0));
        p.skip();
        p.paused = true;
        for _ in 0..100 {
            p.step(&mut c, 0.1);
        }
        assert_eq!((c.at_s, p.shown), (0.0, Some(0)), "paused: nothing moves");
        p.paused = false;
        for _ in 0..200 {
            p.step(&mut c, 0.1);
            if p.shown == Some(1) {
                break;
            }
        }
        assert_eq!((p.shown, c.at_s), (Some(1), 36_000.0));
        assert!(!c.playing, "the clock only moves within a step");
    }
}
