//! The message catalogues against the code: every key a crate's code or templates use exists in
//! that crate's catalogue in both languages, `t` is used only for messages without variables,
//! and no catalogue keeps a message nothing shows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use zhucan_domain::messages::Catalogue;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every crate with a `messages/` folder: crate name (`zhucan_registry`) → its folder.
fn crates_with_messages() -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![workspace().join("crates")];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() && p.file_name().is_some_and(|n| n != "target") {
                dirs.push(p);
            }
        }
        let toml = d.join("Cargo.toml");
        if d.join("messages").is_dir()
            && let Ok(text) = std::fs::read_to_string(&toml)
            && let Some(name) = text
                .lines()
                .find_map(|l| l.strip_prefix("name = \""))
                .and_then(|l| l.strip_suffix('"'))
        {
            out.insert(name.replace('-', "_"), d);
        }
    }
    out
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name()
                .is_some_and(|n| n != "target" && n != "messages")
            {
                files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs" || x == "html") {
            out.push(p);
        }
    }
}

/// A use of a catalogue: `<path>::t(<lang>, "key")` or `<path>::tf(<lang>, "key", …)`.
struct Use {
    catalogue: String,
    formatted: bool,
    key: String,
    at: String,
}

fn uses(text: &str, own: &str, file: &Path) -> Vec<Use> {
    let mut out = Vec::new();
    for (pos, _) in text.match_indices("::t") {
        let rest = &text[pos + 3..];
        let (formatted, rest) = if let Some(r) = rest.strip_prefix("f(") {
            (true, r)
        } else if let Some(r) = rest.strip_prefix('(') {
            (false, r)
        } else {
            continue;
        };
        let before = &text[..pos];
        let path: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let catalogue = match path.as_str() {
            "crate" => own.to_string(),
            p if p == "zhucan" || p.starts_with("zhucan_") => p.to_string(),
            _ => continue,
        };
        // The key is the first string literal after the language argument.
        let Some(comma) = rest.find(',') else {
            continue;
        };
        let after = rest[comma + 1..].trim_start();
        let Some(lit) = after.strip_prefix('"') else {
            continue;
        };
        let Some(end) = lit.find('"') else {
            continue;
        };
        let line = text[..pos].lines().count();
        out.push(Use {
            catalogue,
            formatted,
            key: lit[..end].to_string(),
            at: format!("{}:{line}", file.display()),
        });
    }
    out
}

#[test]
fn every_key_used_exists_and_every_key_is_used() {
    let crates = crates_with_messages();
    assert!(crates.len() >= 8, "catalogues found: {crates:?}");
    let mut catalogues = BTreeMap::new();
    for (name, dir) in &crates {
        let read =
            |f: &str| std::fs::read_to_string(dir.join("messages").join(f)).unwrap_or_default();
        let leaked: &'static str = Box::leak(name.clone().into_boxed_str());
        catalogues.insert(
            name.clone(),
            Catalogue::parse(leaked, &read("zh-CN.ftl"), &read("en.ftl")),
        );
    }
    let mut problems = Vec::new();
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, dir) in &crates {
        let mut fs = Vec::new();
        files(dir, &mut fs);
        for f in fs {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            for u in uses(&text, name, &f) {
                let Some(c) = catalogues.get(&u.catalogue) else {
                    problems.push(format!("{}: no catalogue {}", u.at, u.catalogue));
                    continue;
                };
                if !c.has(&u.key) {
                    problems.push(format!("{}: `{}` is not in {}", u.at, u.key, u.catalogue));
                } else if !u.formatted && !c.is_plain(&u.key) {
                    problems.push(format!(
                        "{}: `{}` needs variables: use tf, not t",
                        u.at, u.key
                    ));
                }
                used.entry(u.catalogue).or_default().insert(u.key);
            }
        }
    }
    // The error-code table's messages are used by their rows.
    for code in zhucan::programmes().error_codes() {
        let name = code.messages.name().replace('-', "_");
        if !code.messages.is_plain(code.key) {
            problems.push(format!(
                "error code {}: no plain message `{}` in {name}",
                code.code, code.key
            ));
        }
        used.entry(name).or_default().insert(code.key.to_string());
    }
    for (name, c) in &catalogues {
        problems.extend(c.problems());
        for k in c.keys() {
            if !used.get(name).is_some_and(|s| s.contains(k)) {
                problems.push(format!("{name}: `{k}` is never shown (remove it)"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_missing_key_is_found() {
    let text = "let a = crate::t(lang, \"no-such-key\");\nzhucan_web::tf(c.lang, \"x\", &[]);";
    let u = uses(text, "zhucan_registry", Path::new("x.rs"));
    assert_eq!(u.len(), 2);
    assert_eq!(u[0].catalogue, "zhucan_registry");
    assert_eq!(u[0].key, "no-such-key");
    assert!(!u[0].formatted);
    assert_eq!(u[1].catalogue, "zhucan_web");
    assert!(u[1].formatted);
}

/// The error-code table as `docs/error-codes.md` shows it.
fn error_code_table() -> String {
    let mut out = String::from(
        "# Error codes (错误代码)\n\n\
         Every error answer of the API is `{\"error\": {\"code\": …, \"message\": …}}` with one of\n\
         these codes and its HTTP status; the message is in the language of `Accept-Language`\n\
         and may be more precise than the standing message below (naming the field and value).\n\
         The table is generated from the code (`crates/web/src/error.rs` and each programme's\n\
         `error_codes`); `ZHUCAN_BLESS=1 cargo nextest run -E 'test(error_code)'` rewrites it.\n\n\
         | code | HTTP | 中文 | English | defined by |\n|---|---|---|---|---|\n",
    );
    for c in zhucan::programmes().error_codes() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            c.code,
            c.status,
            c.message(zhucan_domain::Lang::Zh),
            c.message(zhucan_domain::Lang::En),
            c.messages.name()
        ));
    }
    out
}

#[test]
fn error_codes_are_unique_and_documented() {
    let codes = zhucan::programmes().error_codes();
    let mut seen = BTreeSet::new();
    for c in &codes {
        assert!(
            seen.insert(c.code),
            "error code {} is defined twice",
            c.code
        );
        assert!(
            c.code
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '_'),
            "error code {} is not snake_case",
            c.code
        );
        assert!(
            (400..600).contains(&c.status),
            "{}: status {}",
            c.code,
            c.status
        );
    }
    let doc = workspace().join("docs/error-codes.md");
    let want = error_code_table();
    if std::env::var_os("ZHUCAN_BLESS").is_some() {
        std::fs::write(&doc, &want).expect("write docs/error-codes.md");
    }
    let have = std::fs::read_to_string(&doc).unwrap_or_default();
    assert_eq!(
        have, want,
        "docs/error-codes.md is not the table the code defines: run with ZHUCAN_BLESS=1"
    );
}
