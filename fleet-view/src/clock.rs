//! The playback clock: where in the run the view is, whether it plays, and how fast. Pure
//! arithmetic on simulated seconds, advanced by the wall-clock time of each frame; no Bevy here,
//! so it is tested on its own.

/// The slowest playback: one simulated hour per wall-clock second.
pub const MIN_SPEED_H_PER_S: f64 = 1.0;
/// The fastest playback: one simulated day per wall-clock second.
pub const MAX_SPEED_H_PER_S: f64 = 24.0;
/// The speeds the speed keys step through, simulated hours per second.
pub const SPEEDS_H_PER_S: [f64; 5] = [1.0, 2.0, 6.0, 12.0, 24.0];

/// Where the playback is in a run of `duration_s` simulated seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    /// Simulated seconds from the run's start (0 to `duration_s`).
    pub at_s: f64,
    /// The run's length, simulated seconds.
    pub duration_s: f64,
    /// Whether time moves.
    pub playing: bool,
    /// Simulated hours per wall-clock second (1 to 24).
    pub speed_h_per_s: f64,
}

impl Clock {
    /// Paused at the start of a run of `duration_s` seconds, at 1 h/s.
    pub fn new(duration_s: f64) -> Clock {
        Clock { at_s: 0.0, duration_s: duration_s.max(0.0), playing: false, speed_h_per_s: MIN_SPEED_H_PER_S }
    }

    /// Moves on by `wall_s` seconds of wall-clock time while playing; stops at the run's end.
    pub fn advance(&mut self, wall_s: f64) {
        if !self.playing {
            return;
        }
        self.at_s = (self.at_s + wall_s.max(0.0) * self.speed_h_per_s * 3600.0).min(self.duration_s);
        if self.at_s >= self.duration_s {
            self.playing = false;
        }
    }

    /// Jumps to `at_s` (clamped to the run).
    pub fn scrub(&mut self, at_s: f64) {
        self.at_s = at_s.clamp(0.0, self.duration_s);
    }

    /// Plays or pauses; playing from the end starts again.
    pub fn toggle(&mut self) {
        if !self.playing && self.at_s >= self.duration_s {
            self.at_s = 0.0;
        }
        self.playing = !self.playing;
    }

    /// Sets the speed, clamped to 1 h/s .. 1 d/s.
    pub fn set_speed(&mut self, h_per_s: f64) {
        self.speed_h_per_s = h_per_s.clamp(MIN_SPEED_H_PER_S, MAX_SPEED_H_PER_S);
    }

    /// The next faster (`up`) or slower step of [`SPEEDS_H_PER_S`].
    pub fn step_speed(&mut self, up: bool) {
        let now = self.speed_h_per_s;
        let next = if up {
            SPEEDS_H_PER_S.iter().copied().find(|&s| s > now + 1e-9).unwrap_or(MAX_SPEED_H_PER_S)
        } else {
            SPEEDS_H_PER_S.iter().rev().copied().find(|&s| s < now - 1e-9).unwrap_or(MIN_SPEED_H_PER_S)
        };
        self.set_speed(next);
    }

    /// The simulated date and time as days and a clock: `12d 10:00`.
    pub fn label(&self) -> String {
        studio::model::text::sim_clock(self.at_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_at_its_speed_and_stops_at_the_end() {
        let mut c = Clock::new(48.0 * 3600.0);
        c.advance(10.0);
        assert_eq!(c.at_s, 0.0, "paused: time stands");
        c.toggle();
        c.advance(2.0);
        assert_eq!(c.at_s, 2.0 * 3600.0, "1 h/s");
        c.set_speed(24.0);
        c.advance(2.0);
        assert_eq!(c.at_s, 48.0 * 3600.0, "a day a second, stopped at the end");
        assert!(!c.playing);
        c.toggle();
        assert_eq!((c.at_s, c.playing), (0.0, true), "play from the end starts again");
    }

    #[test]
    fn scrubs_within_the_run_and_steps_its_speeds() {
        let mut c = Clock::new(100.0);
        c.scrub(-5.0);
        assert_eq!(c.at_s, 0.0);
        c.scrub(500.0);
        assert_eq!(c.at_s, 100.0);
        c.set_speed(1000.0);
        assert_eq!(c.speed_h_per_s, MAX_SPEED_H_PER_S);
        c.set_speed(0.0);
        assert_eq!(c.speed_h_per_s, MIN_SPEED_H_PER_S);
        let mut seen = vec![c.speed_h_per_s];
        for _ in 0..6 {
            c.step_speed(true);
            seen.push(c.speed_h_per_s);
        }
        assert_eq!(seen, [1.0, 2.0, 6.0, 12.0, 24.0, 24.0, 24.0]);
        c.step_speed(false);
        assert_eq!(c.speed_h_per_s, 12.0);
        let c = Clock { at_s: (12.0 * 24.0 + 10.5) * 3600.0, ..Clock::new(1e9) };
        assert_eq!(c.label(), "12d 10:30");
    }
}
