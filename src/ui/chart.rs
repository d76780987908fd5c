//! A small SVG line chart that keeps the whole history and draws a bucketed mean of it.

use leptos::prelude::*;

/// Most points drawn per series; longer histories are averaged into this many buckets.
const MAX_DRAWN: usize = 400;
const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 150.0;

/// One curve: a name, a colour and its values (one per step).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// CSS colour.
    pub color: String,
    /// One value per step.
    pub values: Vec<f32>,
}

/// Averages `values` into at most `max` buckets: `(first index of bucket, mean)`.
pub fn downsample(values: &[f32], max: usize) -> Vec<(usize, f32)> {
    if values.len() <= max {
        return values.iter().copied().enumerate().collect();
    }
    let per = values.len().div_ceil(max);
    values
        .chunks(per)
        .enumerate()
        .map(|(i, chunk)| (i * per, chunk.iter().sum::<f32>() / chunk.len() as f32))
        .collect()
}

fn path(points: &[(usize, f32)], len: usize, lo: f32, hi: f32) -> String {
    let span = (hi - lo).max(1e-6);
    if let [(_, y)] = points {
        // One value so far: a level line, so the chart is not blank.
        let py = HEIGHT - ((y - lo) / span) as f64 * HEIGHT;
        return format!("M0,{py:.1} L{WIDTH},{py:.1}");
    }
    let mut d = String::new();
    for (i, &(x, y)) in points.iter().enumerate() {
        let px = if len <= 1 {
            0.0
        } else {
            x as f64 / (len - 1) as f64 * WIDTH
        };
        let py = HEIGHT - ((y - lo) / span) as f64 * HEIGHT;
        d.push_str(&format!(
            "{}{px:.1},{py:.1}",
            if i == 0 { "M" } else { " L" }
        ));
    }
    d
}

/// A titled chart of several series over steps; `data-points` holds the history length.
#[component]
pub fn LineChart(
    /// Chart title.
    #[prop(into)]
    title: String,
    /// One-line explanation shown as a tooltip.
    #[prop(into)]
    help: String,
    /// Fixed y range, or `None` to fit the data.
    #[prop(into)]
    range: Signal<Option<(f32, f32)>>,
    /// What one point is (the x-axis unit).
    #[prop(default = "steps")]
    unit: &'static str,
    /// The series to draw.
    series: Signal<Vec<Series>>,
) -> impl IntoView {
    let points = move || series.with(|s| s.first().map_or(0, |s| s.values.len()));
    let title_text = title.clone();
    // Computed once per history update, shared by the curves and the axis label.
    let paths = Memo::new(move |_| {
        series.with(|all| {
            let len = all.first().map_or(0, |s| s.values.len());
            let finite = all
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .filter(|v| v.is_finite());
            let (lo, hi) = range.get().unwrap_or_else(|| {
                let (lo, hi) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
                if lo.is_finite() {
                    (lo.min(0.0), hi.max(lo + 1e-3))
                } else {
                    (0.0, 1.0)
                }
            });
            let drawn: Vec<_> = all
                .iter()
                .map(|s| {
                    let pts: Vec<_> = downsample(&s.values, MAX_DRAWN)
                        .into_iter()
                        .filter(|(_, v)| v.is_finite())
                        .collect();
                    (s.color.clone(), path(&pts, len, lo, hi))
                })
                .collect();
            (drawn, lo, hi)
        })
    });
    view! {
        <figure class="chart" title=help data-points=move || points().to_string()>
            <figcaption>
                {title}
                <span class="legend">
                    {move || series.with(|all| all.iter().map(|s| view! {
                        <span class="key"><span class="swatch" style=format!("background:{}", s.color)></span>{s.name.clone()} " "
                            {s.values.last().map(|v| format!("{v:.3}")).unwrap_or_default()}
                        </span>
                    }).collect_view())}
                </span>
            </figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" class="plot" role="img"
                aria-label=move || series.with(|all| {
                    let latest: Vec<String> = all.iter().map(|s| format!("{} {}", s.name, s.values.last().map(|v| format!("{v:.3}")).unwrap_or_else(|| "none yet".into()))).collect();
                    format!("{title_text}: chart over {} {unit}; latest: {}", points(), latest.join(", "))
                })>
                {move || {
                    let (drawn, _, _) = paths.get();
                    drawn.into_iter().map(|(color, d)| view! {
                        <path d=d stroke=color fill="none" stroke-width="1.5" vector-effect="non-scaling-stroke" />
                    }).collect_view()
                }}
            </svg>
            <div class="axis">
                <span>{move || { let (_, lo, hi) = paths.get(); format!("y: {lo:.2} … {hi:.2}") }}</span>
                <span>{move || format!("{} {unit}", points())}</span>
            </div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_point_draws_a_level_line() {
        assert_eq!(path(&[(0, 0.5)], 1, 0.0, 1.0), "M0,75.0 L420,75.0");
    }

    #[test]
    fn downsample_keeps_short_histories_and_averages_long_ones() {
        assert_eq!(downsample(&[1.0, 2.0], 4), vec![(0, 1.0), (1, 2.0)]);
        let long: Vec<f32> = (0..1000).map(|i| i as f32).collect();
        let d = downsample(&long, 100);
        assert_eq!(d.len(), 100);
        assert_eq!(d[0], (0, 4.5));
        assert_eq!(d[99].0, 990);
    }
}
