//! The Parquet format's vocabulary: the enums and unions apache/parquet-format defines in
//! `src/main/thrift/parquet.thrift` (`Encoding`, `CompressionCodec`, `PageType`,
//! `FieldRepetitionType`, `ConvertedType`, `BoundaryOrder`, and the unions `TimeUnit`,
//! `LogicalType`, `ColumnOrder`), whose meaning `LogicalTypes.md` and `Encodings.md` state.
//!
//! They belong to neither decoder: the raw decoder ([`crate::raw`]) reads them from the
//! footer's Thrift bytes, and the rest of the crate (column facts, the metadata witness, the
//! diagnosis, the pre-flight screen) reasons in them without depending on how they were read.

use std::fmt;
use std::str::FromStr;

/// A name that is not the display name of any value of a format type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {what}: {name:?}")]
pub struct UnknownName {
    /// The type the name was read as.
    pub what: &'static str,
    /// The name as given.
    pub name: String,
}

impl UnknownName {
    fn new(what: &'static str, name: &str) -> Self {
        Self {
            what,
            name: name.to_owned(),
        }
    }
}

/// The `N` of `HEAD(N)`, the display of a value the reader does not know.
fn number_in<T: FromStr>(text: &str, head: &str) -> Option<T> {
    text.strip_prefix(head)?
        .strip_prefix('(')?
        .strip_suffix(')')?
        .parse()
        .ok()
}

/// Reads a display name back, with serde: every format type is written as its display name.
fn deserialize_name<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: FromStr<Err = UnknownName>,
    D: serde::Deserializer<'de>,
{
    let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
    name.parse().map_err(serde::de::Error::custom)
}

/// Declares a Thrift enum as a Rust enum that keeps values it does not know (the format adds
/// encodings, codecs and page types over time), with its spec name, Display, and the Display
/// read back (FromStr, serde).
macro_rules! thrift_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $value:literal => $spec_name:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this reader does not know, as written.
            Unknown(i32),
        }

        impl $name {
            /// Decodes the Thrift enum value.
            pub fn from_i32(value: i32) -> Self {
                match value {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other),
                }
            }

            /// The Thrift enum value.
            pub fn to_i32(self) -> i32 {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(value) => value,
                }
            }

            /// The name parquet.thrift gives the value; `"UNKNOWN"` for a value it does not list.
            pub fn name(self) -> &'static str {
                match self {
                    $( Self::$variant => $spec_name, )+
                    Self::Unknown(_) => "UNKNOWN",
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    Self::Unknown(value) => write!(f, "UNKNOWN({value})"),
                    known => f.write_str(known.name()),
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            /// Reads the Display back: a spec name, or `UNKNOWN(N)`.
            fn from_str(name: &str) -> Result<Self, UnknownName> {
                match name {
                    $( $spec_name => Ok(Self::$variant), )+
                    _ => number_in(name, "UNKNOWN")
                        .map(Self::Unknown)
                        .ok_or_else(|| UnknownName::new(stringify!($name), name)),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserialize_name(deserializer)
            }
        }
    };
}

thrift_enum! {
    /// parquet.thrift `Encoding`: how values or levels are encoded in a page.
    Encoding {
        /// `PLAIN`: values back to back.
        Plain = 0 => "PLAIN",
        /// `PLAIN_DICTIONARY`: deprecated name for dictionary encoding (format 1.0).
        PlainDictionary = 2 => "PLAIN_DICTIONARY",
        /// `RLE`: the RLE / bit-packing hybrid.
        Rle = 3 => "RLE",
        /// `BIT_PACKED`: deprecated, levels only.
        BitPacked = 4 => "BIT_PACKED",
        /// `DELTA_BINARY_PACKED`.
        DeltaBinaryPacked = 5 => "DELTA_BINARY_PACKED",
        /// `DELTA_LENGTH_BYTE_ARRAY`.
        DeltaLengthByteArray = 6 => "DELTA_LENGTH_BYTE_ARRAY",
        /// `DELTA_BYTE_ARRAY`.
        DeltaByteArray = 7 => "DELTA_BYTE_ARRAY",
        /// `RLE_DICTIONARY`: dictionary indices, RLE-encoded.
        RleDictionary = 8 => "RLE_DICTIONARY",
        /// `BYTE_STREAM_SPLIT`.
        ByteStreamSplit = 9 => "BYTE_STREAM_SPLIT",
    }
}

thrift_enum! {
    /// parquet.thrift `CompressionCodec`.
    Codec {
        /// `UNCOMPRESSED`.
        Uncompressed = 0 => "UNCOMPRESSED",
        /// `SNAPPY`.
        Snappy = 1 => "SNAPPY",
        /// `GZIP`.
        Gzip = 2 => "GZIP",
        /// `LZO`.
        Lzo = 3 => "LZO",
        /// `BROTLI`.
        Brotli = 4 => "BROTLI",
        /// `LZ4`: deprecated, framing differs between writers.
        Lz4 = 5 => "LZ4",
        /// `ZSTD`.
        Zstd = 6 => "ZSTD",
        /// `LZ4_RAW`: the LZ4 block format.
        Lz4Raw = 7 => "LZ4_RAW",
    }
}

thrift_enum! {
    /// parquet.thrift `PageType`.
    PageType {
        /// `DATA_PAGE`: a v1 data page.
        DataPage = 0 => "DATA_PAGE",
        /// `INDEX_PAGE`: never specified, never written.
        IndexPage = 1 => "INDEX_PAGE",
        /// `DICTIONARY_PAGE`.
        DictionaryPage = 2 => "DICTIONARY_PAGE",
        /// `DATA_PAGE_V2`.
        DataPageV2 = 3 => "DATA_PAGE_V2",
    }
}

thrift_enum! {
    /// parquet.thrift `FieldRepetitionType`.
    Repetition {
        /// `REQUIRED`: exactly one value.
        Required = 0 => "REQUIRED",
        /// `OPTIONAL`: zero or one value.
        Optional = 1 => "OPTIONAL",
        /// `REPEATED`: zero or more values.
        Repeated = 2 => "REPEATED",
    }
}

thrift_enum! {
    /// parquet.thrift `ConvertedType`, the deprecated predecessor of [`LogicalType`].
    ConvertedType {
        /// `UTF8`.
        Utf8 = 0 => "UTF8",
        /// `MAP`.
        Map = 1 => "MAP",
        /// `MAP_KEY_VALUE`.
        MapKeyValue = 2 => "MAP_KEY_VALUE",
        /// `LIST`.
        List = 3 => "LIST",
        /// `ENUM`.
        Enum = 4 => "ENUM",
        /// `DECIMAL`, with `scale` and `precision` on the SchemaElement.
        Decimal = 5 => "DECIMAL",
        /// `DATE`.
        Date = 6 => "DATE",
        /// `TIME_MILLIS`.
        TimeMillis = 7 => "TIME_MILLIS",
        /// `TIME_MICROS`.
        TimeMicros = 8 => "TIME_MICROS",
        /// `TIMESTAMP_MILLIS`.
        TimestampMillis = 9 => "TIMESTAMP_MILLIS",
        /// `TIMESTAMP_MICROS`.
        TimestampMicros = 10 => "TIMESTAMP_MICROS",
        /// `UINT_8`.
        Uint8 = 11 => "UINT_8",
        /// `UINT_16`.
        Uint16 = 12 => "UINT_16",
        /// `UINT_32`.
        Uint32 = 13 => "UINT_32",
        /// `UINT_64`.
        Uint64 = 14 => "UINT_64",
        /// `INT_8`.
        Int8 = 15 => "INT_8",
        /// `INT_16`.
        Int16 = 16 => "INT_16",
        /// `INT_32`.
        Int32 = 17 => "INT_32",
        /// `INT_64`.
        Int64 = 18 => "INT_64",
        /// `JSON`.
        Json = 19 => "JSON",
        /// `BSON`.
        Bson = 20 => "BSON",
        /// `INTERVAL`.
        Interval = 21 => "INTERVAL",
    }
}

thrift_enum! {
    /// parquet.thrift `BoundaryOrder`: how a ColumnIndex's min/max lists are ordered.
    BoundaryOrder {
        /// `UNORDERED`.
        Unordered = 0 => "UNORDERED",
        /// `ASCENDING`.
        Ascending = 1 => "ASCENDING",
        /// `DESCENDING`.
        Descending = 2 => "DESCENDING",
    }
}

/// parquet.thrift union `TimeUnit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// `MILLIS`.
    Millis,
    /// `MICROS`.
    Micros,
    /// `NANOS`.
    Nanos,
    /// A union member this reader does not know, by field id; 0 for an empty union.
    Unknown(i16),
}

impl TimeUnit {
    /// The spec's member name.
    pub fn name(self) -> String {
        match self {
            Self::Millis => "MILLIS".into(),
            Self::Micros => "MICROS".into(),
            Self::Nanos => "NANOS".into(),
            Self::Unknown(id) => format!("UNKNOWN({id})"),
        }
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for TimeUnit {
    type Err = UnknownName;

    /// Reads [`TimeUnit::name`] back.
    fn from_str(name: &str) -> Result<Self, UnknownName> {
        match name {
            "MILLIS" => Ok(Self::Millis),
            "MICROS" => Ok(Self::Micros),
            "NANOS" => Ok(Self::Nanos),
            _ => number_in(name, "UNKNOWN")
                .map(Self::Unknown)
                .ok_or_else(|| UnknownName::new("TimeUnit", name)),
        }
    }
}

/// parquet.thrift union `LogicalType`: the annotation that says how to read a physical type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LogicalType {
    /// `STRING` (StringType): UTF-8 BYTE_ARRAY.
    String,
    /// `MAP` (MapType).
    Map,
    /// `LIST` (ListType).
    List,
    /// `ENUM` (EnumType).
    Enum,
    /// `DECIMAL` (DecimalType).
    Decimal {
        /// Digits after the decimal point.
        scale: i32,
        /// Total digits.
        precision: i32,
    },
    /// `DATE` (DateType).
    Date,
    /// `TIME` (TimeType).
    Time {
        /// `isAdjustedToUTC`.
        is_adjusted_to_utc: bool,
        /// Resolution.
        unit: TimeUnit,
    },
    /// `TIMESTAMP` (TimestampType).
    Timestamp {
        /// `isAdjustedToUTC`.
        is_adjusted_to_utc: bool,
        /// Resolution.
        unit: TimeUnit,
    },
    /// `INTEGER` (IntType).
    Integer {
        /// `bitWidth`: 8, 16, 32 or 64.
        bit_width: i8,
        /// `isSigned`.
        is_signed: bool,
    },
    /// `UNKNOWN` (NullType): always null.
    Unknown,
    /// `JSON` (JsonType).
    Json,
    /// `BSON` (BsonType).
    Bson,
    /// `UUID` (UUIDType).
    Uuid,
    /// `FLOAT16` (Float16Type).
    Float16,
    /// `VARIANT` (VariantType).
    Variant,
    /// `GEOMETRY` (GeometryType).
    Geometry,
    /// `GEOGRAPHY` (GeographyType).
    Geography,
    /// A union member this reader does not know, by field id; its body was skipped.
    Other(i16),
}

impl LogicalType {
    /// A display name: the spec's member name plus parameters, e.g. `DECIMAL(10,2)` (precision,
    /// scale), `INT(8,signed)`, `TIMESTAMP(MICROS,utc)`.
    pub fn name(&self) -> String {
        match self {
            Self::String => "STRING".into(),
            Self::Map => "MAP".into(),
            Self::List => "LIST".into(),
            Self::Enum => "ENUM".into(),
            Self::Decimal { scale, precision } => format!("DECIMAL({precision},{scale})"),
            Self::Date => "DATE".into(),
            Self::Time {
                is_adjusted_to_utc,
                unit,
            } => format!("TIME({unit},{})", utc_name(*is_adjusted_to_utc)),
            Self::Timestamp {
                is_adjusted_to_utc,
                unit,
            } => format!("TIMESTAMP({unit},{})", utc_name(*is_adjusted_to_utc)),
            Self::Integer {
                bit_width,
                is_signed,
            } => format!(
                "INT({bit_width},{})",
                if *is_signed { "signed" } else { "unsigned" }
            ),
            Self::Unknown => "UNKNOWN".into(),
            Self::Json => "JSON".into(),
            Self::Bson => "BSON".into(),
            Self::Uuid => "UUID".into(),
            Self::Float16 => "FLOAT16".into(),
            Self::Variant => "VARIANT".into(),
            Self::Geometry => "GEOMETRY".into(),
            Self::Geography => "GEOGRAPHY".into(),
            Self::Other(id) => format!("LOGICAL_TYPE({id})"),
        }
    }
}

fn utc_name(is_adjusted_to_utc: bool) -> &'static str {
    if is_adjusted_to_utc {
        "utc"
    } else {
        "local"
    }
}

impl fmt::Display for LogicalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for LogicalType {
    type Err = UnknownName;

    /// Reads [`LogicalType::name`] back.
    fn from_str(name: &str) -> Result<Self, UnknownName> {
        let unknown = || UnknownName::new("LogicalType", name);
        let simple = match name {
            "STRING" => Some(Self::String),
            "MAP" => Some(Self::Map),
            "LIST" => Some(Self::List),
            "ENUM" => Some(Self::Enum),
            "DATE" => Some(Self::Date),
            "UNKNOWN" => Some(Self::Unknown),
            "JSON" => Some(Self::Json),
            "BSON" => Some(Self::Bson),
            "UUID" => Some(Self::Uuid),
            "FLOAT16" => Some(Self::Float16),
            "VARIANT" => Some(Self::Variant),
            "GEOMETRY" => Some(Self::Geometry),
            "GEOGRAPHY" => Some(Self::Geography),
            _ => None,
        };
        if let Some(simple) = simple {
            return Ok(simple);
        }
        let (head, parameters) = name
            .strip_suffix(')')
            .and_then(|rest| rest.split_once('('))
            .ok_or_else(unknown)?;
        // The last comma: a unit's own display, `UNKNOWN(9)`, holds none, but stay safe.
        let (first, second) = parameters.rsplit_once(',').unwrap_or((parameters, ""));
        let utc = || match second {
            "utc" => Some(true),
            "local" => Some(false),
            _ => None,
        };
        let parsed = match head {
            "DECIMAL" => first
                .parse()
                .ok()
                .zip(second.parse().ok())
                .map(|(precision, scale)| Self::Decimal { scale, precision }),
            "TIME" => first
                .parse()
                .ok()
                .zip(utc())
                .map(|(unit, is_adjusted_to_utc)| Self::Time {
                    is_adjusted_to_utc,
                    unit,
                }),
            "TIMESTAMP" => first
                .parse()
                .ok()
                .zip(utc())
                .map(|(unit, is_adjusted_to_utc)| Self::Timestamp {
                    is_adjusted_to_utc,
                    unit,
                }),
            "INT" => {
                let is_signed = match second {
                    "signed" => Some(true),
                    "unsigned" => Some(false),
                    _ => None,
                };
                first
                    .parse()
                    .ok()
                    .zip(is_signed)
                    .map(|(bit_width, is_signed)| Self::Integer {
                        bit_width,
                        is_signed,
                    })
            }
            "LOGICAL_TYPE" => number_in(name, "LOGICAL_TYPE").map(Self::Other),
            _ => None,
        };
        parsed.ok_or_else(unknown)
    }
}

impl serde::Serialize for LogicalType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for LogicalType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_name(deserializer)
    }
}

/// parquet.thrift union `ColumnOrder`: the order min/max statistics use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnOrder {
    /// `TYPE_ORDER` (TypeDefinedOrder).
    TypeDefinedOrder,
    /// `IEEE_754_TOTAL_ORDER` (IEEE754TotalOrder).
    Ieee754TotalOrder,
    /// `INT96_TIMESTAMP_ORDER` (Int96TimestampOrder).
    Int96TimestampOrder,
    /// A union member this reader does not know, by field id.
    Unknown(i16),
    /// No member set, which parquet-cpp and parquet-java read as an undefined order.
    Undefined,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_and_unknown_values() {
        assert_eq!(Encoding::from_i32(8).name(), "RLE_DICTIONARY");
        assert_eq!(Encoding::from_i32(9), Encoding::ByteStreamSplit);
        assert_eq!(Encoding::from_i32(1), Encoding::Unknown(1));
        assert_eq!(Encoding::Unknown(42).to_string(), "UNKNOWN(42)");
        assert_eq!(Codec::from_i32(7).to_string(), "LZ4_RAW");
        assert_eq!(Codec::Lz4Raw.to_i32(), 7);
        assert_eq!(PageType::from_i32(3).name(), "DATA_PAGE_V2");
        assert_eq!(Repetition::from_i32(3), Repetition::Unknown(3));
        assert_eq!(ConvertedType::from_i32(21), ConvertedType::Interval);
        assert_eq!(BoundaryOrder::from_i32(2), BoundaryOrder::Descending);
    }

    #[test]
    fn display_names_read_back() {
        for value in (-1..25).map(ConvertedType::from_i32) {
            assert_eq!(value.to_string().parse(), Ok(value));
        }
        assert_eq!("PLAIN".parse(), Ok(Encoding::Plain));
        assert_eq!("UNKNOWN(42)".parse(), Ok(Codec::Unknown(42)));
        for bad in ["", "plain", "UNKNOWN", "UNKNOWN()", "UNKNOWN(x)", "PLAIN "] {
            assert!(bad.parse::<Encoding>().is_err(), "{bad:?}");
        }

        let units = [
            TimeUnit::Millis,
            TimeUnit::Micros,
            TimeUnit::Nanos,
            TimeUnit::Unknown(0),
            TimeUnit::Unknown(9),
        ];
        let mut logical = vec![
            LogicalType::String,
            LogicalType::Map,
            LogicalType::List,
            LogicalType::Enum,
            LogicalType::Decimal {
                scale: 2,
                precision: 10,
            },
            LogicalType::Decimal {
                scale: -1,
                precision: 0,
            },
            LogicalType::Date,
            LogicalType::Unknown,
            LogicalType::Json,
            LogicalType::Bson,
            LogicalType::Uuid,
            LogicalType::Float16,
            LogicalType::Variant,
            LogicalType::Geometry,
            LogicalType::Geography,
            LogicalType::Other(2555),
            LogicalType::Integer {
                bit_width: 8,
                is_signed: false,
            },
            LogicalType::Integer {
                bit_width: -3,
                is_signed: true,
            },
        ];
        for unit in units {
            for is_adjusted_to_utc in [true, false] {
                logical.push(LogicalType::Time {
                    is_adjusted_to_utc,
                    unit,
                });
                logical.push(LogicalType::Timestamp {
                    is_adjusted_to_utc,
                    unit,
                });
            }
        }
        for value in logical {
            assert_eq!(value.name().parse(), Ok(value.clone()), "{value}");
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(serde_json::from_str::<LogicalType>(&json).unwrap(), value);
        }
        for bad in [
            "",
            "string",
            "DECIMAL",
            "DECIMAL(10)",
            "DECIMAL(10,x)",
            "TIME(MILLIS)",
            "TIME(MILLIS,UTC)",
            "TIMESTAMP(SECONDS,utc)",
            "INT(8,maybe)",
            "INT(300,signed)",
            "LOGICAL_TYPE()",
            "UTF8",
        ] {
            assert!(bad.parse::<LogicalType>().is_err(), "{bad:?}");
        }
    }
}
