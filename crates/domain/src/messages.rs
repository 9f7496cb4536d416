//! The message catalogue (消息目录): every text a person reads, in Chinese and English, kept in
//! [Fluent](https://projectfluent.org) files beside the code that shows it.
//!
//! Each crate that shows text keeps `messages/zh-CN.ftl` and `messages/en.ftl` and calls
//! [`catalogue!`](crate::catalogue) once at its root. That defines `MESSAGES` (the crate's
//! catalogue, parsed on first use), `t(lang, key)` for a plain message and
//! `tf(lang, key, args)` for one with variables, and a unit test that fails when a key lacks
//! either language, when the two languages disagree on a message's variables, or when a file
//! does not parse. Templates name the catalogue by crate: `{{ zhucan_registry::t(c.lang,
//! "persons-title") }}`; the kernel's shared templates use `zhucan_web::t`.
//!
//! A missing key is a programming error the tests catch (`crates/cli/tests/it/messages.rs`
//! checks every key used in code and templates); at run time it shows the key rather than
//! failing the page.

use std::collections::{BTreeSet, HashMap};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use fluent_syntax::ast;

pub use fluent_bundle::FluentValue as Arg;

use crate::Lang;

/// One language's messages.
struct Side {
    bundle: FluentBundle<FluentResource>,
    /// The messages that need no variables, formatted once.
    plain: HashMap<String, String>,
    /// Every message key with the variables it uses.
    keys: HashMap<String, BTreeSet<String>>,
    problems: Vec<String>,
}

/// A crate's messages in both languages.
pub struct Catalogue {
    name: &'static str,
    zh: Side,
    en: Side,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue")
            .field("name", &self.name)
            .field("keys", &self.zh.keys.len())
            .finish()
    }
}

impl Catalogue {
    /// Parses the two files of a catalogue. Never fails: what does not parse is reported by
    /// [`Catalogue::problems`] (and so by the crate's unit test), the rest is usable.
    pub fn parse(name: &'static str, zh_cn: &str, en: &str) -> Catalogue {
        Catalogue {
            name,
            zh: Side::parse("zh-CN", zh_cn),
            en: Side::parse("en", en),
        }
    }

    /// The catalogue's name (its crate).
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn side(&self, lang: Lang) -> &Side {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// A message that needs no variables. An unknown key (or one that needs variables) gives
    /// the key itself, so a page still renders; the tests make sure that never ships.
    pub fn text<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.side(lang)
            .plain
            .get(key)
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// A message with its variables (`{ $name }` in the file).
    pub fn format(&self, lang: Lang, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let side = self.side(lang);
        let Some(pattern) = side.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut fa = FluentArgs::with_capacity(args.len());
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        let mut errors = Vec::new();
        side.bundle
            .format_pattern(pattern, Some(&fa), &mut errors)
            .into_owned()
    }

    /// Whether the key exists in both languages.
    pub fn has(&self, key: &str) -> bool {
        self.zh.keys.contains_key(key) && self.en.keys.contains_key(key)
    }

    /// Whether the key's message needs no variables.
    pub fn is_plain(&self, key: &str) -> bool {
        self.zh.plain.contains_key(key) && self.en.plain.contains_key(key)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .zh
            .keys
            .keys()
            .chain(self.en.keys.keys())
            .map(String::as_str)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        v.sort_unstable();
        v
    }

    /// What is wrong with the catalogue: parse errors, keys in one language only, messages
    /// whose variables differ between the languages. Empty when the catalogue is whole.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for side in [&self.zh, &self.en] {
            out.extend(side.problems.iter().map(|p| format!("{}: {p}", self.name)));
        }
        for (a, b, lang) in [(&self.zh, &self.en, "en"), (&self.en, &self.zh, "zh-CN")] {
            let mut missing: Vec<&String> =
                a.keys.keys().filter(|k| !b.keys.contains_key(*k)).collect();
            missing.sort();
            for k in missing {
                out.push(format!("{}: `{k}` has no {lang} text", self.name));
            }
        }
        let mut both: Vec<(&String, &BTreeSet<String>)> = self
            .zh
            .keys
            .iter()
            .filter(|(k, _)| self.en.keys.contains_key(*k))
            .collect();
        both.sort();
        for (k, zh_vars) in both {
            if let Some(en_vars) = self.en.keys.get(k)
                && en_vars != zh_vars
            {
                out.push(format!(
                    "{}: `{k}` uses {zh_vars:?} in zh-CN but {en_vars:?} in en",
                    self.name
                ));
            }
        }
        out
    }
}

impl Side {
    fn parse(locale: &str, source: &str) -> Side {
        let mut problems = Vec::new();
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(r) => r,
            Err((r, errors)) => {
                for e in errors {
                    problems.push(format!("{locale}.ftl does not parse: {e:?}"));
                }
                r
            }
        };
        let mut keys = HashMap::new();
        for entry in resource.entries() {
            match entry {
                ast::Entry::Message(m) => {
                    let mut vars = BTreeSet::new();
                    if let Some(p) = &m.value {
                        variables(p, &mut vars);
                    } else {
                        problems.push(format!("{locale}: `{}` has no text", m.id.name));
                    }
                    if keys.insert(m.id.name.to_string(), vars).is_some() {
                        problems.push(format!("{locale}: `{}` is defined twice", m.id.name));
                    }
                }
                ast::Entry::Junk { content } => {
                    problems.push(format!("{locale}: cannot read {content:?}"));
                }
                _ => {}
            }
        }
        let lang_id = locale.parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![lang_id]);
        // Placeables are Chinese or English inside Chinese or English text: no bidi isolation.
        bundle.set_use_isolating(false);
        if let Err(errors) = bundle.add_resource(resource) {
            for e in errors {
                problems.push(format!("{locale}: {e:?}"));
            }
        }
        let mut plain = HashMap::new();
        for (key, vars) in &keys {
            if !vars.is_empty() {
                continue;
            }
            if let Some(p) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let text = bundle.format_pattern(p, None, &mut errors).into_owned();
                if errors.is_empty() {
                    plain.insert(key.clone(), text);
                }
            }
        }
        Side {
            bundle,
            plain,
            keys,
            problems,
        }
    }
}

/// The variables (`$name`) a pattern uses.
fn variables(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            expression_vars(expression, out);
        }
    }
}

fn expression_vars(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => inline_vars(i, out),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, out);
            for v in variants {
                variables(&v.value, out);
            }
        }
    }
}

fn inline_vars(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, out),
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, out);
            }
            for n in &arguments.named {
                inline_vars(&n.value, out);
            }
        }
        _ => {}
    }
}

/// Declares the calling crate's catalogue (`messages/zh-CN.ftl` and `messages/en.ftl` beside its
/// `Cargo.toml`): `MESSAGES`, `t(lang, key)`, `tf(lang, key, args)` and a unit test that the
/// catalogue is whole.
#[macro_export]
macro_rules! catalogue {
    () => {
        /// This crate's messages (`messages/zh-CN.ftl`, `messages/en.ftl`).
        pub static MESSAGES: ::std::sync::LazyLock<$crate::messages::Catalogue> =
            ::std::sync::LazyLock::new(|| {
                $crate::messages::Catalogue::parse(
                    env!("CARGO_PKG_NAME"),
                    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/messages/zh-CN.ftl")),
                    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/messages/en.ftl")),
                )
            });

        /// A message of this crate's catalogue that needs no variables.
        pub fn t(
            lang: impl ::std::borrow::Borrow<$crate::Lang>,
            key: &'static str,
        ) -> &'static str {
            MESSAGES.text(*lang.borrow(), key)
        }

        /// A message of this crate's catalogue with its variables.
        pub fn tf(
            lang: impl ::std::borrow::Borrow<$crate::Lang>,
            key: &'static str,
            args: &[(&str, $crate::messages::Arg<'_>)],
        ) -> String {
            MESSAGES.format(*lang.borrow(), key, args)
        }

        #[cfg(test)]
        mod catalogue_is_whole {
            #[test]
            fn every_message_has_both_languages_and_the_same_variables() {
                let problems = super::MESSAGES.problems();
                assert!(problems.is_empty(), "{}", problems.join("\n"));
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_formatted_messages() {
        let c = Catalogue::parse(
            "test",
            "hello = 你好\ncount = 共 { $n } 人\nbrace = 用 {\"{\"} 号\n",
            "hello = Hello\ncount = { $n ->\n [one] one person\n *[other] { $n } persons\n}\nbrace = use {\"{\"}\n",
        );
        assert!(c.problems().is_empty(), "{:?}", c.problems());
        assert_eq!(c.text(Lang::Zh, "hello"), "你好");
        assert_eq!(c.text(Lang::En, "hello"), "Hello");
        assert_eq!(c.text(Lang::En, "brace"), "use {");
        assert_eq!(c.format(Lang::Zh, "count", &[("n", 3.into())]), "共 3 人");
        assert_eq!(
            c.format(Lang::En, "count", &[("n", 1.into())]),
            "one person"
        );
        assert_eq!(c.format(Lang::En, "count", &[("n", 2.into())]), "2 persons");
        assert_eq!(c.text(Lang::Zh, "nope"), "nope");
        assert!(!c.is_plain("count"));
    }

    #[test]
    fn a_key_in_one_language_only_is_a_problem() {
        let c = Catalogue::parse(
            "test",
            "a = 甲\nb = 乙 { $x }\n",
            "a = A\nb = B { $y }\nc = C\n",
        );
        let p = c.problems();
        assert!(
            p.iter().any(|m| m.contains("`c` has no zh-CN text")),
            "{p:?}"
        );
        assert!(p.iter().any(|m| m.contains("`b` uses")), "{p:?}");
    }

    #[test]
    fn a_file_that_does_not_parse_is_a_problem() {
        let c = Catalogue::parse("test", "a = 甲\n!!\n", "a = A\n");
        assert!(!c.problems().is_empty());
        assert_eq!(c.text(Lang::Zh, "a"), "甲");
    }
}
