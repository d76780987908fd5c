//! Latent-space walks for exploring a trained generator: truncated sampling, spherical
//! interpolation and a 2-D plane through a latent vector. Host-side maths on `Vec<f32>` (one
//! latent vector each), seeded, so the same seed gives the same latents on every backend.

use rand_distr::{Distribution, StandardNormal};

use super::rng::{Rng, seeded};

/// `n` latent vectors of `dim` standard-normal values; with a `threshold`, every value beyond
/// ±threshold is drawn again (BigGAN's truncation trick: fidelity for variety).
pub fn truncated_normal(seed: u64, n: usize, dim: usize, threshold: Option<f32>) -> Vec<Vec<f32>> {
    let mut rng = seeded(seed);
    (0..n)
        .map(|_| (0..dim).map(|_| draw(&mut rng, threshold)).collect())
        .collect()
}

/// `n × dim` values from `rng`, row-major, as [`truncated_normal`] draws them (untruncated:
/// the same values as the training code's latent noise from the same generator).
pub fn draw_latents(rng: &mut Rng, n: usize, dim: usize, threshold: Option<f32>) -> Vec<f32> {
    (0..n * dim).map(|_| draw(rng, threshold)).collect()
}

fn draw(rng: &mut Rng, threshold: Option<f32>) -> f32 {
    loop {
        let x: f32 = StandardNormal.sample(rng);
        match threshold {
            // A threshold below ~0.05 would loop long: clamp it.
            Some(t) if x.abs() > t.max(0.05) => continue,
            _ => return x,
        }
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f32]) -> f32 {
    dot(a, a).sqrt()
}

/// Spherical interpolation from `a` (t = 0) to `b` (t = 1): along the great circle between
/// their directions, with the length interpolated linearly (Gaussian latents live near a
/// sphere, which straight lines cut through). Falls back to a straight line for (anti)parallel
/// vectors.
pub fn slerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    let (na, nb) = (norm(a), norm(b));
    let lerp = || a.iter().zip(b).map(|(x, y)| x + (y - x) * t).collect();
    if na == 0.0 || nb == 0.0 {
        return lerp();
    }
    let cos = (dot(a, b) / (na * nb)).clamp(-1.0, 1.0);
    let omega = cos.acos();
    if omega.sin().abs() < 1e-4 {
        return lerp();
    }
    let (wa, wb) = (
        ((1.0 - t) * omega).sin() / omega.sin(),
        (t * omega).sin() / omega.sin(),
    );
    // Unit directions combined on the circle, then scaled by the interpolated length.
    let length = na + (nb - na) * t;
    let dir: Vec<f32> = a
        .iter()
        .zip(b)
        .map(|(x, y)| wa * x / na + wb * y / nb)
        .collect();
    let n = norm(&dir).max(1e-12);
    dir.iter().map(|v| v * length / n).collect()
}

/// `frames` latents from `a` to `b` by [`slerp`], both ends included (`frames` ≥ 2).
pub fn slerp_path(a: &[f32], b: &[f32], frames: usize) -> Vec<Vec<f32>> {
    let frames = frames.max(2);
    (0..frames)
        .map(|i| match i {
            0 => a.to_vec(),
            i if i == frames - 1 => b.to_vec(),
            i => slerp(a, b, i as f32 / (frames - 1) as f32),
        })
        .collect()
}

/// Two orthonormal directions in `dim` dimensions, seeded (Gram–Schmidt on Gaussian draws).
pub fn random_plane(seed: u64, dim: usize) -> (Vec<f32>, Vec<f32>) {
    let mut rng = seeded(seed);
    let mut gauss = || -> Vec<f32> { (0..dim).map(|_| StandardNormal.sample(&mut rng)).collect() };
    let u = unit(gauss());
    let v = gauss();
    let along = dot(&v, &u);
    let v = unit(v.iter().zip(&u).map(|(x, y)| x - along * y).collect());
    (u, v)
}

/// The plane through `center` toward two latents (`towards_a`, `towards_b`), as two
/// orthonormal directions: the user's choice of axes ("this sample" and "that sample").
pub fn plane_towards(center: &[f32], towards_a: &[f32], towards_b: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let diff = |t: &[f32]| -> Vec<f32> { t.iter().zip(center).map(|(x, c)| x - c).collect() };
    let u = unit(diff(towards_a));
    let v = diff(towards_b);
    let along = dot(&v, &u);
    (
        u.clone(),
        unit(v.iter().zip(&u).map(|(x, y)| x - along * y).collect()),
    )
}

fn unit(v: Vec<f32>) -> Vec<f32> {
    let n = norm(&v).max(1e-12);
    v.into_iter().map(|x| x / n).collect()
}

/// The point `center + x·u + y·v` of a plane through `center` (`x`, `y` in latent units).
pub fn plane_point(center: &[f32], (u, v): (&[f32], &[f32]), x: f32, y: f32) -> Vec<f32> {
    center
        .iter()
        .zip(u.iter().zip(v))
        .map(|(c, (a, b))| c + x * a + y * b)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_bounds_every_value_and_seeds_repeat() {
        let a = truncated_normal(3, 50, 20, Some(0.5));
        assert!(a.iter().flatten().all(|x| x.abs() <= 0.5));
        assert_eq!(a, truncated_normal(3, 50, 20, Some(0.5)));
        assert_ne!(a, truncated_normal(4, 50, 20, Some(0.5)));
        let free = truncated_normal(3, 200, 20, None);
        assert!(free.iter().flatten().any(|x| x.abs() > 2.0));
    }

    #[test]
    fn slerp_keeps_its_ends_and_follows_the_sphere() {
        let a = truncated_normal(1, 1, 64, None).remove(0);
        let b = truncated_normal(2, 1, 64, None).remove(0);
        let path = slerp_path(&a, &b, 7);
        assert_eq!(path.len(), 7);
        assert_eq!(path[0], a);
        assert_eq!(path[6], b);
        // Midway, a straight line shrinks the vector; slerp keeps the mean length.
        let mid = &path[3];
        let want = (norm(&a) + norm(&b)) / 2.0;
        assert!(
            (norm(mid) - want).abs() < 1e-3 * want,
            "{} vs {want}",
            norm(mid)
        );
        let line: Vec<f32> = a.iter().zip(&b).map(|(x, y)| (x + y) / 2.0).collect();
        assert!(norm(&line) < 0.9 * want);
        // t near the ends lands near the ends.
        let near = slerp(&a, &b, 0.01);
        let gap: f32 = near
            .iter()
            .zip(&a)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f32>()
            .sqrt();
        assert!(gap < 0.05 * norm(&a));
    }

    #[test]
    fn planes_are_orthonormal_and_pass_through_their_centre() {
        let (u, v) = random_plane(5, 32);
        assert!((norm(&u) - 1.0).abs() < 1e-5 && (norm(&v) - 1.0).abs() < 1e-5);
        assert!(dot(&u, &v).abs() < 1e-5);
        let c = truncated_normal(1, 1, 32, None).remove(0);
        assert_eq!(plane_point(&c, (&u, &v), 0.0, 0.0), c);
        let p = plane_point(&c, (&u, &v), 2.0, 0.0);
        let moved: Vec<f32> = p.iter().zip(&c).map(|(a, b)| a - b).collect();
        assert!((norm(&moved) - 2.0).abs() < 1e-4);
        let a = truncated_normal(2, 1, 32, None).remove(0);
        let b = truncated_normal(3, 1, 32, None).remove(0);
        let (u, v) = plane_towards(&c, &a, &b);
        assert!(dot(&u, &v).abs() < 1e-5);
        // Along u by the distance to a reaches a.
        let d: f32 = a
            .iter()
            .zip(&c)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f32>()
            .sqrt();
        let reach = plane_point(&c, (&u, &v), d, 0.0);
        assert!(reach.iter().zip(&a).all(|(x, y)| (x - y).abs() < 1e-4));
    }
}
