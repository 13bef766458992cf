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
    if encoding == Encoding::Identity {
        return if body.len() > limit { Err(DecodeError::TooLarge { limit }) } else { Ok(body) };
    }
    finish(encoding, with_decoder(encoding, &body, |decoder| read_limited(decoder, limit)), limit)
}

/// The first `lines` lines of the decoded `body` (without the last newline), decoding no further
/// than that and at most `limit` bytes: enough to read an envelope's header, or its first item's,
/// before the rest is worth inflating.
pub fn decode_first_lines(encoding: Encoding, body: &[u8], lines: usize, limit: usize) -> Result<Bytes, DecodeError> {
    finish(encoding, with_decoder(encoding, body, |decoder| read_lines_limited(decoder, lines, limit)), limit)
}

fn finish(encoding: Encoding, decoded: Result<Vec<u8>, Failure>, limit: usize) -> Result<Bytes, DecodeError> {
    match decoded {
        Ok(bytes) => Ok(Bytes::from(bytes)),
        Err(Failure::TooLarge) => Err(DecodeError::TooLarge { limit }),
        Err(Failure::Corrupt) => Err(DecodeError::Corrupt(encoding.name())),
    }
}

/// Runs `read` on a decoder of `input`.
fn with_decoder(
    encoding: Encoding,
    input: &[u8],
    read: impl Fn(&mut dyn Read) -> Result<Vec<u8>, Failure>,
) -> Result<Vec<u8>, Failure> {
    match encoding {
        Encoding::Identity => read(&mut &input[..]),
        Encoding::Gzip => read(&mut flate2::read::MultiGzDecoder::new(input)),
        // Zlib-wrapped as the standard says; raw deflate as some clients send it.
        Encoding::Deflate => read(&mut flate2::read::ZlibDecoder::new(input)).or_else(|err| match err {
            Failure::Corrupt => read(&mut flate2::read::DeflateDecoder::new(input)),
            too_large => Err(too_large),
        }),
        Encoding::Brotli => read(&mut brotli::Decompressor::new(input, 4096)),
        Encoding::Zstd => match zstd::stream::read::Decoder::new(input) {
            Ok(mut decoder) => read(&mut decoder),
            Err(_) => Err(Failure::Corrupt),
        },
    }
}

enum Failure {
    TooLarge,
    Corrupt,
}

/// Reads at most `limit + 1` bytes from the decoder: one byte more than allowed proves the body
/// too large without inflating the rest.
fn read_limited(decoder: &mut dyn Read, limit: usize) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    let read_at_most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    decoder.take(read_at_most).read_to_end(&mut out).map_err(|_| Failure::Corrupt)?;
    if out.len() > limit { Err(Failure::TooLarge) } else { Ok(out) }
}

/// Reads up to the `lines`-th newline (or the end), failing when `limit` bytes hold fewer.
fn read_lines_limited(decoder: &mut dyn Read, lines: usize, limit: usize) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut seen = 0;
    loop {
        let read = decoder.read(&mut chunk).map_err(|_| Failure::Corrupt)?;
        if read == 0 {
            return Ok(out);
        }
        for (at, byte) in chunk[..read].iter().enumerate() {
            if *byte == b'\n' {
                seen += 1;
                if seen == lines {
                    out.extend_from_slice(&chunk[..at]);
                    return if out.len() > limit { Err(Failure::TooLarge) } else { Ok(out) };
                }
            }
        }
        out.extend_from_slice(&chunk[..read]);
        if out.len() > limit {
            return Err(Failure::TooLarge);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_first_line_is_decoded_without_the_rest() {
        let mut body = b"{\"dsn\":\"https://k@h/1\"}\n".to_vec();
        body.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
        for encoding in [Encoding::Identity, Encoding::Gzip] {
            let encoded = if encoding == Encoding::Gzip { gzip(&body) } else { Bytes::from(body.clone()) };
            let line = decode_first_lines(encoding, &encoded, 1, 64 * 1024).expect("a first line");
            assert_eq!(&line[..], b"{\"dsn\":\"https://k@h/1\"}", "{encoding:?}");
        }
        let no_newline = gzip(&vec![0u8; 1024 * 1024]);
        let too_long = decode_first_lines(Encoding::Gzip, &no_newline, 1, 64 * 1024);
        assert_eq!(too_long, Err(DecodeError::TooLarge { limit: 65536 }));
        assert_eq!(&decode_first_lines(Encoding::Gzip, &gzip(b"{}"), 1, 64).expect("short")[..], b"{}", "no newline");
        let two = decode_first_lines(Encoding::Gzip, &gzip(b"{}\n{\"type\":\"event\"}\n{\"a\":1}\n"), 2, 64);
        assert_eq!(&two.expect("two lines")[..], b"{}\n{\"type\":\"event\"}");
    }

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
