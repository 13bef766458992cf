//! Content-Encoding: gzip, deflate, br and zstd. The limit applies to the decompressed bytes and
//! is checked while decoding, so a decompression bomb costs at most `limit` bytes of memory.

use bytes::Bytes;
use std::io::Read;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("unsupported Content-Encoding `{0}`")]
    Unsupported(String),
    #[error("body larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("body is not valid {0} data")]
    Corrupt(&'static str),
}

impl Encoding {
    /// Reads a `Content-Encoding` value. An empty value and `UTF-8` mean none: sentry-ruby and
    /// old sentry-java send them (Relay's `should_ignore_encoding`).
    pub fn from_header(value: Option<&str>) -> Result<Self, DecodeError> {
        let Some(value) = value else { return Ok(Encoding::Identity) };
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "identity" | "utf-8" => Ok(Encoding::Identity),
            "gzip" | "x-gzip" => Ok(Encoding::Gzip),
            "deflate" => Ok(Encoding::Deflate),
            "br" => Ok(Encoding::Brotli),
            "zstd" => Ok(Encoding::Zstd),
            _ => Err(DecodeError::Unsupported(value.chars().take(40).collect())),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Deflate => "deflate",
            Encoding::Brotli => "br",
            Encoding::Zstd => "zstd",
        }
    }
}

/// Decodes `body`, failing with 413 as soon as the output passes `limit` bytes.
pub fn decode(encoding: Encoding, body: Bytes, limit: usize) -> Result<Bytes, DecodeError> {
    let input = &body[..];
    let decoded = match encoding {
        Encoding::Identity => {
            return if body.len() > limit { Err(DecodeError::TooLarge { limit }) } else { Ok(body) };
        }
        Encoding::Gzip => read_limited(flate2::read::MultiGzDecoder::new(input), limit),
        Encoding::Deflate => {
            // Zlib-wrapped as the standard says; raw deflate as some clients send it.
            read_limited(flate2::read::ZlibDecoder::new(input), limit).or_else(|err| match err {
                Failure::Corrupt => read_limited(flate2::read::DeflateDecoder::new(input), limit),
                too_large => Err(too_large),
            })
        }
        Encoding::Brotli => read_limited(brotli::Decompressor::new(input, 4096), limit),
        Encoding::Zstd => match zstd::stream::read::Decoder::new(input) {
            Ok(decoder) => read_limited(decoder, limit),
            Err(_) => Err(Failure::Corrupt),
        },
    };
    match decoded {
        Ok(bytes) => Ok(Bytes::from(bytes)),
        Err(Failure::TooLarge) => Err(DecodeError::TooLarge { limit }),
        Err(Failure::Corrupt) => Err(DecodeError::Corrupt(encoding.name())),
    }
}

enum Failure {
    TooLarge,
    Corrupt,
}

/// Reads at most `limit + 1` bytes from the decoder: one byte more than allowed proves the body
/// too large without inflating the rest.
fn read_limited(decoder: impl Read, limit: usize) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    let read_at_most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    decoder.take(read_at_most).read_to_end(&mut out).map_err(|_| Failure::Corrupt)?;
    if out.len() > limit { Err(Failure::TooLarge) } else { Ok(out) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Bytes {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("write");
        Bytes::from(encoder.finish().expect("finish"))
    }

    #[test]
    fn empty_and_utf8_encodings_mean_identity() {
        assert_eq!(Encoding::from_header(Some("")).ok(), Some(Encoding::Identity));
        assert_eq!(Encoding::from_header(Some("UTF-8")).ok(), Some(Encoding::Identity));
        assert_eq!(Encoding::from_header(None).ok(), Some(Encoding::Identity));
        assert!(matches!(Encoding::from_header(Some("lzma")), Err(DecodeError::Unsupported(_))));
    }

    #[test]
    fn gzip_is_decoded() {
        let decoded = decode(Encoding::Gzip, gzip(b"hello"), 100).ok();
        assert_eq!(decoded.as_deref(), Some(&b"hello"[..]));
    }

    #[test]
    fn deflate_accepts_zlib_and_raw_streams() {
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(b"zlib body").expect("write");
        let decoded = decode(Encoding::Deflate, Bytes::from(zlib.finish().expect("finish")), 100).ok();
        assert_eq!(decoded.as_deref(), Some(&b"zlib body"[..]));

        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(b"raw body").expect("write");
        let decoded = decode(Encoding::Deflate, Bytes::from(raw.finish().expect("finish")), 100).ok();
        assert_eq!(decoded.as_deref(), Some(&b"raw body"[..]));
    }

    #[test]
    fn a_body_that_decompresses_past_the_limit_is_too_large() {
        let bomb = gzip(&vec![0u8; 1_000_000]);
        assert!(bomb.len() < 10_000);
        assert!(matches!(decode(Encoding::Gzip, bomb, 64 * 1024), Err(DecodeError::TooLarge { limit: 65536 })));
    }

    #[test]
    fn corrupt_gzip_is_rejected_as_corrupt() {
        let mut body = gzip(b"hello world, hello world").to_vec();
        body.truncate(body.len() / 2);
        assert!(matches!(decode(Encoding::Gzip, Bytes::from(body), 100), Err(DecodeError::Corrupt("gzip"))));
    }

    #[test]
    fn brotli_and_zstd_are_decoded() {
        let mut br = Vec::new();
        brotli::CompressorWriter::new(&mut br, 4096, 4, 22).write_all(b"brotli body").expect("write");
        assert_eq!(decode(Encoding::Brotli, Bytes::from(br), 100).ok().as_deref(), Some(&b"brotli body"[..]));

        let zstd = zstd::encode_all(&b"zstd body"[..], 3).expect("zstd");
        assert_eq!(decode(Encoding::Zstd, Bytes::from(zstd), 100).ok().as_deref(), Some(&b"zstd body"[..]));
    }
}
