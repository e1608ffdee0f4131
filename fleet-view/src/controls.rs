//! The interactive view's controls: Space plays or pauses; Left and Right step an hour back or
//! on (with Shift a day); Up and Down change the speed (1 h/s to 1 day/s); Home and End jump to
//! the start and end; the mouse wheel zooms, dragging with the left button pans, a click on a
//! device or a site shows its details (on the timeline: jumps there); F11 toggles full screen;
//! Escape or Q quits. The clock moves by each frame's wall-clock time while playing. In demo mode the story
//! drives the clock ([`crate::demo`]): only the camera, F11 (full screen) and quitting are here.

use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll};
use bevy::prelude::*;

use crate::scene::ViewClock;

/// Keys and mouse: the playback (unless a demo drives it) and the camera.
pub struct ControlsPlugin {
    /// A demo drives the clock.
    pub demo: bool,
}

impl Plugin for ControlsPlugin {
    fn build(&self, app: &mut App) {
        if !self.demo {
            app.add_systems(Update, (keys, advance).chain().before(crate::scene::SceneSet));
        }
        app.add_systems(Update, (quit_keys, camera, full_screen, click));
    }
}

/// Escape or Q quits.
pub fn quit_keys(keys: Res<ButtonInput<KeyCode>>, mut exit: MessageWriter<AppExit>) {
    if keys.just_pressed(KeyCode::Escape) || keys.just_pressed(KeyCode::KeyQ) {
        exit.write(AppExit::Success);
    }
}

/// F11 toggles full screen.
fn full_screen(keys: Res<ButtonInput<KeyCode>>, mut window: Option<Single<&mut Window>>) {
    if !keys.just_pressed(KeyCode::F11) {
        return;
    }
    if let Some(w) = &mut window {
        w.mode = match w.mode {
            bevy::window::WindowMode::Windowed => {
                bevy::window::WindowMode::BorderlessFullscreen(bevy::window::MonitorSelection::Current)
            }
            _ => bevy::window::WindowMode::Windowed,
        };
    }
}

/// The clock moves on by the frame's wall-clock time while playing.
pub fn advance(time: Res<Time>, mut clock: ResMut<ViewClock>) {
    clock.0.advance(time.delta_secs_f64());
}

/// Playback keys.
pub fn keys(keys: Res<ButtonInput<KeyCode>>, mut clock: ResMut<ViewClock>) {
    let c = &mut clock.0;
    let step_h = if keys.pressed(KeyCode::ShiftLeft) || keys.pressed(KeyCode::ShiftRight) { 24.0 } else { 1.0 };
    if keys.just_pressed(KeyCode::Space) {
        c.toggle();
    }
    if keys.just_pressed(KeyCode::ArrowRight) {
        c.scrub(c.at_s + step_h * 3600.0);
    }
    if keys.just_pressed(KeyCode::ArrowLeft) {
        c.scrub(c.at_s - step_h * 3600.0);
    }
    if keys.just_pressed(KeyCode::ArrowUp) {
        c.step_speed(true);
    }
    if keys.just_pressed(KeyCode::ArrowDown) {
        c.step_speed(false);
    }
    if keys.just_pressed(KeyCode::Home) {
        c.scrub(0.0);
    }
    if keys.just_pressed(KeyCode::End) {
        c.scrub(c.duration_s);
    }
}

/// A left click that did not drag selects what is under it (a device, a site, or nothing).
#[expect(clippy::too_many_arguments, reason = "a Bevy system takes what it touches as parameters")]
fn click(
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    mut dragged_px: Local<f32>,
    window: Option<Single<&Window>>,
    cameras: Query<(&Camera, &GlobalTransform), With<Camera2d>>,
    ui: Query<&Interaction>,
    data: Res<crate::scene::FleetData>,
    mut selected: ResMut<crate::scene::Selected>,
) {
    if buttons.just_pressed(MouseButton::Left) {
        *dragged_px = 0.0;
    }
    if buttons.pressed(MouseButton::Left) {
        *dragged_px += motion.delta.length();
    }
    if !buttons.just_released(MouseButton::Left) || *dragged_px > 4.0 {
        return;
    }
    // A click on the timeline is the timeline's.
    if ui.iter().any(|i| *i != Interaction::None) {
        return;
    }
    let Some(cursor) = window.and_then(|w| w.cursor_position()) else { return };
    let Ok((camera, at)) = cameras.single() else { return };
    let Ok(p) = camera.viewport_to_world_2d(at, cursor) else { return };
    selected.0 = data.map.pick([p.x, p.y]);
}

/// Wheel zoom and left-button drag pan.
fn camera(
    scroll: Res<AccumulatedMouseScroll>,
    motion: Res<AccumulatedMouseMotion>,
    buttons: Res<ButtonInput<MouseButton>>,
    window: Option<Single<&Window>>,
    mut cameras: Query<(&mut Transform, &mut Projection), With<Camera2d>>,
) {
    let Ok((mut at, mut projection)) = cameras.single_mut() else { return };
    let Projection::Orthographic(o) = &mut *projection else { return };
    if scroll.delta.y != 0.0 {
        o.scale = (o.scale * (1.0 - 0.1 * scroll.delta.y.clamp(-5.0, 5.0))).clamp(0.02, 4.0);
    }
    if buttons.pressed(MouseButton::Left) && motion.delta != Vec2::ZERO {
        let width_px = window.map_or(1280.0, |w| w.width()).max(1.0);
        let world_per_px = o.area.width() / width_px;
        at.translation.x -= motion.delta.x * world_per_px;
        at.translation.y += motion.delta.y * world_per_px;
    }
}
