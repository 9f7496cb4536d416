//! What the benchmark examples share: timing statistics, CSV writing, paging through the
//! registry, a stable pseudo-random sequence. (Each example uses its own part of it.)
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

/// A small, stable pseudo-random sequence (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// In `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `percent` / 100.
    pub fn pct(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}
