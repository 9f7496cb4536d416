//! The programmes of the `zhucan` binary, listed once. Each programme declares what it brings
//! (`zhucan_web::Programme`); the binary, the service and the tests collect it from here.

// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use zhucan_store::Store;
use zhucan_store::migrate::Schema;
use zhucan_web::Programmes;

/// Every programme of this build, in the order of their migrations.
pub fn programmes() -> Programmes {
    Programmes::new(vec![
        zhucan_registry::programme(),
        zhucan_access::programme(),
        zhucan_plan::programme(),
        zhucan_subsidies::programme(),
        zhucan_service::programme(),
        zhucan_ecert::programme(),
        zhucan_feeds::programme(),
        zhucan_homemod::programme(),
        zhucan_rehab::programme(),
        zhucan_devices::programme(),
        zhucan_employment::programme(),
        zhucan_care::programme(),
    ])
}

/// The schema of a database: the kernel's migrations and every programme's.
pub fn schema() -> Schema {
    programmes().schema()
}

/// Opens (creating if needed) the database at `url` with every programme's migrations.
pub async fn open_store(url: &str) -> zhucan_store::Result<Store> {
    Store::open(url, &schema()).await
}

/// A facts cache over `store` with every programme's fact layers (what the service builds).
pub fn facts_cache(store: Store) -> zhucan_facts::FactsCache {
    zhucan_facts::FactsCache::new(store, programmes().fact_layers())
}
