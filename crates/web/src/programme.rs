//! A programme (业务) — the registry desk, the plan, the two subsidies, the service end, … —
//! declares here what it brings, and the binary collects it: its routes, its schema
//! migrations, its menu entries, its facts, what it keeps in the service's state, its
//! background jobs, its part of the OpenAPI document and its commands. Adding a programme
//! edits none of these lists: it implements [`Programme`] in its own crate and the binary
//! names it once (`zhucan::programmes`). The recipe is `docs/adding-a-programme.md`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::routing::MethodRouter;
use zhucan_domain::Lang;
use zhucan_store::migrate::{Migration, Schema};
use zhucan_store::{Store, User};

use crate::AppState;

/// A background job of the running service (it runs until the process ends).
pub type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A command's outcome: the process's exit code, or a failure in both languages.
pub type CommandFuture<'a> = Pin<Box<dyn Future<Output = Result<u8, Failure>> + Send + 'a>>;

/// A menu entry of the staff and citizen navigation.
#[derive(Debug, Clone, Copy)]
pub struct NavEntry {
    /// The page's key (`Chrome::nav`), for `aria-current`.
    pub key: &'static str,
    pub href: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Place in the menu (lower first).
    pub order: u16,
    /// Whom the entry is shown to.
    pub shown: fn(&User) -> bool,
}

impl NavEntry {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

/// What a programme keeps in the service's state (its caches, keys, job tables), by type.
#[derive(Default)]
pub struct Extensions(HashMap<TypeId, Arc<dyn Any + Send + Sync>>);

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Extensions({})", self.0.len())
    }
}

impl Extensions {
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Arc::new(value));
    }

    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref::<T>())
    }
}

/// A command-line failure: one sentence in each language, and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub zh: String,
    pub en: String,
    pub code: u8,
}

impl Failure {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure {
            zh: zh.into(),
            en: en.into(),
            code: 1,
        }
    }

    pub fn code(mut self, code: u8) -> Failure {
        self.code = code;
        self
    }

    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

impl From<zhucan_store::StoreError> for Failure {
    fn from(e: zhucan_store::StoreError) -> Self {
        Failure::new(
            format!("数据库操作失败：{e}"),
            format!("database operation failed: {e}"),
        )
    }
}

/// The operator of a command: the OS user.
pub fn operator() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// The audit event of a command-line action (the operator is the OS user).
pub fn cli_event(
    action: &str,
    object: &str,
    detail: serde_json::Value,
) -> zhucan_store::audit::AuditEvent {
    zhucan_store::audit::AuditEvent {
        account: format!("cli:{}", operator()),
        role: "operator".into(),
        area: String::new(),
        client: "cli".into(),
        action: action.into(),
        object: object.into(),
        outcome: "ok".into(),
        detail,
    }
}

/// The account `username` for a command that binds it to an organisation: a failure (exit
/// code 2) naming it when there is none, or when its role is not `role`.
pub async fn account_of_role(
    store: &Store,
    username: &str,
    role: zhucan_domain::access::Role,
) -> Result<User, Failure> {
    let Some(user) = store.user_by_username(username).await? else {
        return Err(Failure::new(
            format!("没有账户“{username}”"),
            format!("no account “{username}”"),
        )
        .code(2));
    };
    if user.role != role {
        return Err(Failure::new(
            format!("账户“{username}”的角色不是{}（{}）", role.zh(), role.key()),
            format!("the account “{username}” is not of role {}", role.key()),
        )
        .code(2));
    }
    Ok(user)
}

/// Binds `user` to the organisation `org` (`account_orgs`), audited as `account.org` with the
/// old and the new binding, and says so on stdout (`what`: the kind of organisation, in
/// Chinese and English).
pub async fn bind_account(
    store: &Store,
    user: &User,
    org: &str,
    what: (&str, &str),
    lang: Lang,
) -> Result<(), Failure> {
    let old = store.account_org(&user.id).await?;
    let event = cli_event(
        "account.org",
        &user.username,
        serde_json::json!({"old": old, "new": org}),
    );
    store.set_account_org(&user.id, Some(org), &event).await?;
    let name = &user.username;
    println!(
        "{}",
        lang.pick(
            &format!("账户 {name} 已绑定{} {org}", what.0),
            &format!("account {name} bound to the {} {org}", what.1)
        )
    );
    Ok(())
}

/// Records a command-line action in the audit trail.
pub async fn audit_cli(store: &Store, action: &str, object: &str, detail: serde_json::Value) {
    let e = cli_event(action, object, detail);
    if let Err(err) = store.audit(&e).await {
        tracing::error!(error = %err, "audit record could not be written");
    }
}

/// What a command gets: the database URL (opened with every programme's migrations), the
/// language of its messages, and the programmes.
#[derive(Clone)]
pub struct CliContext {
    pub database_url: String,
    pub lang: Lang,
    pub programmes: Programmes,
}

impl std::fmt::Debug for CliContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CliContext")
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

impl CliContext {
    /// Opens the database, bringing its schema up to date.
    pub async fn open(&self) -> Result<Store, Failure> {
        Store::open(&self.database_url, &self.programmes.schema())
            .await
            .map_err(|e| {
                Failure::new(
                    format!("无法打开数据库 {}：{e}", self.database_url),
                    format!("cannot open the database {}: {e}", self.database_url),
                )
                .code(2)
            })
    }
}

/// Who reads a person's sections: staff on the person file (治理端), or the person or a
/// guardian on the service end (服务端, in plain words and without staff links).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Staff,
    Citizen,
}

/// A programme's section of a person's file (一人一档): what the programme holds on the
/// person, each line linking to where it is worked (for staff). Rendered by
/// `_sections.html` on the staff person file and on the service end's own file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSection {
    /// The section's id on the page (`#rehab`).
    pub key: &'static str,
    pub title: String,
    pub lines: Vec<SectionLine>,
    /// What staff may start from here (href, label).
    pub actions: Vec<(String, String)>,
}

/// One line of a [`PersonSection`]: a case, a placement, a loan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SectionLine {
    /// The date the line speaks of (YYYY-MM-DD).
    pub date: String,
    pub what: String,
    /// Where it stands, in words.
    pub state: String,
    pub href: Option<String>,
    /// Overdue or otherwise needing attention (shown as a warning).
    pub attention: bool,
}

/// A person's section, once loaded (`None`: the programme holds nothing the reader may see).
pub type SectionFuture<'a> = Pin<
    Box<dyn Future<Output = Result<Option<PersonSection>, zhucan_store::StoreError>> + Send + 'a>,
>;

/// What a programme's section is asked for: the reader's account, the person, the language.
#[derive(Clone, Copy)]
pub struct SectionAsk<'a> {
    pub state: &'a AppState,
    pub user: &'a User,
    pub person: &'a zhucan_domain::person::Person,
    pub reader: Reader,
    pub lang: Lang,
}

/// An account the demo needs bound to one of a programme's organisations (an institution's,
/// a contractor's). Demo only: the password is a published demo value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOrgAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub role: zhucan_domain::access::Role,
    /// The area the account is scoped to (the district).
    pub area: String,
    /// The organisation it is bound to (`account_orgs`).
    pub org: String,
    /// What the organisation is, for the printed list.
    pub org_name: String,
}

/// A programme's demo data written, and the accounts it needs.
pub type DemoFuture<'a> = Pin<
    Box<dyn Future<Output = Result<Vec<DemoOrgAccount>, zhucan_store::StoreError>> + Send + 'a>,
>;

/// One programme of the platform.
pub trait Programme: Send + Sync + 'static {
    /// A short stable key (`subsidies`); also the prefix of its messages and migrations.
    fn key(&self) -> &'static str;

    /// Its schema changes, applied in order after the kernel's (names unique everywhere).
    fn migrations(&self) -> Vec<Migration> {
        vec![]
    }

    /// Its pages and API routes. Every route also needs its rows in the authorisation
    /// matrix (`crates/cli/tests/it/authz.rs`): a route without one fails the suite.
    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![]
    }

    /// Its menu entries.
    fn nav(&self) -> Vec<NavEntry> {
        vec![]
    }

    /// Its entries in the home page's "common tasks" (ordered with everyone's by `order`).
    fn home_tasks(&self) -> Vec<NavEntry> {
        vec![]
    }

    /// Its part of the OpenAPI document.
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        None
    }

    /// Its rows of the error-code table (codes its API answers beyond the kernel's).
    fn error_codes(&self) -> &'static [&'static crate::error::ErrorCode] {
        &[]
    }

    /// What it adds to the registry's facts (loaded and refreshed with them).
    fn fact_layers(&self) -> Vec<Arc<dyn zhucan_facts::FactLayer>> {
        vec![]
    }

    /// What it keeps in the service's state; `state` is the kernel's part (store, config).
    fn install(&self, _state: &AppState, _ext: &mut Extensions) {}

    /// Its section of a person's file (staff) and of the person's own file (service end).
    /// The caller has already checked the reader may read the person; the programme checks
    /// its own rights (a section the reader's role may not see is `None`).
    fn person_section<'a>(&'a self, _ask: SectionAsk<'a>) -> SectionFuture<'a> {
        Box::pin(async { Ok(None) })
    }

    /// Its background jobs while the service runs.
    fn jobs(&self, _state: &AppState) -> Vec<Job> {
        vec![]
    }

    /// Its part of the demo (`zhucan serve --demo`, `zhucan demo`) over the demo district
    /// already loaded: the organisations it works with, their stock or budgets — only what is
    /// missing, so that it runs at every start — and the accounts the demo binds to them.
    fn demo<'a>(&'a self, _store: &'a Store) -> DemoFuture<'a> {
        Box::pin(async { Ok(vec![]) })
    }

    /// Its command-line commands (subcommands of `zhucan`); [`subcommands_of`] lists a
    /// derived `clap::Subcommand` enum's.
    fn commands(&self) -> Vec<clap::Command> {
        vec![]
    }

    /// Runs the command of `top` (the whole command line's matches) if it is one of
    /// [`Self::commands`].
    fn run<'a>(
        &'a self,
        _top: &'a clap::ArgMatches,
        _ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        None
    }
}

/// The programmes of this build, in order (the order of their migrations and menu entries).
#[derive(Clone, Default)]
pub struct Programmes(Arc<Vec<Arc<dyn Programme>>>);

impl std::fmt::Debug for Programmes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|p| p.key()))
            .finish()
    }
}

impl Programmes {
    pub fn new(list: Vec<Arc<dyn Programme>>) -> Programmes {
        Programmes(Arc::new(list))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Programme>> {
        self.0.iter()
    }

    /// The kernel's migrations, then every programme's.
    pub fn schema(&self) -> Schema {
        self.0
            .iter()
            .fold(Schema::kernel(), |s, p| s.with(p.key(), p.migrations()))
    }

    /// Every programme's routes.
    pub fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        self.0.iter().flat_map(|p| p.routes()).collect()
    }

    /// Every programme's fact layers.
    /// The error-code table: the kernel's rows, then each programme's.
    pub fn error_codes(&self) -> Vec<&'static crate::error::ErrorCode> {
        let mut v: Vec<&'static crate::error::ErrorCode> = crate::error::codes::ALL.to_vec();
        for p in self.0.iter() {
            v.extend(p.error_codes().iter().copied());
        }
        v
    }

    pub fn fact_layers(&self) -> Vec<Arc<dyn zhucan_facts::FactLayer>> {
        self.0.iter().flat_map(|p| p.fact_layers()).collect()
    }

    /// Every menu entry, in order.
    pub fn nav(&self) -> Vec<NavEntry> {
        let mut v: Vec<NavEntry> = self.0.iter().flat_map(|p| p.nav()).collect();
        v.sort_by_key(|e| e.order);
        v
    }

    /// Every programme's home-page tasks, with the kernel's, in order.
    pub fn home_tasks(&self) -> Vec<NavEntry> {
        let mut v: Vec<NavEntry> = self.0.iter().flat_map(|p| p.home_tasks()).collect();
        v.push(NavEntry {
            key: "two_factor",
            href: "/account/2fa",
            zh: "双重验证设置",
            en: "Two-step verification",
            order: 40,
            shown: |_| true,
        });
        v.sort_by_key(|e| e.order);
        v
    }

    /// Every programme's section of a person's file, in programme order.
    pub async fn person_sections(
        &self,
        ask: SectionAsk<'_>,
    ) -> Result<Vec<PersonSection>, zhucan_store::StoreError> {
        let mut v = Vec::new();
        for p in self.0.iter() {
            if let Some(s) = p.person_section(ask).await? {
                v.push(s);
            }
        }
        Ok(v)
    }

    /// Every programme's demo data, in programme order, and the accounts they need.
    pub async fn demo(
        &self,
        store: &Store,
    ) -> Result<Vec<DemoOrgAccount>, zhucan_store::StoreError> {
        let mut v = Vec::new();
        for p in self.0.iter() {
            v.extend(p.demo(store).await?);
        }
        Ok(v)
    }

    /// Every programme's commands.
    pub fn commands(&self) -> Vec<clap::Command> {
        self.0.iter().flat_map(|p| p.commands()).collect()
    }

    /// Runs the command of `top` with whichever programme has it.
    pub fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        self.0.iter().find_map(|p| p.run(top, ctx))
    }
}

/// The subcommands of a derived `clap::Subcommand` enum (for [`Programme::commands`]).
pub fn subcommands_of<S: clap::Subcommand>() -> Vec<clap::Command> {
    S::augment_subcommands(clap::Command::new("zhucan"))
        .get_subcommands()
        .cloned()
        .collect()
}

/// The command of `top` as the derived `clap::Subcommand` enum `S`, if it is one of `S`'s
/// (for [`Programme::run`]).
pub fn command_of<S: clap::Subcommand + clap::FromArgMatches>(top: &clap::ArgMatches) -> Option<S> {
    let name = top.subcommand_name()?;
    if !S::has_subcommand(name) {
        return None;
    }
    S::from_arg_matches(top).ok()
}
