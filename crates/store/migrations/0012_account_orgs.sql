-- The organisation an institution or contractor account works for (机构、施工单位账号的归属).
-- Such an account (`Role::confined`) sees only that organisation's own cases; the programmes
-- that own the organisations (rehabilitation institutions, device service points,
-- home-modification contractors) read the binding and confine every query to it.
CREATE TABLE account_orgs (
    user_id     TEXT PRIMARY KEY REFERENCES users (id),
    org_id      TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL
);
CREATE INDEX account_orgs_org ON account_orgs (org_id);
