//! The view's colours: one per device state (told apart on a projector and by most colour-blind
//! viewers: the states that matter most, online / buffering / losing data, differ in lightness
//! as well as hue), and the map's own.

use bevy::color::{Color, ColorToComponents};

/// The map's background.
pub const BACKGROUND: Color = Color::srgb(0.043, 0.071, 0.125);
/// A site's disc when all its devices are up.
pub const SITE: Color = Color::srgb(0.118, 0.161, 0.231);
/// A gateway (or cell).
pub const GATEWAY: Color = Color::srgb(0.886, 0.910, 0.941);
/// Text.
pub const TEXT: Color = Color::srgb(0.945, 0.961, 0.976);
/// The overlay's and legend's panels.
pub const PANEL: Color = Color::srgba(0.0, 0.0, 0.0, 0.62);

/// The caption panel of demo mode.
pub const CAPTION: Color = Color::srgba(0.02, 0.03, 0.06, 0.86);
/// The card at the end of a demo.
pub const CARD: Color = Color::srgba(0.02, 0.03, 0.06, 0.94);
/// An area whose network or power is down: darker than the background.
pub const OUTAGE: Color = Color::srgb(0.0, 0.0, 0.0);
/// The timeline's track and its played part.
pub const TRACK: Color = Color::srgba(1.0, 1.0, 1.0, 0.12);
/// The timeline's playhead.
pub const PLAYHEAD: Color = Color::WHITE;

/// The timeline marker of an event kind: outages red, sags and leaks violet, firmware blue.
pub fn marker(kind: studio::playback::RunEventKind) -> Color {
    use studio::playback::RunEventKind as K;
    match kind {
        K::PowerOutage | K::SiteOutage => Color::srgb_u8(0xef, 0x44, 0x44),
        K::GatewayOutage => Color::srgb_u8(0xf9, 0x73, 0x16),
        K::PowerSag | K::CredentialLeak => Color::srgb_u8(0xc0, 0x84, 0xfc),
        K::FirmwareCampaign | K::FirmwareWave => Color::srgb_u8(0x38, 0xbd, 0xf8),
    }
}

/// The state codes that count as down for a site's darkness (buffering, buffer full, powered
/// off, battery dead, failed, bricked).
pub const DOWN: [u8; 6] = [2, 3, 4, 7, 8, 9];

/// sRGB bytes by state code (see `sim_core::engine::DeviceState`).
const STATE_SRGB: [[u8; 3]; 10] = [
    [0x9c, 0xa3, 0xaf], // not yet installed: grey
    [0x22, 0xc5, 0x5e], // online: green
    [0xf5, 0x9e, 0x0b], // buffering: amber
    [0xef, 0x44, 0x44], // buffer full, losing data: red
    [0x47, 0x55, 0x69], // powered off: slate
    [0xc0, 0x84, 0xfc], // rebooting: violet
    [0x38, 0xbd, 0xf8], // updating firmware: sky blue
    [0x92, 0x40, 0x0e], // battery dead: brown
    [0x6b, 0x21, 0x21], // hardware failed: dark red
    [0xec, 0x48, 0x99], // bricked: pink
];

/// The colour of state `code` (an unknown code: white).
pub fn color(code: u8) -> Color {
    STATE_SRGB.get(code as usize).map_or(Color::WHITE, |c| Color::srgb_u8(c[0], c[1], c[2]))
}

/// [`color`] as linear RGBA, as mesh vertex colours take it.
pub fn linear(code: u8) -> [f32; 4] {
    color(code).to_linear().to_f32_array()
}

/// The sRGB bytes of state `code`, as a still's pixels show it.
pub fn srgb_bytes(code: u8) -> Option<[u8; 3]> {
    STATE_SRGB.get(code as usize).copied()
}

/// A site's disc with `down` (0 to 1) of its devices down: darker towards black.
pub fn site(down: f32) -> Color {
    let k = 1.0 - 0.8 * down.clamp(0.0, 1.0);
    let s = SITE.to_srgba();
    Color::srgb(s.red * k, s.green * k, s.blue * k)
}
