//! The witness list's vocabulary: who checks a column. A column is checked by a list of
//! witnesses, each with a name (how reports key its results) and a role (what the check may
//! ask of it and what its disagreement means). Results per witness travel through the check
//! by their index in the list; names appear only at the report's edge, in [`ByWitness`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A witness's name, as reports key its results (`digests.raw`, `values.arrow`).
///
/// A string and not a closed enum: the built-in witnesses are constants, but the set is open
/// — a second file's decoders, a lock file, a test's faulty decoder each bring a name of their
/// own, and a report read back must keep names this build does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WitnessName(Cow<'static, str>);

impl WitnessName {
    /// The `parquet` crate's arrow reader (path A).
    pub const ARROW: Self = Self(Cow::Borrowed("arrow"));
    /// labelcheck's own page decoder (path B).
    pub const RAW: Self = Self(Cow::Borrowed("raw"));
    /// A dump of the labels (`--against`, `--against-source`, `--against-export`).
    pub const AGAINST: Self = Self(Cow::Borrowed("against"));
    /// The old version of the file (`--against OLD.parquet`), read by the raw decoder.
    pub const OLD: Self = Self(Cow::Borrowed("old"));

    /// A witness named `name`.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Self(name.into())
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WitnessName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for WitnessName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for WitnessName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

/// What the dump is, as the user said: it decides who is blamed when both decoders agree
/// and the dump differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpOrigin {
    /// `--against`: not stated; the writer and the dump's reader are both possible.
    Unstated,
    /// `--against-source`: the labels as handed to the writer; a difference is the writer's,
    /// or the pipeline's before it.
    Source,
    /// `--against-export`: another reader's export of this very file; a difference is that
    /// reader's.
    Export,
}

/// What a witness is to the check.
///
/// Every witness of today gives rows, window by window. A role to come slots in beside these:
/// a lock file is a witness that gives block digests only, so it can say which 65,536-row
/// blocks differ but not which rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WitnessRole {
    /// The decoder of the file that leads: it ends each window at a page boundary, the other
    /// witnesses give as many rows, and it decodes the next window while they decode the
    /// current one. Its page map, its metadata and its row counts are the column's. Exactly
    /// one witness leads.
    Leader,
    /// Another decoder of the same file. A row where it differs from the leader is a decoder
    /// disagreement; a chunk it fails on leaves the column checked by the others.
    Decoder {
        /// The pre-flight screen guards it: a chunk the screen refuses is never handed to it,
        /// and it reads the pages from where the screen found them (the arrow reader, whose
        /// page reader trusts what headers declare).
        screened: bool,
    },
    /// A dump of the labels, compared with the leader where the decoders agree. It covers the
    /// columns it holds; a column it lacks is simply not compared with it.
    Dump(DumpOrigin),
    /// Another version of the file's labels (`--against OLD.parquet`): the old file's raw
    /// decoder, its rows realigned to this file's row groups ([`crate::version`]). Compared
    /// with the leader where the file's decoders agree; a row where it differs is a change
    /// (`Kind::Changed`), not a fault. A column the old version lacks is not compared with it;
    /// a chunk it fails on leaves the rest of the column uncompared with it.
    Version,
}

impl WitnessRole {
    /// True for a decoder of the file, the leader included.
    pub fn decodes_the_file(self) -> bool {
        matches!(self, Self::Leader | Self::Decoder { .. })
    }

    /// True for a witness whose values come from a Parquet decoder, as stored: the canonical
    /// form applies to them (a dump's are parsed to it already).
    pub fn gives_stored_values(self) -> bool {
        matches!(self, Self::Leader | Self::Decoder { .. } | Self::Version)
    }
}

/// Something per witness, in the witness list's order: a map from witness name to value that
/// serialises as a JSON object with one key per witness present (`{"arrow": .., "raw": ..}`),
/// and reads such an object back in the order it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct ByWitness<T>(Vec<(WitnessName, T)>);

impl<T> Default for ByWitness<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> ByWitness<T> {
    /// Nothing for any witness.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name`'s value, keeping its place when it has one.
    pub fn insert(&mut self, name: WitnessName, value: T) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((name, value)),
        }
    }

    /// The value of the witness named `name`, when it has one.
    pub fn get(&self, name: &WitnessName) -> Option<&T> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The witnesses and their values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&WitnessName, &T)> {
        self.0.iter().map(|(n, v)| (n, v))
    }

    /// The values, in order, to change them.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    /// How many witnesses have a value.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no witness has a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> FromIterator<(WitnessName, T)> for ByWitness<T> {
    fn from_iter<I: IntoIterator<Item = (WitnessName, T)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (name, value) in iter {
            map.insert(name, value);
        }
        map
    }
}

impl<T: Serialize> Serialize for ByWitness<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name.as_str(), value)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ByWitness<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Entries<T> {
            type Value = ByWitness<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object keyed by witness name")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = ByWitness::new();
                while let Some((name, value)) = access.next_entry::<String, T>()? {
                    map.insert(WitnessName::new(name), value);
                }
                Ok(map)
            }
        }

        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_witness_round_trips_in_order_with_nulls_kept() {
        let map: ByWitness<Option<u32>> = [
            (WitnessName::RAW, Some(1)),
            (WitnessName::ARROW, None),
            (WitnessName::new("lock"), Some(3)),
        ]
        .into_iter()
        .collect();
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(json, r#"{"raw":1,"arrow":null,"lock":3}"#);
        let back: ByWitness<Option<u32>> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, map);
    }

    /// Reports flatten a map beside fixed fields (a differing block's digests, a column's
    /// seconds): it must read back from what is left of the object, in order.
    #[test]
    fn by_witness_flattened_beside_fields_round_trips() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Block {
            block: u64,
            #[serde(flatten)]
            digests: ByWitness<Option<String>>,
        }
        let block = Block {
            block: 3,
            digests: [
                (WitnessName::ARROW, Some("a".to_owned())),
                (WitnessName::RAW, None),
            ]
            .into_iter()
            .collect(),
        };
        let json = serde_json::to_string(&block).unwrap();
        assert_eq!(json, r#"{"block":3,"arrow":"a","raw":null}"#);
        assert_eq!(serde_json::from_str::<Block>(&json).unwrap(), block);
    }
}
