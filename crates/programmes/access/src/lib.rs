//! Access and audit: the system administrator's accounts (roles, areas, sessions, tokens), the
//! security administrator's policy, one's own sessions and tokens, the auditors' search of the
//! audit trail; and `zhucan user`, `zhucan token`, `zhucan audit`.
//!
//! Signing in, sessions, the scope and the audit trail itself are the kernel's (every request
//! goes through them); this programme is where they are administered and read.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_access::t`), here too.
extern crate self as zhucan_access;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;

use axum::routing::{MethodRouter, get, post};
use zhucan_domain::access::Role;
use zhucan_web::programme::{CliContext, CommandFuture, NavEntry};
use zhucan_web::{AppState, Programme};

pub mod admin;
pub mod audit_pages;
pub mod cli;
pub mod security;
pub mod sessions;

/// The programme.
#[derive(Debug, Default)]
pub struct Access;

impl Programme for Access {
    fn key(&self) -> &'static str {
        "access"
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/admin/users", get(admin::users).post(admin::create)),
            (
                "/admin/users/{username}",
                get(admin::account).post(admin::change_rights),
            ),
            ("/admin/users/{username}/disable", post(admin::disable)),
            ("/admin/users/{username}/enable", post(admin::enable)),
            (
                "/admin/users/{username}/sessions/{id}/end",
                post(admin::end_session),
            ),
            (
                "/admin/users/{username}/tokens/{id}/revoke",
                post(admin::revoke_token),
            ),
            ("/account/sessions", get(sessions::sessions_page)),
            (
                "/account/sessions/{id}/end",
                post(sessions::end_own_session),
            ),
            (
                "/account/tokens/{id}/revoke",
                post(sessions::revoke_own_token),
            ),
            (
                "/security/settings",
                get(security::settings_page).post(security::save_settings),
            ),
            ("/audit", get(audit_pages::audit_page)),
            ("/audit/export.csv", get(audit_pages::audit_export)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "admin",
                href: "/admin/users",
                zh: "账户管理",
                en: "Accounts",
                order: 70,
                shown: |u| u.role == Role::SystemAdmin,
            },
            NavEntry {
                key: "security",
                href: "/security/settings",
                zh: "安全策略",
                en: "Security policy",
                order: 71,
                shown: |u| u.role == Role::SecurityAdmin,
            },
            NavEntry {
                key: "audit",
                href: "/audit",
                zh: "审计日志",
                en: "Audit trail",
                order: 72,
                shown: |u| u.role == Role::Auditor,
            },
        ]
    }

    fn home_tasks(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "audit",
                href: "/audit",
                zh: "查阅审计日志",
                en: "Read the audit trail",
                order: 30,
                shown: |u| u.role == Role::Auditor,
            },
            NavEntry {
                key: "admin",
                href: "/admin/users",
                zh: "管理账户、角色和会话",
                en: "Manage accounts, roles and sessions",
                order: 31,
                shown: |u| u.role == Role::SystemAdmin,
            },
            NavEntry {
                key: "security",
                href: "/security/settings",
                zh: "设置安全策略（超时、锁定、保存期限、密码长度）",
                en: "Set the security policy (timeouts, lockout, retention, password length)",
                order: 32,
                shown: |u| u.role == Role::SecurityAdmin,
            },
            NavEntry {
                key: "sessions",
                href: "/account/sessions",
                zh: "查看并结束我的登录会话和令牌",
                en: "See and end my sessions and tokens",
                order: 41,
                shown: |_| true,
            },
        ]
    }

    fn commands(&self) -> Vec<clap::Command> {
        zhucan_web::programme::subcommands_of::<cli::AccessCommand>()
    }

    fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        let cmd = zhucan_web::programme::command_of::<cli::AccessCommand>(top)?;
        Some(Box::pin(cli::run_command(cmd, ctx)))
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Access)
}
