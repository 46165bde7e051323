//! An OTLP/HTTP request body in OTLP JSON, gzip-compressed when it starts
//! with gzip's magic bytes: decompressed, decoded and mapped to span
//! records as the receiver does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfwatch_otlp::decode::{decode_request, decompress, Compression, Encoding};
use perfwatch_otlp::map::map_request;
use perfwatch_otlp::{MapOptions, OtlpConfig};

fuzz_target!(|data: &[u8]| {
    let compression = if data.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else {
        Compression::None
    };
    let Ok(body) = decompress(data, compression, OtlpConfig::new("fuzz").max_body_bytes) else {
        return;
    };
    if let Ok(request) = decode_request(&body, Encoding::Json) {
        let _ = map_request(&request, &MapOptions::default());
    }
});
