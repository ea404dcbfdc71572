//! Turns a parsed line's spans into shared names and label sets.
//!
//! Two tables: strings (series and label names and values) and whole label
//! sets. Both are looked up with the borrowed text of the line (hashbrown's
//! `HashTable` takes a hash and an equality test, so no key is built to look
//! one up), so a line whose label set has been seen before costs one hash of
//! its labels and no allocation at all.
//!
//! Memory must not grow with the input: each table is a cache that is
//! emptied when it reaches its limit (a stream whose labels never repeat,
//! such as a request id in a label, would otherwise grow it for ever).
//! Emptying only costs the sharing of the `Arc`s handed out before.

use super::parsed::Parsed;
use super::sample::Label;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

#[derive(Debug)]
pub(crate) struct Interner {
    hasher: DefaultHashBuilder,
    strings: HashTable<Arc<str>>,
    label_sets: HashTable<Arc<[Label]>>,
    limit: usize,
}

impl Interner {
    /// An interner that keeps at most `limit` strings and `limit` label sets.
    pub(crate) fn new(limit: usize) -> Self {
        Interner {
            hasher: DefaultHashBuilder::default(),
            strings: HashTable::new(),
            label_sets: HashTable::new(),
            limit: limit.max(1),
        }
    }

    /// The shared copy of `s`.
    pub(crate) fn str(&mut self, s: &str) -> Arc<str> {
        let hash = self.hasher.hash_one(s);
        if let Some(found) = self.strings.find(hash, |k| **k == *s) {
            return Arc::clone(found);
        }
        if self.strings.len() >= self.limit {
            self.strings.clear();
        }
        let fresh: Arc<str> = Arc::from(s);
        let hasher = &self.hasher;
        self.strings.insert_unique(hash, Arc::clone(&fresh), |k| hasher.hash_one(&**k));
        fresh
    }

    /// The shared label set of the line (labels already sorted).
    pub(crate) fn labels(&mut self, parsed: &Parsed, line: &str) -> Arc<[Label]> {
        let pairs =
            || parsed.labels.iter().map(|&(n, v)| (parsed.text(line, n), parsed.text(line, v)));
        let mut state = self.hasher.build_hasher();
        for (n, v) in pairs() {
            n.hash(&mut state);
            v.hash(&mut state);
        }
        let hash = state.finish();
        let same = |set: &Arc<[Label]>| {
            set.len() == parsed.labels.len()
                && set.iter().zip(pairs()).all(|(l, (n, v))| *l.name == *n && *l.value == *v)
        };
        if let Some(found) = self.label_sets.find(hash, same) {
            return Arc::clone(found);
        }
        if self.label_sets.len() >= self.limit {
            self.label_sets.clear();
        }
        let fresh: Arc<[Label]> =
            pairs().map(|(n, v)| Label { name: self.str(n), value: self.str(v) }).collect();
        let hasher = &self.hasher;
        self.label_sets.insert_unique(hash, Arc::clone(&fresh), |set| hash_set(hasher, set));
        fresh
    }
}

/// The hash of a stored label set: the same sequence of `str` hashes as the
/// lookup in [`Interner::labels`] feeds, so both agree.
fn hash_set(hasher: &DefaultHashBuilder, set: &[Label]) -> u64 {
    let mut state = hasher.build_hasher();
    for l in set {
        (*l.name).hash(&mut state);
        (*l.value).hash(&mut state);
    }
    state.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed_with_labels(line: &str, pairs: &[(usize, usize, usize, usize)]) -> Parsed {
        let mut p = Parsed::default();
        p.reset(line.len());
        for &(a, b, c, d) in pairs {
            let n = p.unescaped(line, &line[a..b], |_| None);
            let v = p.unescaped(line, &line[c..d], |_| None);
            p.labels.push((n, v));
        }
        p
    }

    #[test]
    fn equal_label_sets_share_one_allocation() {
        let mut i = Interner::new(100);
        let line = "host=a,cpu=0";
        let p = parsed_with_labels(line, &[(0, 4, 5, 6), (7, 10, 11, 12)]);
        let first = i.labels(&p, line);
        let again = i.labels(&p, line);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(&*first[0].name, "host");
        // The strings inside are shared too.
        assert!(Arc::ptr_eq(&first[0].name, &i.str("host")));
        let other = parsed_with_labels(line, &[(0, 4, 5, 6)]);
        assert_eq!(i.labels(&other, line).len(), 1);
    }

    #[test]
    fn tables_are_bounded() {
        let mut i = Interner::new(3);
        for n in 0..10 {
            i.str(&n.to_string());
            assert!(i.strings.len() <= 3);
        }
        let kept = i.str("x");
        assert!(Arc::ptr_eq(&kept, &i.str("x")));
    }
}
