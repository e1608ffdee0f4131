//! Where things are drawn: sites at their scenario coordinates (an equirectangular projection
//! around the sites' mean, in metres, x east and y north), each site's gateways on a ring around
//! it, and each gateway's devices in a sunflower (Vogel) spiral around it, so that 20 or 20,000
//! devices fill a disc evenly. Distances between sites are scaled (their bearings and proportions
//! kept) so that the two closest discs nearly touch. Pure geometry: tested without Bevy.

use studio::contract::FleetLayout;

/// Distance between neighbouring device markers, world units.
pub const DEVICE_SPACING: f32 = 1.0;

/// The drawing's geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct MapLayout {
    /// Each site's centre.
    pub sites: Vec<[f32; 2]>,
    /// The radius of each site's disc (its gateways' clouds included).
    pub site_radius: Vec<f32>,
    /// Each site's gateways' positions.
    pub gateways: Vec<Vec<[f32; 2]>>,
    /// The radius of the cloud of devices around each of a site's gateways, by site.
    pub gateway_radius: Vec<f32>,
    /// Each device's position, by device index.
    pub devices: Vec<[f32; 2]>,
    /// The smallest and largest corner of everything drawn.
    pub bounds: ([f32; 2], [f32; 2]),
    /// How a position on the ground maps to the drawing: the sites' mean latitude and longitude,
    /// degrees, and the world units per metre (0 when there is no distance to scale by: one
    /// site, or all at one place).
    pub origin: [f64; 2],
    /// World units per metre.
    pub stretch: f64,
}

/// What a click at a point of the map lands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picked {
    /// A device, by index.
    Device(u32),
    /// A site (its disc, away from any device), by index.
    Site(usize),
}

impl MapLayout {
    /// Where `[latitude, longitude]` is drawn (None when the drawing has no scale to the ground).
    pub fn project(&self, position: [f64; 2]) -> Option<[f32; 2]> {
        (self.stretch > 0.0).then(|| {
            let [x, y] = ground_m(position, self.origin);
            [(x * self.stretch) as f32, (y * self.stretch) as f32]
        })
    }

    /// What is at world point `at`: the nearest device within half a marker spacing, else the
    /// site whose disc holds the point.
    pub fn pick(&self, at: [f32; 2]) -> Option<Picked> {
        let d2 = |p: &[f32; 2]| (p[0] - at[0]).powi(2) + (p[1] - at[1]).powi(2);
        let reach = (DEVICE_SPACING * 0.5).powi(2);
        let nearest = self
            .devices
            .iter()
            .enumerate()
            .map(|(i, p)| (i, d2(p)))
            .filter(|&(_, d)| d <= reach)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = nearest {
            return Some(Picked::Device(i as u32));
        }
        self.sites.iter().zip(&self.site_radius).position(|(c, r)| d2(c) <= r * r).map(Picked::Site)
    }
}

const EARTH_RADIUS_M: f64 = 6_371_000.0;
const GOLDEN_ANGLE: f32 = 2.399_963_3;

/// The `n`-th point of a sunflower spiral of spacing `s` around the origin.
fn sunflower(n: u32, s: f32) -> [f32; 2] {
    let r = s * (n as f32 + 0.5).sqrt() * 0.55;
    let a = n as f32 * GOLDEN_ANGLE;
    [r * a.cos(), r * a.sin()]
}

/// The radius of a sunflower of `n` points of spacing `s`.
fn sunflower_radius(n: u32, s: f32) -> f32 {
    s * (n as f32 + 0.5).sqrt() * 0.55 + s
}

/// Metres east and north of `origin` (an equirectangular projection).
fn ground_m(p: [f64; 2], origin: [f64; 2]) -> [f64; 2] {
    let k = origin[0].to_radians().cos();
    [(p[1] - origin[1]).to_radians() * k * EARTH_RADIUS_M, (p[0] - origin[0]).to_radians() * EARTH_RADIUS_M]
}

/// The geometry of `l`.
pub fn layout(l: &FleetLayout) -> MapLayout {
    let n_sites = l.sites.len();
    // Devices per (site, gateway), and each device's rank within its gateway.
    let mut per_gateway: Vec<Vec<u32>> = l.sites.iter().map(|s| vec![0; s.gateways.max(1) as usize]).collect();
    let mut rank = Vec::with_capacity(l.site_of.len());
    for (d, &site) in l.site_of.iter().enumerate() {
        let g = (l.gateway_of[d] as usize).min(per_gateway[site as usize].len() - 1);
        rank.push(per_gateway[site as usize][g]);
        per_gateway[site as usize][g] += 1;
    }
    // A site: its gateways on a ring large enough for their clouds not to touch.
    let cloud: Vec<f32> = per_gateway
        .iter()
        .map(|gs| gs.iter().map(|&n| sunflower_radius(n, DEVICE_SPACING)).fold(DEVICE_SPACING, f32::max))
        .collect();
    let ring: Vec<f32> = per_gateway
        .iter()
        .zip(&cloud)
        .map(|(gs, &c)| if gs.len() <= 1 { 0.0 } else { c / (std::f32::consts::PI / gs.len() as f32).sin() })
        .collect();
    let site_radius: Vec<f32> = ring.iter().zip(&cloud).map(|(r, c)| r + c).collect();

    // Sites where the scenario puts them, stretched apart when their discs would overlap.
    let lat0 = l.sites.iter().map(|s| s.position[0]).sum::<f64>() / n_sites.max(1) as f64;
    let lon0 = l.sites.iter().map(|s| s.position[1]).sum::<f64>() / n_sites.max(1) as f64;
    let geo: Vec<[f64; 2]> = l.sites.iter().map(|s| ground_m(s.position, [lat0, lon0])).collect();
    // The one scale at which the closest pair of discs keeps a gap of a fifth of their radii:
    // geography's bearings and proportions, drawn at the devices' scale.
    let mut stretch = 0.0f64;
    for i in 0..n_sites {
        for j in i + 1..n_sites {
            let d = ((geo[i][0] - geo[j][0]).powi(2) + (geo[i][1] - geo[j][1]).powi(2)).sqrt();
            let need = 1.2 * (site_radius[i] + site_radius[j]) as f64;
            if d > 1e-6 {
                stretch = stretch.max(need / d);
            }
        }
    }
    let mut sites: Vec<[f32; 2]> = geo.iter().map(|p| [(p[0] * stretch) as f32, (p[1] * stretch) as f32]).collect();
    // Sites at the same coordinates go side by side.
    for i in 0..n_sites {
        for j in 0..i {
            let d = ((sites[i][0] - sites[j][0]).powi(2) + (sites[i][1] - sites[j][1]).powi(2)).sqrt();
            if d < 1e-3 {
                sites[i][0] += 1.2 * (site_radius[i] + site_radius[j]);
            }
        }
    }
    let gateways: Vec<Vec<[f32; 2]>> = (0..n_sites)
        .map(|s| {
            let n = per_gateway[s].len();
            (0..n)
                .map(|g| {
                    let a = std::f32::consts::TAU * g as f32 / n as f32 + std::f32::consts::FRAC_PI_2;
                    [sites[s][0] + ring[s] * a.cos(), sites[s][1] + ring[s] * a.sin()]
                })
                .collect()
        })
        .collect();
    let devices: Vec<[f32; 2]> = l
        .site_of
        .iter()
        .enumerate()
        .map(|(d, &site)| {
            let s = site as usize;
            let g = (l.gateway_of[d] as usize).min(gateways[s].len() - 1);
            let [dx, dy] = sunflower(rank[d], DEVICE_SPACING);
            [gateways[s][g][0] + dx, gateways[s][g][1] + dy]
        })
        .collect();
    let mut lo = [f32::MAX; 2];
    let mut hi = [f32::MIN; 2];
    for (c, r) in sites.iter().zip(&site_radius) {
        for a in 0..2 {
            hi[a] = hi[a].max(c[a] + r);
        }
        lo[0] = lo[0].min(c[0] - r);
        // Room for the site's name under its disc.
        lo[1] = lo[1].min(c[1] - r * 1.3 - DEVICE_SPACING * 4.0);
    }
    if n_sites == 0 {
        (lo, hi) = ([-1.0; 2], [1.0; 2]);
    }
    MapLayout {
        sites,
        site_radius,
        gateways,
        gateway_radius: cloud,
        devices,
        bounds: (lo, hi),
        origin: [lat0, lon0],
        stretch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use studio::contract::FleetSite;

    fn fleet(sites: &[([f64; 2], u32, u32)]) -> FleetLayout {
        let mut site_of = Vec::new();
        let mut gateway_of = Vec::new();
        for (i, &(_, gateways, devices)) in sites.iter().enumerate() {
            for d in 0..devices {
                site_of.push(i as u16);
                gateway_of.push((d % gateways) as u16);
            }
        }
        FleetLayout {
            run: 1,
            scenario: "t".into(),
            hours: 1,
            sites: sites
                .iter()
                .enumerate()
                .map(|(i, &(position, gateways, _))| FleetSite { id: format!("s{i}"), position, gateways })
                .collect(),
            classes: vec!["c".into()],
            legend: Vec::new(),
            class_of: vec![0; site_of.len()],
            site_of,
            gateway_of,
            start_ms: 0,
            currency: None,
        }
    }

    fn dist(a: [f32; 2], b: [f32; 2]) -> f32 {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
    }

    #[test]
    fn sites_keep_their_bearing_and_their_devices_do_not_overlap() {
        // The mine: north shaft 4 cells, south ramp 2, ~1 km apart, 20,000 devices.
        let l = fleet(&[([-26.2041, 28.0473], 4, 10_000), ([-26.2109, 28.0551], 2, 10_000)]);
        let m = layout(&l);
        // South-east of the north shaft, as on the ground.
        assert!(m.sites[1][0] > m.sites[0][0] && m.sites[1][1] < m.sites[0][1], "{:?}", m.sites);
        assert!(dist(m.sites[0], m.sites[1]) >= 1.2 * (m.site_radius[0] + m.site_radius[1]) - 1e-3);
        // Every device inside its site's disc, none on top of another.
        for (d, p) in m.devices.iter().enumerate() {
            let s = l.site_of[d] as usize;
            assert!(dist(*p, m.sites[s]) <= m.site_radius[s] + 1e-3, "device {d}");
        }
        let mut cells = std::collections::HashSet::new();
        for p in &m.devices {
            assert!(cells.insert(((p[0] * 4.0).round() as i64, (p[1] * 4.0).round() as i64)), "two devices at {p:?}");
        }
        let (lo, hi) = m.bounds;
        assert!(m.devices.iter().all(|p| (0..2).all(|a| p[a] >= lo[a] - 1e-3 && p[a] <= hi[a] + 1e-3)));
    }

    #[test]
    fn positions_on_the_ground_project_as_the_sites_do() {
        let l = fleet(&[([-26.2041, 28.0473], 4, 1000), ([-26.2109, 28.0551], 2, 1000)]);
        let m = layout(&l);
        for (s, site) in l.sites.iter().enumerate() {
            let p = m.project(site.position).unwrap();
            assert!(dist(p, m.sites[s]) < 1e-2, "{p:?} {:?}", m.sites[s]);
        }
        // Halfway on the ground is halfway on the map.
        let mid = m.project([(-26.2041 - 26.2109) / 2.0, (28.0473 + 28.0551) / 2.0]).unwrap();
        assert!(dist(mid, [(m.sites[0][0] + m.sites[1][0]) / 2.0, (m.sites[0][1] + m.sites[1][1]) / 2.0]) < 1e-2);
        assert_eq!(layout(&fleet(&[([1.0, 2.0], 1, 10)])).project([1.0, 2.0]), None, "one site: no scale");
    }

    #[test]
    fn a_click_picks_the_device_under_it_else_the_site() {
        let m = layout(&fleet(&[([0.0, 0.0], 2, 300), ([0.01, 0.0], 1, 50)]));
        for d in [0usize, 17, 299, 349] {
            let p = m.devices[d];
            assert_eq!(m.pick([p[0] + 0.2, p[1] - 0.1]), Some(Picked::Device(d as u32)));
        }
        // Between the gateways' clouds of site 0, inside its disc.
        let c = m.sites[0];
        let inside = [c[0] + m.site_radius[0] * 0.97, c[1]];
        assert_eq!(m.pick(inside), Some(Picked::Site(0)));
        assert_eq!(m.pick([c[0] + m.site_radius[0] * 1.1, c[1] - m.site_radius[0] * 1.1]), None);
    }

    #[test]
    fn one_site_or_sites_in_one_place_still_draw_apart() {
        let m = layout(&fleet(&[([0.0, 0.0], 1, 20)]));
        assert_eq!(m.sites, [[0.0, 0.0]]);
        assert_eq!(m.gateways[0], [[0.0, 0.0]]);
        let m = layout(&fleet(&[([1.0, 1.0], 1, 50), ([1.0, 1.0], 3, 50)]));
        assert!(dist(m.sites[0], m.sites[1]) > m.site_radius[0] + m.site_radius[1]);
    }
}
