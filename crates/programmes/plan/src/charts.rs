//! Server-rendered SVG charts. Every chart is an image with a text alternative, and the page
//! shows the same numbers in a table beside it; no script, no external asset.

use std::fmt::Write;

use chrono::NaiveDate;

/// Escapes text for SVG/HTML content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A line chart of fractions over dates, with the target as a dashed line.
#[derive(Debug, Clone)]
pub struct LineChart<'a> {
    /// A unique id prefix for the chart's title and description.
    pub id: &'a str,
    /// The accessible name (e.g. the indicator's name).
    pub title: &'a str,
    /// A one-sentence summary of the numbers.
    pub description: &'a str,
    pub points: &'a [(NaiveDate, Option<f64>)],
    pub target: Option<f64>,
    pub width: u32,
    pub height: u32,
    /// Axis labels (off for sparklines).
    pub axes: bool,
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

impl LineChart<'_> {
    /// The `<svg>` element.
    pub fn svg(&self) -> String {
        let (w, h) = (f64::from(self.width), f64::from(self.height));
        let (left, right, top, bottom) = if self.axes {
            (52.0, 10.0, 10.0, 24.0)
        } else {
            (2.0, 2.0, 2.0, 2.0)
        };
        let values: Vec<f64> = self
            .points
            .iter()
            .filter_map(|(_, v)| *v)
            .chain(self.target)
            .collect();
        let (mut lo, mut hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        if !lo.is_finite() {
            lo = 0.0;
            hi = 1.0;
        }
        if hi - lo < 0.01 {
            lo -= 0.005;
            hi += 0.005;
        }
        let n = self.points.len().max(2) - 1;
        let x = |i: usize| left + (w - left - right) * i as f64 / n as f64;
        let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w0} {h0}" width="{w0}" height="{h0}" role="img" aria-labelledby="{id}-t {id}-d" focusable="false"><title id="{id}-t">{t}</title><desc id="{id}-d">{d}</desc>"#,
            w0 = self.width,
            h0 = self.height,
            id = escape(self.id),
            t = escape(self.title),
            d = escape(self.description)
        );
        if self.axes {
            let _ = write!(
                s,
                r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{:.1}" stroke="#4a4a4a"/><line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#4a4a4a"/>"##,
                h - bottom,
                h - bottom,
                w - right,
                h - bottom
            );
            for v in [lo, hi] {
                let _ = write!(
                    s,
                    r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#1b1b1b">{}</text>"##,
                    left - 4.0,
                    y(v) + 4.0,
                    pct(v)
                );
            }
            if let (Some(first), Some(last)) = (self.points.first(), self.points.last()) {
                let _ = write!(
                    s,
                    r##"<text x="{left}" y="{:.1}" font-size="11" fill="#1b1b1b">{}</text><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#1b1b1b">{}</text>"##,
                    h - 6.0,
                    first.0.format("%Y-%m"),
                    w - right,
                    h - 6.0,
                    last.0.format("%Y-%m")
                );
            }
        }
        if let Some(t) = self.target {
            let _ = write!(
                s,
                r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#8a3b00" stroke-width="1.5" stroke-dasharray="5 4"/>"##,
                y(t),
                w - right,
                y(t)
            );
        }
        // The line, broken where a month has no value.
        let mut path = String::new();
        let mut pen_down = false;
        for (i, (_, v)) in self.points.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                s,
                r##"<path d="{}" fill="none" stroke="#0b4f8a" stroke-width="2"/>"##,
                path.trim_end()
            );
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_labelled_images_with_escaped_text() {
        let d = |m| NaiveDate::from_ymd_opt(2021, m, 1).expect("date");
        let pts = [(d(1), Some(0.98)), (d(2), None), (d(3), Some(0.99))];
        let svg = LineChart {
            id: "t-2",
            title: "覆盖率",
            description: "98% → 99% <ok>",
            points: &pts,
            target: Some(0.99),
            width: 300,
            height: 120,
            axes: true,
        }
        .svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#) && svg.contains(r#"aria-labelledby="t-2-t t-2-d""#));
        assert!(svg.contains(r#"<title id="t-2-t">覆盖率</title>"#));
        assert!(svg.contains("&lt;ok&gt;"));
        assert_eq!(
            svg.matches(" M").count() + svg.matches("\"M").count(),
            2,
            "{svg}"
        );
        let empty = LineChart {
            id: "x",
            title: "x",
            description: "",
            points: &[],
            target: None,
            width: 100,
            height: 20,
            axes: false,
        }
        .svg();
        assert!(!empty.contains("<path"));
    }
}
