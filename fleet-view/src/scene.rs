//! The map in Bevy: site discs (black while the site's network or power is out), gateways (a
//! dark patch under one whose network is out), every device as one quad of a single mesh (one
//! draw call for the whole fleet; a frame's states are written into its vertex colours only when
//! the hourly sample shown changes), the legend with each state's count, an overlay with the
//! simulated date and time and the fleet's figures to date, and a timeline with the run's events
//! marked (click it to jump). The camera moves smoothly to a [`CameraGoal`] (a site, or the
//! whole fleet) when one is set. The systems only draw what `studio` serves ([`FleetData`]); no
//! simulation runs here.

use bevy::asset::RenderAssetUsages;
use bevy::camera::ScalingMode;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use bevy::ui::UiTargetCamera;

use crate::clock::Clock;
use crate::map::{DEVICE_SPACING, MapLayout, Picked};
use crate::palette;

/// What the view shows: the run's playback and where everything is drawn.
#[derive(Resource)]
pub struct FleetData {
    /// The run's layout and device states over time.
    pub playback: studio::playback::Playback,
    /// The drawing's geometry.
    pub map: MapLayout,
}

impl FleetData {
    /// The view of `playback`.
    pub fn new(playback: studio::playback::Playback) -> FleetData {
        let map = crate::map::layout(&playback.layout);
        FleetData { playback, map }
    }
}

/// The playback clock the view follows.
#[derive(Resource)]
pub struct ViewClock(pub Clock);

/// The hourly sample drawn last (None: nothing drawn yet).
#[derive(Resource, Default)]
pub struct Drawn {
    /// The sample's hour.
    pub hour: Option<u32>,
    /// The clock's time and whether it played, as the overlay says.
    at_s: Option<f64>,
    playing: bool,
    /// The frame drawn.
    pub frame: Option<studio::contract::FleetFrame>,
}

#[derive(Resource)]
struct DeviceMesh(Handle<Mesh>);

/// Whether the camera has framed the fleet (once the view's size is known), and where that is.
#[derive(Resource, Default)]
struct Fitted(Option<Vec2>);

/// Where the camera should go: a site, or (None) the whole fleet. Setting `changed` starts the
/// move; `snap` makes it at once (stills).
#[derive(Resource, Default)]
pub struct CameraGoal {
    /// The site to frame.
    pub site: Option<usize>,
    /// A new goal was set.
    pub changed: bool,
    /// Go there at once rather than in a smooth move.
    pub snap: bool,
    /// The move in progress: the camera's centre and projection scale to reach.
    target: Option<(Vec2, f32)>,
}

/// What the user clicked: its details are shown, the device ringed.
#[derive(Resource, Default)]
pub struct Selected(pub Option<Picked>);

#[derive(Component)]
struct DetailsPanel;
#[derive(Component)]
struct DetailsText;
#[derive(Component)]
struct Highlight;

/// The systems that draw the scene (others order themselves around them).
#[derive(SystemSet, Clone, Debug, PartialEq, Eq, Hash)]
pub struct SceneSet;

/// Where the map goes in the view, as fractions of its width and height from the top left: right
/// of the legend and below the overlay, which sit at the left.
const MAP_AREA: ([f32; 2], [f32; 2]) = ([0.30, 0.13], [0.98, 0.98]);

/// A site's disc: darker the more of its devices are down, black while its area is out.
#[derive(Component)]
struct SiteDisc {
    site: usize,
    material: Handle<ColorMaterial>,
}

/// The dark patch under a gateway's devices, shown while that gateway's network is out.
#[derive(Component)]
struct GatewayShadow {
    site: usize,
    gateway: u32,
}

/// The timeline's track (click to jump), its played part and its playhead.
#[derive(Component)]
struct Track;
#[derive(Component)]
struct Played;

#[derive(Component)]
struct OverlayText;

/// A legend row's count.
#[derive(Component)]
struct LegendCount(u8);

/// Draws the run in the camera the app spawned, and keeps it in step with the clock.
pub struct FleetScenePlugin;

impl Plugin for FleetScenePlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Drawn>()
            .init_resource::<Fitted>()
            .init_resource::<CameraGoal>()
            .init_resource::<Selected>()
            .insert_resource(ClearColor(palette::BACKGROUND))
            .add_systems(Startup, setup)
            .add_systems(Update, (fit_camera, follow_goal, redraw, timeline, details).chain().in_set(SceneSet));
    }
}

/// The quads of `map`'s devices: 4 corners each, two triangles each.
fn device_mesh(map: &MapLayout) -> Mesh {
    let h = DEVICE_SPACING * 0.42;
    let mut positions = Vec::with_capacity(map.devices.len() * 4);
    let mut indices = Vec::with_capacity(map.devices.len() * 6);
    for (i, p) in map.devices.iter().enumerate() {
        for (dx, dy) in [(-h, -h), (h, -h), (h, h), (-h, h)] {
            positions.push([p[0] + dx, p[1] + dy, 0.0]);
        }
        let k = i as u32 * 4;
        indices.extend_from_slice(&[k, k + 1, k + 2, k, k + 2, k + 3]);
    }
    let colors = vec![palette::linear(0); positions.len()];
    Mesh::new(PrimitiveTopology::TriangleList, RenderAssetUsages::default())
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
        .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, colors)
        .with_inserted_indices(Indices::U32(indices))
}

fn setup(
    mut commands: Commands,
    data: Res<FleetData>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<ColorMaterial>>,
    mut images: ResMut<Assets<Image>>,
    mut cameras: Query<(Entity, &mut Transform, &mut Projection), With<Camera2d>>,
) {
    let map = &data.map;
    let (lo, hi) = map.bounds;
    // The camera sees enough for the fleet to fit in MAP_AREA; `fit_camera` puts it there.
    let Ok((camera, _, mut projection)) = cameras.single_mut() else { return };
    let ([x0, y0], [x1, y1]) = MAP_AREA;
    if let Projection::Orthographic(o) = &mut *projection {
        o.scaling_mode =
            ScalingMode::AutoMin { min_width: (hi[0] - lo[0]) / (x1 - x0), min_height: (hi[1] - lo[1]) / (y1 - y0) };
    }
    let plan = data.playback.background.as_ref().and_then(|b| match load_plan(&b.path) {
        Ok(image) => Some((b, image)),
        Err(e) => {
            warn!("the site plan {}: {e}; the map is drawn without it", b.path.display());
            None
        }
    });
    let plan_drawn = plan.is_some();
    if let Some((b, image)) = plan {
        // Placed by its corners on the ground, else stretched over the drawn map.
        let corners = b.corners.and_then(|[nw, se]| Some((map.project(nw)?, map.project(se)?)));
        let (nw, se) = corners.unwrap_or(([lo[0], hi[1]], [hi[0], lo[1]]));
        let size = Vec2::new(se[0] - nw[0], nw[1] - se[1]);
        commands.spawn((
            Sprite { image: images.add(image), custom_size: Some(size), ..default() },
            Transform::from_xyz((nw[0] + se[0]) / 2.0, (nw[1] + se[1]) / 2.0, -1.0),
        ));
    }
    let alpha_mode = if plan_drawn { bevy::sprite_render::AlphaMode2d::Blend } else { default() };
    for (s, (c, r)) in map.sites.iter().zip(&map.site_radius).enumerate() {
        let material = materials.add(ColorMaterial { color: palette::SITE, alpha_mode, ..default() });
        commands.spawn((
            Mesh2d(meshes.add(Circle::new(*r))),
            MeshMaterial2d(material.clone()),
            Transform::from_xyz(c[0], c[1], 0.0),
            SiteDisc { site: s, material },
        ));
        for (gi, g) in map.gateways[s].iter().enumerate() {
            commands.spawn((
                Mesh2d(meshes.add(Circle::new(map.gateway_radius[s]))),
                MeshMaterial2d(materials.add(palette::OUTAGE)),
                Transform::from_xyz(g[0], g[1], 0.5),
                Visibility::Hidden,
                GatewayShadow { site: s, gateway: gi as u32 },
            ));
            commands.spawn((
                Mesh2d(meshes.add(Circle::new(DEVICE_SPACING * 1.6))),
                MeshMaterial2d(materials.add(palette::GATEWAY)),
                Transform::from_xyz(g[0], g[1], 2.0),
            ));
        }
        let label_size = (r * 0.12).max(DEVICE_SPACING * 2.0);
        commands.spawn((
            Text2d::new(data.playback.layout.sites[s].id.clone()),
            TextFont::from_font_size(48.0),
            TextColor(palette::TEXT),
            // Below the disc: the overlay sits above the map.
            Transform::from_xyz(c[0], c[1] - r - label_size, 3.0).with_scale(Vec3::splat(label_size / 48.0)),
        ));
    }
    let mesh = meshes.add(device_mesh(map));
    commands.spawn((
        Mesh2d(mesh.clone()),
        MeshMaterial2d(materials.add(ColorMaterial::from(Color::WHITE))),
        Transform::from_xyz(0.0, 0.0, 1.0),
    ));
    commands.insert_resource(DeviceMesh(mesh));

    // The overlay: what run, when, how fast.
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                top: px(12),
                left: px(12),
                padding: UiRect::all(px(10)),
                ..default()
            },
            BackgroundColor(palette::PANEL),
            UiTargetCamera(camera),
        ))
        .with_children(|p| {
            p.spawn((Text::new(""), TextFont::from_font_size(18.0), TextColor(palette::TEXT), OverlayText));
        });
    // The legend: every state, its colour and how many devices are in it.
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                bottom: px(12),
                left: px(12),
                padding: UiRect::all(px(10)),
                flex_direction: FlexDirection::Column,
                row_gap: px(4),
                ..default()
            },
            BackgroundColor(palette::PANEL),
            UiTargetCamera(camera),
        ))
        .with_children(|p| {
            for l in &data.playback.layout.legend {
                p.spawn(Node {
                    flex_direction: FlexDirection::Row,
                    column_gap: px(8),
                    align_items: AlignItems::Center,
                    ..default()
                })
                .with_children(|row| {
                    row.spawn((
                        Node { width: px(14), height: px(14), ..default() },
                        BackgroundColor(palette::color(l.code)),
                    ));
                    row.spawn((
                        Text::new(format!("{}: 0", l.label)),
                        TextFont::from_font_size(15.0),
                        TextColor(palette::TEXT),
                        LegendCount(l.code),
                    ));
                });
            }
        });
    // A clicked device's ring, and the details of what was clicked.
    commands.spawn((
        Mesh2d(meshes.add(Annulus::new(DEVICE_SPACING * 1.4, DEVICE_SPACING * 2.4))),
        MeshMaterial2d(materials.add(palette::PLAYHEAD)),
        Transform::from_xyz(0.0, 0.0, 4.0),
        Visibility::Hidden,
        Highlight,
    ));
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                bottom: px(50),
                right: px(12),
                max_width: px(420),
                padding: UiRect::all(px(10)),
                display: Display::None,
                ..default()
            },
            BackgroundColor(palette::CAPTION),
            UiTargetCamera(camera),
            DetailsPanel,
        ))
        .with_children(|p| {
            p.spawn((Text::new(""), TextFont::from_font_size(16.0), TextColor(palette::TEXT), DetailsText));
        });
    // The timeline: the run from start to end, its events marked where they start.
    let duration_us = data.playback.duration_s() * 1e6;
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                bottom: px(12),
                left: percent(MAP_AREA.0[0] * 100.0),
                right: px(12),
                height: px(26),
                ..default()
            },
            BackgroundColor(palette::PANEL),
            Interaction::default(),
            bevy::ui::RelativeCursorPosition::default(),
            UiTargetCamera(camera),
            Track,
        ))
        .with_children(|t| {
            t.spawn((
                Node { position_type: PositionType::Absolute, height: percent(100), width: percent(0), ..default() },
                BackgroundColor(palette::TRACK),
                Played,
            ));
            for e in data.playback.events.iter().take(MAX_MARKERS) {
                let x = (e.start_us as f64 / duration_us).clamp(0.0, 1.0) as f32;
                let tall = e.is_scheduled();
                t.spawn((
                    Node {
                        position_type: PositionType::Absolute,
                        left: percent(x * 100.0),
                        width: px(if tall { 3 } else { 2 }),
                        top: percent(if tall { 0 } else { 45 }),
                        bottom: px(0),
                        ..default()
                    },
                    BackgroundColor(palette::marker(e.kind)),
                ));
            }
        });
}

/// A site plan's pixels.
fn load_plan(path: &std::path::Path) -> anyhow::Result<Image> {
    use bevy::image::{CompressedImageFormats, ImageSampler, ImageType};
    let bytes = std::fs::read(path)?;
    let image = Image::from_buffer(
        &bytes,
        ImageType::Extension("png"),
        CompressedImageFormats::NONE,
        true,
        ImageSampler::linear(),
        bevy::asset::RenderAssetUsages::RENDER_WORLD,
    )?;
    Ok(image)
}

/// The most events marked on the timeline (the earliest; a five-year run can have thousands).
const MAX_MARKERS: usize = 2_000;

/// The timeline follows the clock; pressing on it moves the clock there.
fn timeline(
    mut clock: ResMut<ViewClock>,
    track: Query<(&Interaction, &bevy::ui::RelativeCursorPosition), With<Track>>,
    mut played: Query<&mut Node, With<Played>>,
) {
    for (interaction, cursor) in &track {
        if *interaction == Interaction::Pressed
            && let Some(n) = cursor.normalized
        {
            // Normalized from -0.5 (left) to 0.5 (right).
            let at = (n.x as f64 + 0.5).clamp(0.0, 1.0) * clock.0.duration_s;
            clock.0.scrub(at);
        }
    }
    let share = if clock.0.duration_s > 0.0 { clock.0.at_s / clock.0.duration_s } else { 0.0 };
    for mut node in &mut played {
        node.width = percent((share * 100.0) as f32);
    }
}

/// Puts the fleet's centre at MAP_AREA's centre, once the projection knows the view's size
/// (after that, the camera is the user's to pan).
fn fit_camera(
    data: Res<FleetData>,
    mut fitted: ResMut<Fitted>,
    mut cameras: Query<(&mut Transform, &Projection), With<Camera2d>>,
) {
    if fitted.0.is_some() {
        return;
    }
    let Ok((mut at, projection)) = cameras.single_mut() else { return };
    let Projection::Orthographic(o) = projection else { return };
    let (w, h) = (o.area.width(), o.area.height());
    if w <= 0.0 || h <= 0.0 {
        return;
    }
    let (lo, hi) = data.map.bounds;
    let ([x0, y0], [x1, y1]) = MAP_AREA;
    // The view's centre is at fraction 0.5; the map's is at the area's centre.
    let dx = ((x0 + x1) / 2.0 - 0.5) * w;
    let dy = (0.5 - (y0 + y1) / 2.0) * h;
    at.translation.x = (lo[0] + hi[0]) / 2.0 - dx;
    at.translation.y = (lo[1] + hi[1]) / 2.0 - dy;
    fitted.0 = Some(at.translation.truncate());
}

/// Moves the camera towards its goal: a site filling most of the view's height, or the whole
/// fleet as first framed. Eases in about a second; the user's pan and zoom win once it arrives.
fn follow_goal(
    time: Res<Time>,
    data: Res<FleetData>,
    fitted: Res<Fitted>,
    mut goal: ResMut<CameraGoal>,
    mut cameras: Query<(&mut Transform, &mut Projection), With<Camera2d>>,
) {
    let Some(home) = fitted.0 else { return };
    let Ok((mut at, mut projection)) = cameras.single_mut() else { return };
    let Projection::Orthographic(o) = &mut *projection else { return };
    if goal.changed {
        goal.changed = false;
        goal.target = Some(match goal.site.filter(|&s| s < data.map.sites.len()) {
            Some(s) => {
                // Seen at scale 1: the whole map's height. A site, its name and the caption take 3 radii.
                let base_h = (o.area.height() / o.scale).max(1e-6);
                let scale = (data.map.site_radius[s] * 3.0 / base_h).clamp(0.02, 1.0);
                let c = data.map.sites[s];
                (Vec2::new(c[0], c[1] + data.map.site_radius[s] * 0.2), scale)
            }
            None => (home, 1.0),
        });
    }
    let Some((to, scale)) = goal.target else { return };
    let k = if goal.snap { 1.0 } else { (1.0 - (-4.0 * time.delta_secs()).exp()).clamp(0.0, 1.0) };
    let now = at.translation.truncate().lerp(to, k);
    at.translation.x = now.x;
    at.translation.y = now.y;
    o.scale += (scale - o.scale) * k;
    if now.distance(to) < 1e-3 * base_len(&data) && (o.scale - scale).abs() < 1e-3 {
        goal.target = None;
    }
}

/// The map's size, world units (for "close enough").
fn base_len(data: &FleetData) -> f32 {
    let (lo, hi) = data.map.bounds;
    (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1.0)
}

/// Draws the sample the clock is at, when it is not the one drawn.
#[expect(clippy::too_many_arguments, reason = "a Bevy system takes what it touches as parameters")]
fn redraw(
    data: Res<FleetData>,
    clock: Res<ViewClock>,
    mut drawn: ResMut<Drawn>,
    device_mesh: Option<Res<DeviceMesh>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<ColorMaterial>>,
    discs: Query<&SiteDisc>,
    mut shadows: Query<(&GatewayShadow, &mut Visibility)>,
    mut overlay: Query<&mut Text, (With<OverlayText>, Without<LegendCount>)>,
    mut legend: Query<(&mut Text, &LegendCount), Without<OverlayText>>,
) {
    let hour = data.playback.hour_at(clock.0.at_s);
    let layout = &data.playback.layout;
    if drawn.hour == Some(hour) && drawn.at_s == Some(clock.0.at_s) && drawn.playing == clock.0.playing {
        return;
    }
    drawn.at_s = Some(clock.0.at_s);
    drawn.playing = clock.0.playing;
    let kpis = data.playback.kpis.get(hour as usize - 1);
    for mut t in &mut overlay {
        **t = overlay_text(&data.playback, &clock.0, hour, kpis);
    }
    if drawn.hour == Some(hour) {
        return;
    }
    // A new hourly sample: only now is the frame worth building.
    let frame = data.playback.frame(clock.0.at_s);
    let Some(device_mesh) = device_mesh else { return };
    if let Some(mut mesh) = meshes.get_mut(&device_mesh.0) {
        let mut colors = Vec::with_capacity(frame.states.len() * 4);
        for &code in &frame.states {
            let c = palette::linear(code);
            colors.extend_from_slice(&[c, c, c, c]);
        }
        mesh.insert_attribute(Mesh::ATTRIBUTE_COLOR, colors);
    }
    let mut totals = vec![0u64; layout.legend.len()];
    for s in &frame.sites {
        for (code, &n) in s.counts.iter().enumerate() {
            totals[code] += n as u64;
        }
    }
    // Outages of the hour shown (in progress at its sample's time).
    let dark = data.playback.dark_in(hour);
    for disc in &discs {
        let counts = &frame.sites[disc.site].counts;
        let all: u32 = counts.iter().sum();
        let down: u32 = palette::DOWN.iter().map(|&c| counts[c as usize]).sum();
        if let Some(mut m) = materials.get_mut(&disc.material) {
            m.color = if dark.contains(&(disc.site, None)) {
                // Lights out: the area goes black, the plan under it too.
                palette::OUTAGE
            } else {
                // Over a site plan, the plan shows through the disc.
                let alpha = if data.playback.background.is_some() { 0.7 } else { 1.0 };
                palette::site(if all == 0 { 0.0 } else { down as f32 / all as f32 }).with_alpha(alpha)
            };
        }
    }
    for (shadow, mut visible) in &mut shadows {
        let out = dark.contains(&(shadow.site, Some(shadow.gateway)));
        *visible = if out { Visibility::Inherited } else { Visibility::Hidden };
    }
    for (mut t, l) in &mut legend {
        let label = layout.legend.iter().find(|x| x.code == l.0).map_or("", |x| x.label.as_str());
        **t = format!("{label}: {}", studio::model::text::thousands(totals[l.0 as usize]));
    }
    drawn.hour = Some(frame.hour);
    drawn.frame = Some(frame);
}

/// The details of what was clicked, kept up to date with the clock.
fn details(
    data: Res<FleetData>,
    clock: Res<ViewClock>,
    selected: Res<Selected>,
    mut last: Local<Option<(Option<Picked>, u32)>>,
    mut panel: Query<&mut Node, With<DetailsPanel>>,
    mut text: Query<&mut Text, With<DetailsText>>,
    mut ring: Query<(&mut Transform, &mut Visibility), With<Highlight>>,
) {
    let hour = data.playback.hour_at(clock.0.at_s);
    if *last == Some((selected.0, hour)) {
        return;
    }
    *last = Some((selected.0, hour));
    let shown = selected.0.map(|p| details_text(&data.playback, p, clock.0.at_s));
    for mut node in &mut panel {
        node.display = if shown.is_some() { Display::Flex } else { Display::None };
    }
    for mut t in &mut text {
        **t = shown.clone().unwrap_or_default();
    }
    for (mut at, mut visible) in &mut ring {
        match selected.0 {
            Some(Picked::Device(d)) => {
                let p = data.map.devices[d as usize];
                at.translation.x = p[0];
                at.translation.y = p[1];
                *visible = Visibility::Inherited;
            }
            _ => *visible = Visibility::Hidden,
        }
    }
}

/// A level in tenths as a range of percent: `60-70 %`, `100 %`.
fn tenths(t: u8) -> String {
    if t >= 10 { "100 %".into() } else { format!("{}-{} %", t as u32 * 10, t as u32 * 10 + 10) }
}

/// What the details panel says of `picked` at simulated time `at_s`.
pub fn details_text(p: &studio::playback::Playback, picked: Picked, at_s: f64) -> String {
    use studio::model::text::{sim_clock, thousands};
    let l = &p.layout;
    let label = |code: u8| l.legend.iter().find(|x| x.code == code).map_or("?", |x| x.label.as_str());
    match picked {
        Picked::Device(d) => {
            let Some(x) = p.device(d, at_s) else { return String::new() };
            let mut o = format!(
                "Device {} ({})\n{}, gateway {}\n{} since {}",
                thousands(d as u64),
                x.class,
                x.site,
                x.gateway + 1,
                label(x.state),
                sim_clock(x.since_s)
            );
            if let Some(b) = x.buffer_tenths {
                o.push_str(&format!("\nbuffer {} of {} readings", tenths(b), thousands(x.buffer_capacity as u64)));
            }
            // Levels are recorded for runs since playback version 2; without them, say nothing.
            match (x.battery_tenths, x.buffer_tenths) {
                (Some(b), _) => o.push_str(&format!("\nbattery {}", tenths(b))),
                (None, Some(_)) => o.push_str("\nmains powered"),
                (None, None) => {}
            }
            if let Some(e) = x.last_event {
                o.push_str(&format!("\nlast event: {e}"));
            }
            o
        }
        Picked::Site(s) => {
            let f = p.frame(at_s);
            let site = &l.sites[s];
            let devices: u32 = f.sites[s].counts.iter().sum();
            let mut o = format!("Site {}\n{} devices, {} gateways", site.id, thousands(devices as u64), site.gateways);
            for (code, &n) in f.sites[s].counts.iter().enumerate() {
                if n > 0 {
                    o.push_str(&format!("\n{}: {}", label(code as u8), thousands(n as u64)));
                }
            }
            let dark = p.dark_in(f.hour);
            if dark.contains(&(s, None)) {
                o.push_str("\nits network or power is out");
            } else if let Some(n) = Some(dark.iter().filter(|d| d.0 == s).count()).filter(|&n| n > 0) {
                o.push_str(&format!("\n{n} of its gateways out"));
            }
            o
        }
    }
}

/// The overlay's text: the run, the simulated date and time, the playback, the figures to date.
fn overlay_text(
    p: &studio::playback::Playback,
    clock: &Clock,
    hour: u32,
    kpis: Option<&studio::contract::FleetKpis>,
) -> String {
    use studio::model::text::thousands;
    let l = &p.layout;
    let state = if clock.playing { "playing" } else { "paused" };
    let run =
        if l.run == 0 { format!("live, simulated to hour {}", p.simulated_hours) } else { format!("run {}", l.run) };
    let mut o = format!(
        "{}  ({run})\n{}  ({}, hour {} of {})   {} at {} h/s",
        l.scenario,
        p.calendar(clock.at_s),
        clock.label(),
        hour,
        l.hours,
        state,
        clock.speed_h_per_s
    );
    if let Some(k) = kpis {
        o.push_str(&format!(
            "\nonline {} of {}   delivered {}   buffered {}   lost {}",
            thousands(k.online),
            thousands(l.site_of.len() as u64),
            thousands(k.delivered),
            thousands(k.buffered),
            thousands(k.lost)
        ));
        if let (Some(c), Some(cur)) = (k.cost_to_date, &l.currency) {
            o.push_str(&format!("   cost to date {} {cur}", thousands(c.round().max(0.0) as u64)));
        }
    }
    o
}
