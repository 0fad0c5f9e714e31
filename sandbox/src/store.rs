//! The records of one resource, bounded: at most `capacity` are kept (the oldest is evicted
//! when a new one would exceed it), each stored as compact JSON text, and found by id (or by
//! any field a locator names) through an index, in constant time whatever their number.

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde_json::{Map, Value};

/// One resource's records.
pub(crate) struct Store {
    capacity: usize,
    /// The fields looked up by value (the id and every locator's field).
    indexed: BTreeSet<String>,
    records: HashMap<u64, Box<str>>,
    /// Slots in insertion order, for eviction.
    order: VecDeque<u64>,
    index: HashMap<(String, String), u64>,
    next_slot: u64,
}

impl Store {
    pub(crate) fn new(capacity: usize, indexed: BTreeSet<String>) -> Self {
        Self {
            capacity: capacity.max(1),
            indexed,
            records: HashMap::new(),
            order: VecDeque::new(),
            index: HashMap::new(),
            next_slot: 0,
        }
    }

    /// How many records are held.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Adds a record; evicts the oldest when full.
    pub(crate) fn insert(&mut self, record: Map<String, Value>) {
        while self.records.len() >= self.capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.remove(oldest);
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        self.index_record(slot, &record);
        self.records.insert(slot, encode(&record));
        self.order.push_back(slot);
    }

    /// The slot of the record whose `field` has this value (as text).
    pub(crate) fn find(&self, field: &str, value: &str) -> Option<u64> {
        if self.indexed.contains(field) {
            return self
                .index
                .get(&(field.to_owned(), value.to_owned()))
                .copied();
        }
        // A field no locator names: looked up the slow way (only the back-office control).
        self.order.iter().copied().find(|slot| {
            self.get(*slot)
                .and_then(|r| r.get(field).map(text))
                .as_deref()
                == Some(value)
        })
    }

    /// The record in a slot.
    pub(crate) fn get(&self, slot: u64) -> Option<Map<String, Value>> {
        self.records
            .get(&slot)
            .and_then(|json| serde_json::from_str(json).ok())
    }

    /// Replaces the record in a slot (its index entries follow).
    pub(crate) fn put(&mut self, slot: u64, record: Map<String, Value>) {
        if let Some(old) = self.get(slot) {
            self.unindex(slot, &old);
        }
        self.index_record(slot, &record);
        self.records.insert(slot, encode(&record));
    }

    /// Records whose fields equal `filter`, oldest first, skipping `skip` and taking `take`.
    pub(crate) fn list(
        &self,
        filter: &Map<String, Value>,
        skip: usize,
        take: usize,
    ) -> Vec<Map<String, Value>> {
        self.order
            .iter()
            .filter_map(|slot| self.get(*slot))
            .filter(|record| filter.iter().all(|(k, v)| record.get(k) == Some(v)))
            .skip(skip)
            .take(take)
            .collect()
    }

    /// Where the record whose `field` is `value` stands among those `filter` keeps (a list's
    /// position, for the page after it).
    pub(crate) fn position(
        &self,
        filter: &Map<String, Value>,
        field: &str,
        value: &str,
    ) -> Option<usize> {
        let slot = self.find(field, value)?;
        self.order
            .iter()
            .filter(|s| {
                **s == slot
                    || self
                        .get(**s)
                        .is_some_and(|record| filter.iter().all(|(k, v)| record.get(k) == Some(v)))
            })
            .position(|s| *s == slot)
    }

    fn remove(&mut self, slot: u64) {
        if let Some(record) = self.get(slot) {
            self.unindex(slot, &record);
        }
        self.records.remove(&slot);
    }

    fn index_record(&mut self, slot: u64, record: &Map<String, Value>) {
        for field in &self.indexed {
            if let Some(value) = record.get(field).filter(|v| !v.is_null()) {
                self.index.insert((field.clone(), text(value)), slot);
            }
        }
    }

    fn unindex(&mut self, slot: u64, record: &Map<String, Value>) {
        for field in &self.indexed {
            if let Some(value) = record.get(field) {
                let key = (field.clone(), text(value));
                if self.index.get(&key) == Some(&slot) {
                    self.index.remove(&key);
                }
            }
        }
    }
}

fn encode(record: &Map<String, Value>) -> Box<str> {
    serde_json::to_string(record)
        .unwrap_or_default()
        .into_boxed_str()
}

/// A value as text: strings as they are, others as JSON.
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: i64, external: &str) -> Map<String, Value> {
        json!({"cashout_id": id, "external_id": external, "status": 0})
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn lookups_by_index_and_eviction_of_the_oldest() {
        let indexed = ["cashout_id", "external_id"].map(String::from).into();
        let mut store = Store::new(2, indexed);
        store.insert(record(1, "a"));
        store.insert(record(2, "b"));
        let slot = store.find("external_id", "b").unwrap();
        assert_eq!(store.find("cashout_id", "2"), Some(slot));
        store.insert(record(3, "c"));
        assert_eq!(store.len(), 2);
        assert_eq!(
            store.find("cashout_id", "1"),
            None,
            "the oldest was evicted"
        );
        let mut changed = store.get(slot).unwrap();
        changed.insert("external_id".into(), json!("b2"));
        store.put(slot, changed);
        assert_eq!(store.find("external_id", "b"), None);
        assert_eq!(store.find("external_id", "b2"), Some(slot));
        assert!(
            store.find("status", "0").is_some(),
            "unindexed fields are scanned"
        );
        assert_eq!(store.list(&Map::new(), 1, 5).len(), 1);
    }
}
