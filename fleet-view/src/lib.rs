//! The fleet view: a Bevy map that plays a stored run back. `studio` serves the frames (each
//! device's state at a simulated time, from the run's playback data), the figures to date, the
//! events and the story a demo tells; this crate only draws them: sites at their scenario
//! coordinates, gateways, every device as a marker coloured by its state, outages darkening
//! their area, the legend, the simulated date and time, the timeline with its events. [`still`]
//! renders one frame to a PNG with no window system, [`demo_frames`] the demo's slides;
//! [`window`] opens the interactive view, or the demo.

pub mod clock;
pub mod controls;
pub mod demo;
pub mod map;
pub mod palette;
pub mod scene;

use std::path::Path;
use std::sync::{Arc, Mutex};

use bevy::asset::RenderAssetUsages;
use bevy::camera::RenderTarget;
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::render::pipelined_rendering::PipelinedRenderingPlugin;
use bevy::render::render_resource::{Extent3d, PollType, TextureDimension, TextureFormat, TextureUsages};
use bevy::render::renderer::RenderDevice;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;

pub use clock::Clock;
pub use scene::{FleetData, FleetScenePlugin, ViewClock};

/// A rendered frame: RGB bytes, row by row from the top.
pub struct Still {
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// 3 bytes a pixel.
    pub rgb: Vec<u8>,
    /// The frame drawn (each device's state, counts per site).
    pub frame: studio::contract::FleetFrame,
}

/// Renders `playback` at simulated time `at_s` into a `width` x `height` image, with no window
/// and no window system (Vulkan on whatever adapter there is: lavapipe on a machine with no GPU);
/// with `selected`, its details shown as if clicked.
pub fn still(
    playback: studio::playback::Playback,
    at_s: f64,
    width: u32,
    height: u32,
    selected: Option<map::Picked>,
) -> anyhow::Result<Still> {
    let mut h = Headless::new(playback, at_s, width, height, None)?;
    h.app.insert_resource(scene::Selected(selected));
    h.capture()
}

/// Renders the demo of `playback` as slides into `dir`: one PNG per beat of its story (at the
/// beat's time, its caption shown, the camera on its site) and the card at the end, as
/// `01-12d-1000.png` ... `NN-summary.png`. Returns the files written, in order.
pub fn demo_frames(
    playback: studio::playback::Playback,
    dir: &Path,
    width: u32,
    height: u32,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let beats = studio::playback::demo::script(&playback);
    let card = studio::playback::demo::summary(&playback);
    let end_s = playback.duration_s();
    let player = demo::DemoPlayer::new(beats.clone(), card);
    let mut h = Headless::new(playback, 0.0, width, height, Some(player))?;
    let mut written = Vec::new();
    for i in 0..=beats.len() {
        let (at_s, name) = match beats.get(i) {
            Some(b) => (
                b.at_s,
                format!("{:02}-{}.png", i + 1, studio::model::text::sim_clock(b.at_s).replace([' ', ':'], "-")),
            ),
            None => (end_s, format!("{:02}-summary.png", i + 1)),
        };
        {
            let world = h.app.world_mut();
            world.resource_mut::<ViewClock>().0.scrub(at_s);
            let mut d = world.resource_mut::<demo::Demo>();
            d.0.shown = (i < beats.len()).then_some(i);
            d.0.finished = i == beats.len();
            world.resource_mut::<scene::CameraGoal>().snap = true;
        }
        let path = dir.join(name);
        h.capture()?.save_png(&path)?;
        written.push(path);
    }
    Ok(written)
}

/// A view rendered into an image with no window: the scene (and a demo's panels when given one),
/// a camera on the image, and frames read back.
struct Headless {
    app: App,
    target: Handle<Image>,
}

impl Headless {
    fn new(
        playback: studio::playback::Playback,
        at_s: f64,
        width: u32,
        height: u32,
        demo: Option<demo::DemoPlayer>,
    ) -> anyhow::Result<Headless> {
        let duration_s = playback.duration_s();
        let mut app = App::new();
        app.add_plugins(
            DefaultPlugins
                .set(WindowPlugin { primary_window: None, exit_condition: ExitCondition::DontExit, ..default() })
                .set(RenderPlugin { synchronous_pipeline_compilation: true, ..default() })
                .disable::<WinitPlugin>()
                .disable::<bevy::log::LogPlugin>()
                // The frame captured is the frame drawn (no one-frame pipelining).
                .disable::<PipelinedRenderingPlugin>(),
        )
        .insert_resource(FleetData::new(playback))
        .insert_resource(ViewClock(Clock { at_s, ..Clock::new(duration_s) }))
        .add_plugins(FleetScenePlugin);
        if let Some(d) = demo {
            app.insert_resource(demo::Demo(d)).add_plugins(demo::DemoPlugin(demo::Drive::Still));
        }
        app.finish();
        app.cleanup();

        let mut target = Image::new_uninit(
            Extent3d { width, height, depth_or_array_layers: 1 },
            TextureDimension::D2,
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::RENDER_WORLD,
        );
        target.texture_descriptor.usage |= TextureUsages::RENDER_ATTACHMENT;
        let target = app.world_mut().resource_mut::<Assets<Image>>().add(target);
        app.world_mut().spawn((camera(), RenderTarget::from(target.clone())));
        Ok(Headless { app, target })
    }

    fn update(&mut self) -> anyhow::Result<()> {
        self.app.update();
        self.app
            .world()
            .resource::<RenderDevice>()
            .wgpu_device()
            .poll(PollType::Wait { submission_index: None, timeout: None })
            .map_err(|e| anyhow::anyhow!("the GPU did not finish the frame: {e}"))?;
        Ok(())
    }

    /// Draws the frame the clock is at and reads it back.
    fn capture(&mut self) -> anyhow::Result<Still> {
        // The scene is spawned, the text and the panels are laid out, the camera reaches its goal.
        for _ in 0..3 {
            self.update()?;
        }
        let captured: Arc<Mutex<Option<Image>>> = Arc::default();
        let sink = captured.clone();
        self.app.world_mut().spawn(Screenshot::image(self.target.clone())).observe(
            move |ev: On<ScreenshotCaptured>| {
                *sink.lock().unwrap_or_else(|e| e.into_inner()) = Some(ev.image.clone());
            },
        );
        for _ in 0..10 {
            self.update()?;
            if captured.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
                break;
            }
        }
        let image = captured.lock().unwrap_or_else(|e| e.into_inner()).take();
        let image = image.ok_or_else(|| anyhow::anyhow!("the frame was rendered but never read back"))?;
        let rgb = image.try_into_dynamic().map_err(|e| anyhow::anyhow!("the frame's pixels: {e}"))?.to_rgb8();
        let frame = self
            .app
            .world()
            .resource::<scene::Drawn>()
            .frame
            .clone()
            .ok_or_else(|| anyhow::anyhow!("no frame was drawn"))?;
        Ok(Still { width: rgb.width(), height: rgb.height(), rgb: rgb.into_raw(), frame })
    }
}

/// How the window runs: until closed, or for a number of frames (a smoke test), or as the
/// frame-rate benchmark.
#[derive(Clone, Copy, Debug, Default)]
pub struct WindowOptions {
    /// Close after this many frames.
    pub frames: Option<u32>,
    /// The benchmark: no vsync, and the clock jumps an hour every frame, so that every frame
    /// writes every device's colour (the worst case of playback); frame times are kept.
    pub bench: bool,
    /// Demo mode: full screen, the run tells its story (see [`demo`]).
    pub demo: bool,
    /// Open with this device or site selected (its details shown).
    pub selected: Option<map::Picked>,
}

/// Frame times of a benchmark run (the first 30 frames, start-up, left out).
#[derive(Clone, Debug, PartialEq)]
pub struct FrameStats {
    /// Frames timed.
    pub frames: usize,
    /// Frames per second over them.
    pub fps: f64,
    /// Frame time percentiles and the longest, milliseconds.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// The longest.
    pub max_ms: f64,
}

impl FrameStats {
    /// The statistics of frame times `ms`.
    pub fn of(mut ms: Vec<f64>) -> Option<FrameStats> {
        if ms.is_empty() {
            return None;
        }
        ms.sort_by(f64::total_cmp);
        let q = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
        let total: f64 = ms.iter().sum();
        Some(FrameStats {
            frames: ms.len(),
            fps: ms.len() as f64 / (total / 1e3),
            p50_ms: q(0.5),
            p95_ms: q(0.95),
            p99_ms: q(0.99),
            max_ms: ms[ms.len() - 1],
        })
    }
}

/// The view's camera: 2D, no multisampling and no dithering. Device markers are axis-aligned
/// squares, so 4x MSAA (Bevy's default) buys nothing and costs a software rasterizer most of
/// a frame; without dithering a state's colour is exactly its palette colour.
fn camera() -> impl Bundle {
    (Camera2d, bevy::render::view::Msaa::Off, bevy::core_pipeline::tonemapping::DebandDither::Disabled)
}

/// A running engine's hours, as `studio::playback::live` streams them.
#[derive(Resource)]
pub struct LiveFeed(pub Mutex<std::sync::mpsc::Receiver<studio::playback::live::LiveHour>>);

/// Hours taken from a live feed ahead of the one shown (the engine runs at most
/// `studio::playback::live::AHEAD_HOURS` more ahead, waiting for the view).
const LIVE_LEAD_HOURS: u32 = 2;

/// Takes the live hours the clock is about to show into the playback; the clock cannot pass
/// the last hour simulated.
fn take_live_hours(
    feed: Option<Res<LiveFeed>>,
    mut data: ResMut<FleetData>,
    mut clock: ResMut<ViewClock>,
    mut drawn: ResMut<scene::Drawn>,
) {
    let Some(feed) = feed else { return };
    let rx = feed.0.lock().unwrap_or_else(|e| e.into_inner());
    let want = data.playback.hour_at(clock.0.at_s) + LIVE_LEAD_HOURS;
    let mut took = false;
    while data.playback.simulated_hours < want.min(data.playback.layout.hours) {
        match rx.try_recv() {
            Ok(hour) => {
                data.playback.append(hour);
                took = true;
            }
            Err(_) => break,
        }
    }
    if took {
        drawn.hour = None;
    }
    let frontier_s = data.playback.simulated_hours as f64 * 3600.0;
    if clock.0.at_s > frontier_s {
        clock.0.at_s = frontier_s;
    }
}

/// Opens the interactive view of `playback` at simulated time `at_s`, paused (Space plays), and
/// returns when its window closes (or after `opts.frames`); with `opts.bench`, the frame times.
/// With `live`, the hours of a running engine are taken as the clock reaches them, playing from
/// the start (closing the window hangs up, which stops the run).
pub fn window(
    playback: studio::playback::Playback,
    at_s: f64,
    opts: WindowOptions,
    live: Option<std::sync::mpsc::Receiver<studio::playback::live::LiveHour>>,
) -> anyhow::Result<Option<FrameStats>> {
    let duration_s = playback.duration_s();
    let title = format!("Scaleproof fleet view: run {} ({})", playback.layout.run, playback.layout.scenario);
    let present_mode =
        if opts.bench { bevy::window::PresentMode::AutoNoVsync } else { bevy::window::PresentMode::AutoVsync };
    let mode = if opts.demo {
        bevy::window::WindowMode::BorderlessFullscreen(bevy::window::MonitorSelection::Primary)
    } else {
        bevy::window::WindowMode::Windowed
    };
    let story = opts.demo.then(|| {
        demo::DemoPlayer::new(studio::playback::demo::script(&playback), studio::playback::demo::summary(&playback))
    });
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title,
            resolution: bevy::window::WindowResolution::new(1280, 800),
            present_mode,
            mode,
            ..default()
        }),
        ..default()
    }))
    .insert_resource(FleetData::new(playback))
    .insert_resource(ViewClock(Clock { at_s, ..Clock::new(duration_s) }))
    .insert_resource(scene::Selected(opts.selected))
    .add_plugins((FleetScenePlugin, controls::ControlsPlugin { demo: opts.demo }));
    if let Some(story) = story {
        app.insert_resource(demo::Demo(story)).add_plugins(demo::DemoPlugin(demo::Drive::Play));
    }
    if let Some(rx) = live {
        app.insert_resource(LiveFeed(Mutex::new(rx)))
            .add_systems(Update, take_live_hours.after(controls::advance).before(scene::SceneSet));
        app.world_mut().resource_mut::<ViewClock>().0.playing = true;
    }
    if let Some(n) = opts.frames {
        app.add_systems(Last, move |count: Res<bevy::diagnostic::FrameCount>, mut exit: MessageWriter<AppExit>| {
            if count.0 + 1 >= n {
                exit.write(AppExit::Success);
            }
        });
    }
    let times: Arc<Mutex<Vec<f64>>> = Arc::default();
    if opts.bench {
        let kept = times.clone();
        app.add_systems(
            First,
            move |time: Res<Time<Real>>, count: Res<bevy::diagnostic::FrameCount>, mut clock: ResMut<ViewClock>| {
                if count.0 > 30 {
                    kept.lock().unwrap_or_else(|e| e.into_inner()).push(time.delta_secs_f64() * 1e3);
                }
                let c = &mut clock.0;
                let next = if c.at_s + 3600.0 > c.duration_s { 0.0 } else { c.at_s + 3600.0 };
                c.scrub(next);
            },
        );
    }
    app.world_mut().spawn(camera());
    match app.run() {
        AppExit::Success => {}
        AppExit::Error(code) => anyhow::bail!("the view exited with code {code}"),
    }
    let times = std::mem::take(&mut *times.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(if opts.bench { FrameStats::of(times) } else { None })
}

impl Still {
    /// Writes the frame as a PNG.
    pub fn save_png(&self, path: &Path) -> anyhow::Result<()> {
        let img = bevy::image::Image::new(
            Extent3d { width: self.width, height: self.height, depth_or_array_layers: 1 },
            TextureDimension::D2,
            self.rgb.chunks(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::MAIN_WORLD,
        );
        let rgb = img.try_into_dynamic().map_err(|e| anyhow::anyhow!("{e}"))?.to_rgb8();
        rgb.save(path).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::FrameStats;

    #[test]
    fn frame_statistics_are_percentiles_of_the_times() {
        let s = FrameStats::of((1..=100).map(f64::from).collect()).unwrap();
        assert_eq!((s.frames, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms), (100, 51.0, 95.0, 99.0, 100.0));
        assert!((s.fps - 100.0 / 5.05).abs() < 1e-9);
        assert_eq!(FrameStats::of(Vec::new()), None);
    }
}
