//! The host table: every (tenant, host) the streams mention, with its host
//! labels — the labels of its series that no metric declares (`role`,
//! `os`, `site`, `job`), and those of the inventory, which win.

use crate::decode::Label;
use hashbrown::HashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A host, as the unit of partitioning: the runtime can later split its
/// state across processes by this key.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct HostKey {
    pub tenant: Option<Arc<str>>,
    pub host: Arc<str>,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct HostId(pub u32);

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct HostTable {
    keys: Vec<HostKey>,
    /// Rebuilt from `keys` after a restore ([`HostTable::reindex`]).
    #[serde(skip)]
    by_key: HashMap<HostKey, HostId>,
    /// Labels seen on the host's series, then the inventory's.
    labels: Vec<BTreeMap<Arc<str>, Arc<str>>>,
    /// Labels from the inventory: they override series labels.
    fixed: Vec<bool>,
}

impl HostTable {
    pub fn intern(&mut self, tenant: Option<Arc<str>>, host: Arc<str>) -> HostId {
        let key = HostKey { tenant, host };
        if let Some(id) = self.by_key.get(&key) {
            return *id;
        }
        let id = HostId(self.keys.len() as u32);
        let mut labels = BTreeMap::new();
        labels.insert(Arc::from(super::HOST_LABEL), key.host.clone());
        if let Some(t) = &key.tenant {
            labels.insert(Arc::from(super::TENANT_LABEL), t.clone());
        }
        self.keys.push(key.clone());
        self.by_key.insert(key, id);
        self.labels.push(labels);
        self.fixed.push(false);
        id
    }

    /// Rebuilds the lookup by key (after a restore, which keeps only `keys`).
    pub fn reindex(&mut self) {
        self.by_key =
            self.keys.iter().enumerate().map(|(i, k)| (k.clone(), HostId(i as u32))).collect();
    }

    /// Records the labels of one of the host's series.
    pub fn observe(&mut self, host: HostId, labels: &[Label]) {
        let i = host.0 as usize;
        let fixed = self.fixed[i];
        let table = &mut self.labels[i];
        for l in labels {
            if !(fixed && table.contains_key(&l.name)) {
                table.insert(l.name.clone(), l.value.clone());
            }
        }
    }

    /// Sets labels from the inventory; they win over series labels.
    pub fn set_inventory(&mut self, host: HostId, labels: &[(String, String)]) {
        let i = host.0 as usize;
        self.fixed[i] = true;
        for (k, v) in labels {
            self.labels[i].insert(k.as_str().into(), v.as_str().into());
        }
    }

    /// A host of another table, with its labels (series and inventory):
    /// interned here, its labels copied over ours.
    pub fn adopt(&mut self, other: &HostTable, id: HostId) -> HostId {
        let key = other.key(id).clone();
        let here = self.intern(key.tenant, key.host);
        let (from, to) = (id.0 as usize, here.0 as usize);
        if let (Some(labels), Some(fixed)) = (other.labels.get(from), other.fixed.get(from)) {
            self.labels[to].extend(labels.iter().map(|(k, v)| (k.clone(), v.clone())));
            self.fixed[to] |= *fixed;
        }
        here
    }

    pub fn key(&self, host: HostId) -> &HostKey {
        &self.keys[host.0 as usize]
    }

    /// The value of a host label, shared.
    pub fn label_arc(&self, host: HostId, name: &str) -> Option<Arc<str>> {
        self.labels[host.0 as usize].get(name).cloned()
    }

    pub fn label(&self, host: HostId, name: &str) -> Option<&str> {
        self.labels[host.0 as usize].get(name).map(|v| &**v)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
