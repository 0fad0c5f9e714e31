//! Go-style nullable wrappers (`sql.NullString`, `sql.NullTime`), as some vendors put them on
//! the wire: `{"String": "x", "Valid": true}`. The code generator substitutes these types for
//! the wrapper schemas that `vendor.yaml` names, so callers see optional values while the JSON
//! keeps the vendor's shape in both directions.

use std::ops::Deref;

use chrono::{DateTime, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An optional string carried as `{"String": "…", "Valid": bool}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NullString(pub Option<String>);

/// An optional UTC date-time carried as `{"Time": "<RFC 3339>", "Valid": bool}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NullTime(pub Option<DateTime<Utc>>);

impl Deref for NullString {
    type Target = Option<String>;
    fn deref(&self) -> &Option<String> {
        &self.0
    }
}

impl Deref for NullTime {
    type Target = Option<DateTime<Utc>>;
    fn deref(&self) -> &Option<DateTime<Utc>> {
        &self.0
    }
}

impl From<Option<String>> for NullString {
    fn from(value: Option<String>) -> Self {
        Self(value)
    }
}

impl From<NullString> for Option<String> {
    fn from(value: NullString) -> Self {
        value.0
    }
}

impl From<Option<DateTime<Utc>>> for NullTime {
    fn from(value: Option<DateTime<Utc>>) -> Self {
        Self(value)
    }
}

impl From<NullTime> for Option<DateTime<Utc>> {
    fn from(value: NullTime) -> Self {
        value.0
    }
}

/// The wire shape of both wrappers; `Valid: false` means "no value" whatever the value says.
#[derive(Serialize, Deserialize)]
struct Wire<T> {
    #[serde(rename = "String", alias = "Time", default = "Option::default")]
    value: Option<T>,
    #[serde(rename = "Valid", default)]
    valid: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Lenient<T> {
    Wrapped(Wire<T>),
    Plain(T),
}

/// Reads a wrapper, `null`, a plain value, or nothing at all: through `Option`, so that a
/// missing field (serde asks for an option) is "no value" rather than an error.
fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(
        match Option::<Lenient<Option<String>>>::deserialize(deserializer)? {
            None => None,
            Some(Lenient::Wrapped(wire)) => wire.value.flatten().filter(|_| wire.valid),
            Some(Lenient::Plain(value)) => value,
        },
    )
}

impl Serialize for NullString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut wire = serializer.serialize_struct("NullString", 2)?;
        wire.serialize_field("String", self.0.as_deref().unwrap_or(""))?;
        wire.serialize_field("Valid", &self.0.is_some())?;
        wire.end()
    }
}

impl<'de> Deserialize<'de> for NullString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read(deserializer).map(Self)
    }
}

/// Go's zero time, which an invalid `NullTime` carries.
const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

impl Serialize for NullTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut wire = serializer.serialize_struct("NullTime", 2)?;
        match &self.0 {
            Some(time) => wire.serialize_field(
                "Time",
                &time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            )?,
            None => wire.serialize_field("Time", GO_ZERO_TIME)?,
        }
        wire.serialize_field("Valid", &self.0.is_some())?;
        wire.end()
    }
}

impl<'de> Deserialize<'de> for NullTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Some(text) = read(deserializer)? else {
            return Ok(Self(None));
        };
        DateTime::parse_from_rfc3339(&text)
            .map(|t| Self(Some(t.with_timezone(&Utc))))
            .map_err(|e| D::Error::custom(format!("invalid date-time {text:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_round_trip_in_the_vendor_shape() {
        let some: NullString =
            serde_json::from_value(json!({"String": "QK12", "Valid": true})).unwrap();
        assert_eq!(some.as_deref(), Some("QK12"));
        assert_eq!(
            serde_json::to_value(&some).unwrap(),
            json!({"String": "QK12", "Valid": true})
        );
        let none: NullString =
            serde_json::from_value(json!({"String": "", "Valid": false})).unwrap();
        assert_eq!(*none, None);
        assert_eq!(
            serde_json::to_value(&none).unwrap(),
            json!({"String": "", "Valid": false})
        );
        // Valid:false wins over a stale value; null and plain strings are accepted too.
        assert_eq!(
            *serde_json::from_value::<NullString>(json!({"String": "x", "Valid": false})).unwrap(),
            None
        );
        assert_eq!(
            *serde_json::from_value::<NullString>(json!(null)).unwrap(),
            None
        );
        assert_eq!(
            serde_json::from_value::<NullString>(json!("y"))
                .unwrap()
                .as_deref(),
            Some("y")
        );
    }

    #[test]
    fn times_round_trip_in_the_vendor_shape() {
        let wire = json!({"Time": "2023-11-07T05:31:56Z", "Valid": true});
        let time: NullTime = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(time.map(|t| t.timestamp()), Some(1_699_335_116));
        assert_eq!(serde_json::to_value(time).unwrap(), wire);
        let zero = json!({"Time": "0001-01-01T00:00:00Z", "Valid": false});
        let none: NullTime = serde_json::from_value(zero.clone()).unwrap();
        assert_eq!(*none, None);
        assert_eq!(serde_json::to_value(none).unwrap(), zero);
        let bad = serde_json::from_value::<NullTime>(json!({"Time": "yesterday", "Valid": true}))
            .unwrap_err();
        assert!(
            bad.to_string().contains("invalid date-time \"yesterday\""),
            "{bad}"
        );
    }

    #[test]
    fn a_missing_field_is_no_value() {
        #[derive(Deserialize)]
        struct Order {
            receipt: NullString,
            completed_at: NullTime,
        }
        let order: Order = serde_json::from_value(json!({})).unwrap();
        assert_eq!((order.receipt.0, order.completed_at.0), (None, None));
    }
}
