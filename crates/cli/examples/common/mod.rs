//! What the benchmark examples share: timing statistics, CSV writing, paging through the
//! registry. (Each example uses its own part of it.)
#![allow(dead_code)]

use std::path::Path;
use std::time::Instant;

pub type Error = Box<dyn std::error::Error>;

/// Milliseconds since `t`.
pub fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Median and minimum of a list of milliseconds.
pub fn stats(v: &[f64]) -> serde_json::Value {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let median = match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    };
    serde_json::json!({
        "runs": s.len(),
        "median_ms": median,
        "min_ms": s.first().copied().unwrap_or(0.0),
        "max_ms": s.last().copied().unwrap_or(0.0),
    })
}

/// A CSV field: quoted when it needs to be.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// An optional CSV field: empty when absent.
pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| field(&v.to_string())).unwrap_or_default()
}

/// A buffered CSV file `name` in `dir`.
pub fn csv_file(dir: &Path, name: &str) -> Result<std::io::BufWriter<std::fs::File>, Error> {
    Ok(std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(dir.join(name))?,
    ))
}

/// Pages through every person file in citizen ID order.
pub struct Pages {
    after: String,
    size: i64,
}

impl Pages {
    pub fn new(size: i64) -> Pages {
        Pages {
            after: String::new(),
            size,
        }
    }

    /// The next page; empty at the end.
    pub async fn next(
        &mut self,
        store: &zhucan_store::Store,
    ) -> Result<Vec<zhucan_store::bulk::ExportPerson>, Error> {
        let page = store.export_chunk(&self.after, self.size).await?;
        if let Some(last) = page.last() {
            self.after = last.person.citizen_id.to_string();
        }
        Ok(page)
    }
}
