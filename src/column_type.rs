//! What a column's values mean, decided in one place: the annotation its schema element
//! carries ([`Annotation`]), and what follows from that and the physical type — how values
//! are shown ([`CellStyle`]), which integers are narrower than their storage
//! ([`IntegerAnnotation`]), and how values are written in a `--against` dump ([`DumpType`]).
//!
//! The rules are apache/parquet-format's `LogicalTypes.md`: a `LogicalType` says what the
//! values mean; a `ConvertedType` (deprecated) says it only when there is no `LogicalType`.
//! Every module that asks "is this text, a decimal, an unsigned integer?" asks here, so the
//! comparison, the dump and the metadata witness cannot answer differently.

use std::fmt;
use std::str::FromStr;

use crate::format::{ConvertedType, LogicalType, UnknownName};
use crate::value::PhysicalType;

/// The annotation that says what a leaf column's physical values mean: its schema element's
/// `logicalType`, or its `converted_type` when it has no `logicalType` (LogicalTypes.md,
/// "Compatibility": readers interpret a ConvertedType only where no LogicalType is present).
///
/// Written (Display, serde) as reports show it: the logical type's name with its parameters
/// (`DECIMAL(10,2)`, `TIMESTAMP(MICROS,utc)`, `INT(8,signed)`), or the converted type's name
/// (`UTF8`, `TIMESTAMP_MILLIS`, `UINT_16`); read back (FromStr, serde) from the same text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Annotation {
    /// The `logicalType` annotation.
    Logical(LogicalType),
    /// Only a `converted_type`, one no `LogicalType` of the same name stands for (so that
    /// each annotation has one form, and its written name reads back to it).
    Converted(ConvertedType),
}

impl Annotation {
    /// The annotation of a schema element with these fields, if any.
    ///
    /// A logical type this reader does not know (a union member added to the format later)
    /// gives way to the converted type beside it, as parquet-java reads it: a writer that
    /// wrote both meant the same thing, and the converted type still says what is text, what
    /// is unsigned and how statistics order.
    pub fn of(logical: Option<&LogicalType>, converted: Option<ConvertedType>) -> Option<Self> {
        match logical {
            Some(LogicalType::Other(_)) if converted.is_some() => {}
            Some(logical) => return Some(Self::Logical(logical.clone())),
            None => {}
        }
        // These converted types mean exactly the logical type of the same name
        // (LogicalTypes.md's compatibility tables), and are written alike.
        Some(match converted? {
            ConvertedType::Map => Self::Logical(LogicalType::Map),
            ConvertedType::List => Self::Logical(LogicalType::List),
            ConvertedType::Enum => Self::Logical(LogicalType::Enum),
            ConvertedType::Date => Self::Logical(LogicalType::Date),
            ConvertedType::Json => Self::Logical(LogicalType::Json),
            ConvertedType::Bson => Self::Logical(LogicalType::Bson),
            other => Self::Converted(other),
        })
    }

    /// UTF-8 text: `STRING` (`UTF8`), and `ENUM` and `JSON`, which LogicalTypes.md says are
    /// read as UTF-8 strings. `BSON` is a binary document, not text.
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            Self::Logical(LogicalType::String | LogicalType::Enum | LogicalType::Json)
                | Self::Converted(ConvertedType::Utf8)
        )
    }

    /// A string of bytes that stands for itself: the text types, and `BSON` and `UUID`, whose
    /// sort order LogicalTypes.md gives as unsigned byte-wise comparison, as for an
    /// unannotated BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY. Decimals, FLOAT16 and INTERVAL in byte
    /// arrays are numbers, and geometries have no order.
    pub fn is_byte_string(&self) -> bool {
        self.is_text() || matches!(self, Self::Logical(LogicalType::Bson | LogicalType::Uuid))
    }

    /// An integer annotation: `INT(bits, signed)`, or one of `INT_8` .. `UINT_64`. Other
    /// annotations of an INT32 or INT64 (dates, times, timestamps, decimals) give the integer
    /// another meaning.
    pub fn is_integer(&self) -> bool {
        self.integer().is_some()
    }

    /// An integer annotation read as unsigned (`INT(n, false)`, `UINT_n`): its values are
    /// shown, ordered and parsed as unsigned.
    pub fn is_unsigned(&self) -> bool {
        self.integer().is_some_and(|(_, signed)| !signed)
    }

    /// Width as written and signedness of an integer annotation.
    fn integer(&self) -> Option<(i8, bool)> {
        Some(match self {
            Self::Logical(LogicalType::Integer {
                bit_width,
                is_signed,
            }) => (*bit_width, *is_signed),
            Self::Converted(converted) => match converted {
                ConvertedType::Int8 => (8, true),
                ConvertedType::Int16 => (16, true),
                ConvertedType::Int32 => (32, true),
                ConvertedType::Int64 => (64, true),
                ConvertedType::Uint8 => (8, false),
                ConvertedType::Uint16 => (16, false),
                ConvertedType::Uint32 => (32, false),
                ConvertedType::Uint64 => (64, false),
                _ => return None,
            },
            Self::Logical(_) => return None,
        })
    }

    /// A `DECIMAL`, either way it is written.
    pub fn is_decimal(&self) -> bool {
        matches!(
            self,
            Self::Logical(LogicalType::Decimal { .. }) | Self::Converted(ConvertedType::Decimal)
        )
    }

    /// A `LIST` group, either way it is written (LogicalTypes.md, "Lists").
    pub fn is_list(&self) -> bool {
        matches!(self, Self::Logical(LogicalType::List))
    }

    /// An `INTERVAL`, which has only a converted type.
    pub fn is_interval(&self) -> bool {
        matches!(self, Self::Converted(ConvertedType::Interval))
    }
}

impl fmt::Display for Annotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Logical(logical) => logical.fmt(f),
            Self::Converted(converted) => converted.fmt(f),
        }
    }
}

impl FromStr for Annotation {
    type Err = UnknownName;

    /// Reads the Display back; a name that is not exactly how an annotation is written (such
    /// as `DECIMAL(010,2)`) is refused, so the text a report holds is the text it gets back.
    fn from_str(name: &str) -> Result<Self, UnknownName> {
        let annotation = match name.parse::<LogicalType>() {
            Ok(logical) => Self::Logical(logical),
            Err(_) => Self::Converted(name.parse::<ConvertedType>()?),
        };
        if annotation.to_string() == name {
            Ok(annotation)
        } else {
            Err(UnknownName {
                what: "Annotation",
                name: name.to_owned(),
            })
        }
    }
}

impl serde::Serialize for Annotation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Annotation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// How to show a column's values in reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellStyle {
    /// Byte arrays hold UTF-8 text ([`Annotation::is_text`]).
    pub text: bool,
    /// Integers are unsigned ([`Annotation::is_unsigned`]).
    pub unsigned: bool,
    /// INT32 values annotated as 8 or 16 bits wide, which not every stored value fits.
    pub integer: Option<IntegerAnnotation>,
}

impl CellStyle {
    /// The style of a column of `physical` values annotated with `annotation`.
    pub fn of(physical: PhysicalType, annotation: Option<&Annotation>) -> Self {
        Self {
            text: annotation.is_some_and(Annotation::is_text),
            unsigned: annotation.is_some_and(Annotation::is_unsigned),
            integer: annotation
                .filter(|_| physical == PhysicalType::Int32)
                .and_then(Annotation::integer)
                .and_then(|(bits, signed)| {
                    IntegerAnnotation::narrower_than_int32(u8::try_from(bits).ok()?, signed)
                }),
        }
    }
}

/// An integer annotation narrower than its INT32 storage: INT(8|16, signed|unsigned), or the
/// converted types INT_8, INT_16, UINT_8, UINT_16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegerAnnotation {
    /// 8 or 16.
    pub bits: u8,
    /// Signed or unsigned.
    pub signed: bool,
}

impl IntegerAnnotation {
    /// The annotation for `bits` and `signed`, when it is narrower than 32 bits.
    pub fn narrower_than_int32(bits: u8, signed: bool) -> Option<Self> {
        matches!(bits, 8 | 16).then_some(Self { bits, signed })
    }

    /// True when the annotation can hold the stored INT32 `value` (an unsigned annotation
    /// reads the stored bits as unsigned, as the format says).
    pub fn holds(self, value: i32) -> bool {
        if self.signed {
            let limit = 1i64 << (self.bits - 1);
            (-limit..limit).contains(&i64::from(value))
        } else {
            u64::from(value as u32) < 1u64 << self.bits
        }
    }

    /// `value` narrowed to the annotation's width, as a reader that returns the annotated
    /// type does.
    pub fn narrow(self, value: i32) -> i32 {
        match (self.bits, self.signed) {
            (8, true) => i32::from(value as i8),
            (8, false) => i32::from(value as u8),
            (16, true) => i32::from(value as i16),
            _ => i32::from(value as u16),
        }
    }

    /// The stored value as the annotation's sign reads it.
    pub fn show(self, value: i32) -> String {
        if self.signed {
            value.to_string()
        } else {
            (value as u32).to_string()
        }
    }
}

impl fmt::Display for IntegerAnnotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.signed { "signed" } else { "unsigned" };
        write!(f, "INT({}, {sign})", self.bits)
    }
}

/// How values of a column are written in a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpType {
    /// `true`/`false`/`1`/`0`.
    Boolean,
    /// A decimal integer stored as INT32 (unsigned ones up to 2^32 - 1).
    Int32 {
        /// The column holds unsigned integers.
        unsigned: bool,
    },
    /// A decimal integer stored as INT64 (unsigned ones up to 2^64 - 1).
    Int64 {
        /// The column holds unsigned integers.
        unsigned: bool,
    },
    /// A float, parsed at 32 bits.
    Float,
    /// A float, parsed at 64 bits.
    Double,
    /// Text, compared byte for byte.
    Bytes,
    /// A type the dump contract does not cover yet.
    Unsupported(String),
}

impl DumpType {
    /// How values of a column of `physical` values annotated with `annotation` appear in a
    /// dump.
    pub fn of(physical: PhysicalType, annotation: Option<&Annotation>) -> Self {
        // Integers that mean something else (dates, times, decimals) have no agreed text form
        // yet.
        let plain_integer = annotation.is_none_or(Annotation::is_integer);
        let unsigned = annotation.is_some_and(Annotation::is_unsigned);
        match physical {
            PhysicalType::Boolean => Self::Boolean,
            PhysicalType::Int32 if plain_integer => Self::Int32 { unsigned },
            PhysicalType::Int64 if plain_integer => Self::Int64 { unsigned },
            PhysicalType::Float => Self::Float,
            PhysicalType::Double => Self::Double,
            // A byte string is its field's bytes, as an unannotated one always was.
            PhysicalType::ByteArray if annotation.is_none_or(Annotation::is_byte_string) => {
                Self::Bytes
            }
            _ => Self::Unsupported(match annotation {
                Some(annotation) => format!("{physical} ({annotation})"),
                None => physical.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::TimeUnit;

    fn logical(logical: LogicalType) -> Option<Annotation> {
        Annotation::of(Some(&logical), None)
    }

    fn converted(converted: ConvertedType) -> Option<Annotation> {
        Annotation::of(None, Some(converted))
    }

    #[test]
    fn the_logical_type_wins_and_converted_types_of_its_name_are_it() {
        assert_eq!(Annotation::of(None, None), None);
        assert_eq!(
            Annotation::of(Some(&LogicalType::String), Some(ConvertedType::Utf8)),
            Some(Annotation::Logical(LogicalType::String))
        );
        assert_eq!(
            converted(ConvertedType::Json),
            Some(Annotation::Logical(LogicalType::Json))
        );
        assert_eq!(
            converted(ConvertedType::Utf8),
            Some(Annotation::Converted(ConvertedType::Utf8))
        );
    }

    #[test]
    fn written_names_read_back() {
        let mut all: Vec<Annotation> = (-1..25)
            .filter_map(|value| converted(ConvertedType::from_i32(value)))
            .collect();
        all.extend(
            [
                LogicalType::String,
                LogicalType::Decimal {
                    scale: 2,
                    precision: 10,
                },
                LogicalType::Timestamp {
                    is_adjusted_to_utc: false,
                    unit: TimeUnit::Nanos,
                },
                LogicalType::Integer {
                    bit_width: 16,
                    is_signed: false,
                },
                LogicalType::Unknown,
                LogicalType::Other(2555),
            ]
            .into_iter()
            .filter_map(logical),
        );
        for annotation in all {
            let name = annotation.to_string();
            assert_eq!(name.parse(), Ok(annotation.clone()), "{name}");
            let json = serde_json::to_string(&annotation).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(
                serde_json::from_str::<Annotation>(&json).unwrap(),
                annotation
            );
        }
        for name in ["DECIMAL(010,2)", "utf8", "", "UNKNOWN(+3)"] {
            assert!(name.parse::<Annotation>().is_err(), "{name:?}");
        }
    }

    #[test]
    fn one_answer_to_what_the_values_are() {
        let text = [
            logical(LogicalType::String),
            logical(LogicalType::Enum),
            logical(LogicalType::Json),
            converted(ConvertedType::Utf8),
            converted(ConvertedType::Enum),
            converted(ConvertedType::Json),
        ];
        for annotation in text.iter().flatten() {
            assert!(
                annotation.is_text() && annotation.is_byte_string(),
                "{annotation}"
            );
        }
        for bytes in [
            logical(LogicalType::Bson),
            converted(ConvertedType::Bson),
            logical(LogicalType::Uuid),
        ] {
            let bytes = bytes.unwrap();
            assert!(!bytes.is_text() && bytes.is_byte_string(), "{bytes}");
        }
        let decimal = LogicalType::Decimal {
            scale: 1,
            precision: 5,
        };
        for other in [
            logical(decimal),
            converted(ConvertedType::Decimal),
            logical(LogicalType::Float16),
            converted(ConvertedType::Interval),
            logical(LogicalType::Geometry),
            logical(LogicalType::Other(40)),
        ] {
            let other = other.unwrap();
            assert!(!other.is_text() && !other.is_byte_string(), "{other}");
        }
        assert!(converted(ConvertedType::Decimal).unwrap().is_decimal());
        assert!(converted(ConvertedType::Interval).unwrap().is_interval());
        assert!(converted(ConvertedType::List).unwrap().is_list());
        assert!(logical(LogicalType::List).unwrap().is_list());
        assert!(!converted(ConvertedType::MapKeyValue).unwrap().is_list());
        for (annotation, unsigned) in [
            (converted(ConvertedType::Uint64), true),
            (converted(ConvertedType::Int8), false),
            (
                logical(LogicalType::Integer {
                    bit_width: 32,
                    is_signed: false,
                }),
                true,
            ),
        ] {
            let annotation = annotation.unwrap();
            assert!(annotation.is_integer(), "{annotation}");
            assert_eq!(annotation.is_unsigned(), unsigned, "{annotation}");
        }
        assert!(!logical(LogicalType::Date).unwrap().is_integer());
    }

    #[test]
    fn styles_and_dump_types_follow_the_annotation() {
        let uint8 = converted(ConvertedType::Uint8);
        let style = CellStyle::of(PhysicalType::Int32, uint8.as_ref());
        assert!(style.unsigned && !style.text);
        assert_eq!(
            style.integer,
            IntegerAnnotation::narrower_than_int32(8, false)
        );
        assert_eq!(
            CellStyle::of(PhysicalType::Int64, uint8.as_ref()).integer,
            None
        );
        assert_eq!(
            DumpType::of(PhysicalType::Int32, uint8.as_ref()),
            DumpType::Int32 { unsigned: true }
        );
        let date = logical(LogicalType::Date);
        assert_eq!(
            DumpType::of(PhysicalType::Int32, date.as_ref()),
            DumpType::Unsupported("INT32 (DATE)".into())
        );
        for bytes in [
            None,
            converted(ConvertedType::Utf8),
            logical(LogicalType::Bson),
        ] {
            assert_eq!(
                DumpType::of(PhysicalType::ByteArray, bytes.as_ref()),
                DumpType::Bytes
            );
        }
        assert_eq!(
            DumpType::of(PhysicalType::FixedLenByteArray, None),
            DumpType::Unsupported("FIXED_LEN_BYTE_ARRAY".into())
        );
    }

    #[test]
    fn integer_annotations_hold_and_narrow() {
        let int8 = IntegerAnnotation::narrower_than_int32(8, true).unwrap();
        assert!(int8.holds(-128) && int8.holds(127));
        assert!(!int8.holds(128) && !int8.holds(-129) && !int8.holds(255));
        assert_eq!(int8.narrow(255), -1);
        assert_eq!(int8.narrow(110_000_001), -127);
        let uint16 = IntegerAnnotation::narrower_than_int32(16, false).unwrap();
        assert!(uint16.holds(0) && uint16.holds(65_535));
        // Unsigned annotations read the stored bits as unsigned: -1 is 4294967295.
        assert!(!uint16.holds(-1) && !uint16.holds(65_536));
        assert_eq!(uint16.narrow(-1), 65_535);
        assert_eq!(uint16.show(-1), "4294967295");
        assert_eq!(uint16.to_string(), "INT(16, unsigned)");
        assert_eq!(IntegerAnnotation::narrower_than_int32(32, true), None);
    }

    #[test]
    fn an_unknown_logical_type_gives_way_to_the_converted_type() {
        let unknown = LogicalType::Other(99);
        let annotation = Annotation::of(Some(&unknown), Some(ConvertedType::Uint32)).unwrap();
        assert!(
            annotation.is_unsigned() && annotation.is_integer(),
            "{annotation}"
        );
        let text = Annotation::of(Some(&unknown), Some(ConvertedType::Utf8)).unwrap();
        assert!(text.is_text(), "{text}");
        // Alone, it stays what it is: nothing is known of its values.
        let alone = Annotation::of(Some(&unknown), None).unwrap();
        assert!(!alone.is_text() && !alone.is_unsigned(), "{alone}");
    }
}
