//! The hash table behind `Dictionary`, `HashSet` and LINQ's keyed
//! operators (`Distinct`, `GroupBy`, `ToDictionary`, `Union`…): keys are
//! [`Value`]s compared with [`library::equals`] and hashed with
//! [`library::hash`] (or case-insensitively for a case-ignoring
//! `StringComparer`).
//!
//! Layout, as .NET's `Dictionary`: an entries vector (enumeration order)
//! plus an index from a key's 64-bit hash to the first entry with that
//! hash, entries with equal hashes chained through `next`. Removing an
//! entry frees its slot onto a LIFO free list that the next insertion
//! reuses — exactly .NET's behaviour, so enumeration order matches .NET
//! even after removals (insertion order when nothing is removed).
//!
//! Why not `indexmap`/`hashbrown`: their removal does not reproduce .NET's
//! slot reuse, and the case-insensitive comparer would need a key wrapper;
//! a std `HashMap<u64, usize>` (randomly seeded, so crafted keys cannot
//! flood one bucket) plus the chain costs no allocation per key.
//!
//! Invariants: every live entry is reachable from `heads[entry.hash]`
//! through `next`; every chain holds only entries of that exact hash;
//! free slots are in `free` and hold no key.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::common::{fold, KeyCmp};
use crate::library;
use crate::value::Value;

struct Slot<'k, V> {
    entry: Option<(Value<'k>, V)>,
    hash: u64,
    next: Option<usize>,
}

/// An insertion-ordered hash table from [`Value`] keys to `V`.
pub struct Table<'k, V> {
    slots: Vec<Slot<'k, V>>,
    free: Vec<usize>,
    heads: HashMap<u64, usize>,
    live: usize,
    cmp: KeyCmp,
    /// Tests: every key hashes alike, so every lookup walks one chain.
    #[cfg(test)]
    collide: bool,
}

impl<'k, V> Table<'k, V> {
    pub fn new(cmp: KeyCmp) -> Self {
        Table {
            slots: Vec::new(),
            free: Vec::new(),
            heads: HashMap::new(),
            live: 0,
            cmp,
            #[cfg(test)]
            collide: false,
        }
    }

    /// The comparer keys are compared with.
    pub fn cmp(&self) -> KeyCmp {
        self.cmp
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The number of slots, live or free (entry positions are below it).
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    fn hash_of(&self, key: &Value<'_>) -> u64 {
        #[cfg(test)]
        if self.collide {
            return 7;
        }
        match (self.cmp, key) {
            (KeyCmp::IgnoreCase, Value::Str(s)) => {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                for c in s.chars() {
                    fold(c).hash(&mut h);
                }
                h.finish()
            }
            _ => library::hash(key),
        }
    }

    /// The position of `key`'s entry.
    pub fn find(&self, key: &Value<'_>) -> Option<usize> {
        let mut cur = self.heads.get(&self.hash_of(key)).copied();
        while let Some(i) = cur {
            let slot = self.slots.get(i)?;
            if let Some((k, _)) = &slot.entry {
                if self.cmp.eq(k, key) {
                    return Some(i);
                }
            }
            cur = slot.next;
        }
        None
    }

    pub fn contains(&self, key: &Value<'_>) -> bool {
        self.find(key).is_some()
    }

    pub fn get(&self, key: &Value<'_>) -> Option<&V> {
        self.find(key).and_then(|i| self.at(i)).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &Value<'_>) -> Option<&mut V> {
        let i = self.find(key)?;
        self.slots.get_mut(i)?.entry.as_mut().map(|(_, v)| v)
    }

    /// The entry at position `i` (`None`: free or out of range).
    pub fn at(&self, i: usize) -> Option<(&Value<'k>, &V)> {
        self.slots.get(i)?.entry.as_ref().map(|(k, v)| (k, v))
    }

    /// Adds `key` unless present: `(position, true)` when added,
    /// `(position of the existing entry, false)` otherwise (`val` dropped).
    pub fn insert(&mut self, key: Value<'k>, val: V) -> (usize, bool) {
        if let Some(i) = self.find(&key) {
            return (i, false);
        }
        let hash = self.hash_of(&key);
        let next = self.heads.get(&hash).copied();
        let slot = Slot {
            entry: Some((key, val)),
            hash,
            next,
        };
        let i = match self.free.pop() {
            Some(i) if i < self.slots.len() => {
                self.slots[i] = slot;
                i
            }
            _ => {
                self.slots.push(slot);
                self.slots.len() - 1
            }
        };
        self.heads.insert(hash, i);
        self.live += 1;
        (i, true)
    }

    /// Adds or replaces: a replaced value keeps its entry's position.
    pub fn set(&mut self, key: Value<'k>, val: V) {
        match self.get_mut(&key) {
            Some(v) => *v = val,
            None => {
                self.insert(key, val);
            }
        }
    }

    /// Removes `key`: its entry, if it was present.
    pub fn remove(&mut self, key: &Value<'_>) -> Option<(Value<'k>, V)> {
        let i = self.find(key)?;
        self.remove_at(i)
    }

    /// Removes the entry at position `i`.
    pub fn remove_at(&mut self, i: usize) -> Option<(Value<'k>, V)> {
        let (hash, next) = {
            let s = self.slots.get(i)?;
            s.entry.as_ref()?;
            (s.hash, s.next)
        };
        // Unlink `i` from its chain.
        let mut prev = None;
        let mut cur = self.heads.get(&hash).copied();
        while let Some(c) = cur {
            if c == i {
                break;
            }
            prev = Some(c);
            cur = self.slots.get(c).and_then(|s| s.next);
        }
        match prev {
            None => match next {
                Some(n) => {
                    self.heads.insert(hash, n);
                }
                None => {
                    self.heads.remove(&hash);
                }
            },
            Some(p) => {
                if let Some(s) = self.slots.get_mut(p) {
                    s.next = next;
                }
            }
        }
        let slot = self.slots.get_mut(i)?;
        slot.next = None;
        let entry = slot.entry.take();
        self.free.push(i);
        self.live -= 1;
        entry
    }

    /// Removes every entry (later insertions start at position 0 again).
    pub fn clear(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.heads.clear();
        self.live = 0;
    }

    /// The live entries in enumeration order.
    pub fn iter(&self) -> impl Iterator<Item = (&Value<'k>, &V)> {
        self.slots.iter().filter_map(|s| s.entry.as_ref().map(|(k, v)| (k, v)))
    }

    /// The keys in enumeration order.
    pub fn keys(&self) -> impl Iterator<Item = &Value<'k>> {
        self.iter().map(|(k, _)| k)
    }

    /// Drops free slots, keeping the live entries' order (`TrimExcess`).
    pub fn compact(&mut self) {
        if self.free.is_empty() {
            return;
        }
        let slots = std::mem::take(&mut self.slots);
        self.clear();
        for s in slots {
            if let Some((k, v)) = s.entry {
                self.insert(k, v);
            }
        }
    }

    /// Consumes the table: its entries in order.
    pub fn into_entries(self) -> impl Iterator<Item = (Value<'k>, V)> {
        self.slots.into_iter().filter_map(|s| s.entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(t: &Table<'_, i32>) -> Vec<String> {
        t.keys().map(library::to_text_plain).collect()
    }

    #[test]
    fn insertion_order_and_lookup() {
        let mut t = Table::new(KeyCmp::Default);
        for (i, k) in ["b", "a", "c"].into_iter().enumerate() {
            assert!(t.insert(Value::str(k), i as i32).1);
        }
        assert!(!t.insert(Value::str("a"), 9).1);
        assert_eq!(keys(&t), ["b", "a", "c"]);
        assert_eq!(t.get(&Value::str("a")), Some(&1));
        assert_eq!(t.get(&Value::str("A")), None);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn removal_reuses_slots_last_freed_first_as_dotnet() {
        let mut t = Table::new(KeyCmp::Default);
        for k in 0..5 {
            t.insert(Value::Int(k), k);
        }
        t.remove(&Value::Int(1));
        t.remove(&Value::Int(3));
        t.insert(Value::Int(10), 0);
        t.insert(Value::Int(11), 0);
        t.insert(Value::Int(12), 0);
        assert_eq!(keys(&t), ["0", "11", "2", "10", "4", "12"]);
        assert!(t.contains(&Value::Int(4)));
        assert!(!t.contains(&Value::Int(3)));
        t.compact();
        assert_eq!(keys(&t), ["0", "11", "2", "10", "4", "12"]);
        t.clear();
        assert!(t.is_empty());
    }

    #[test]
    fn numbers_of_different_types_are_one_key() {
        let mut t = Table::new(KeyCmp::Default);
        t.insert(Value::Int(1), 0);
        assert!(t.contains(&Value::Long(1)));
    }

    #[test]
    fn ignore_case() {
        let mut t = Table::new(KeyCmp::IgnoreCase);
        t.insert(Value::str("Content-Type"), 1);
        assert_eq!(t.get(&Value::str("content-TYPE")), Some(&1));
        assert!(!t.insert(Value::str("CONTENT-TYPE"), 2).1);
        assert_eq!(t.remove(&Value::str("content-type")).map(|(_, v)| v), Some(1));
        assert!(t.is_empty());
    }

    #[test]
    fn chains_survive_removal_in_any_order() {
        // Many keys; remove every other one, then check the rest.
        for collide in [false, true] {
            chains(collide);
        }
    }

    fn chains(collide: bool) {
        let mut t = Table::new(KeyCmp::Default);
        t.collide = collide;
        for k in 0..200 {
            t.insert(Value::Int(k), k);
        }
        for k in (0..200).step_by(2) {
            assert!(t.remove(&Value::Int(k)).is_some());
        }
        for k in 0..200 {
            assert_eq!(t.get(&Value::Int(k)).is_some(), k % 2 == 1);
        }
        for k in (1..200).step_by(4) {
            assert!(t.remove(&Value::Int(k)).is_some());
        }
        for k in 0..200 {
            assert_eq!(t.get(&Value::Int(k)), (k % 4 == 3).then_some(&k));
        }
        assert_eq!(t.len(), 50);
    }
}
