//! The plan cache: repeated requests skip parsing, validation and planning.
//!
//! Bounded by bytes, not entries: a key holds a whole document (up to the gateway's body
//! limit) and its variables, so a count bound alone lets a client pin about
//! `entries × body limit` of memory with distinct large documents. Entries are weighed
//! by their key's text plus an estimate of the plan built from it (proportional to the
//! document, which the plan mirrors), and evicted by moka's TinyLFU policy, which also
//! keeps a flood of one-off documents from pushing out the plans in steady use.

use std::hash::Hash;
use std::sync::Arc;

/// Default budget of one cache, in bytes.
pub const DEFAULT_PLAN_CACHE_BYTES: u64 = 64 << 20;

/// Fixed cost counted for every entry, on top of its key and plan estimate.
const ENTRY_OVERHEAD: usize = 1024;

/// A byte-bounded cache of plans (or anything else made from request text).
pub struct PlanCache<K, V> {
    inner: moka::sync::Cache<K, Arc<V>>,
}

/// What an entry of the cache costs, in bytes (estimated).
pub trait Weigh {
    /// Bytes of request text in the key (document, operation name, variables).
    fn text_bytes(&self) -> usize;
}

impl<K, V> PlanCache<K, V>
where
    K: Weigh + Hash + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    pub fn new(max_bytes: u64) -> Self {
        PlanCache {
            inner: moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|k: &K, _v: &Arc<V>| {
                    // The key's text, plus a plan about three times its size.
                    let bytes = k.text_bytes().saturating_mul(4) + ENTRY_OVERHEAD;
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }

    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        self.inner.get(key)
    }

    pub fn insert(&self, key: K, value: Arc<V>) {
        self.inner.insert(key, value);
    }

    /// Estimated bytes held now (after pending evictions are applied).
    pub fn weighted_size(&self) -> u64 {
        self.inner.run_pending_tasks();
        self.inner.weighted_size()
    }

    pub fn entry_count(&self) -> u64 {
        self.inner.run_pending_tasks();
        self.inner.entry_count()
    }
}

impl Weigh for (String, Option<String>) {
    fn text_bytes(&self) -> usize {
        self.0.len() + self.1.as_ref().map_or(0, String::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_stays_within_its_byte_budget_whatever_the_documents() {
        let cache: PlanCache<(String, Option<String>), Vec<u8>> = PlanCache::new(8 << 20);
        // 200 distinct documents of 100 KB: 20 MB of text, about 80 MB counted.
        for i in 0..200 {
            let doc = format!("{{ a{i} }} #{}", "x".repeat(100_000));
            cache.insert((doc, None), Arc::new(Vec::new()));
        }
        assert!(
            cache.weighted_size() <= 8 << 20,
            "{}",
            cache.weighted_size()
        );
        assert!(cache.entry_count() < 200);
        // Small documents are kept in numbers.
        let small: PlanCache<(String, Option<String>), Vec<u8>> = PlanCache::new(8 << 20);
        for i in 0..1000 {
            small.insert((format!("{{ f{i} }}"), None), Arc::new(Vec::new()));
        }
        assert_eq!(small.entry_count(), 1000);
        assert!(small.get(&("{ f7 }".to_string(), None)).is_some());
    }
}
