//! The Parquet format's vocabulary: the enums and unions apache/parquet-format defines in
//! `src/main/thrift/parquet.thrift` (`Encoding`, `CompressionCodec`, `PageType`,
//! `FieldRepetitionType`, `ConvertedType`, `BoundaryOrder`, and the unions `TimeUnit`,
//! `LogicalType`, `ColumnOrder`), whose meaning `LogicalTypes.md` and `Encodings.md` state.
//!
//! They belong to neither decoder: the raw decoder ([`crate::raw`]) reads them from the
//! footer's Thrift bytes, and the rest of the crate (column facts, the metadata witness, the
//! diagnosis, the pre-flight screen) reasons in them without depending on how they were read.

use std::fmt;

/// Declares a Thrift enum as a Rust enum that keeps values it does not know (the format adds
/// encodings, codecs and page types over time), with its spec name and Display.
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

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
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

impl serde::Serialize for LogicalType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
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
}
