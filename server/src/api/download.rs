//! File downloads (raw events, attachments) under the name they were stored with, which an SDK
//! chose: `Content-Disposition` as RFC 6266 has it, an ASCII `filename` for old clients and the
//! UTF-8 `filename*`, with control and bidirectional-override characters dropped, so no name can
//! break the header or disguise its extension (`invoice\u{202E}fdp.exe`).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A download of `data` named `filename`.
pub fn download(filename: &str, content_type: &'static str, data: Vec<u8>) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CONTENT_DISPOSITION, disposition(filename)),
    ];
    (headers, data).into_response()
}

fn disposition(filename: &str) -> HeaderValue {
    let clean: String = filename.chars().filter(|c| !c.is_control() && !is_bidi_control(*c)).collect();
    let name = if clean.trim().is_empty() { "download" } else { clean.trim() };
    let ascii: String = name.chars().map(|c| if c.is_ascii() && c != '"' && c != '\\' { c } else { '_' }).collect();
    let value = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", percent_encoded(name));
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Marks and embeddings that reorder how text is shown (Unicode's bidi controls).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// RFC 8187 `value-chars`: attr-chars as they are, every other byte `%XX`.
fn percent_encoded(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_of(name: &str) -> String {
        disposition(name).to_str().expect("visible ASCII").to_owned()
    }

    #[test]
    fn a_plain_name_is_given_both_ways() {
        assert_eq!(header_of("notes.txt"), "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt");
    }

    #[test]
    fn unicode_names_keep_their_letters_in_the_utf8_form() {
        assert_eq!(
            header_of("résumé 1.pdf"),
            "attachment; filename=\"r_sum_ 1.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf"
        );
    }

    #[test]
    fn control_quote_and_bidi_characters_cannot_break_or_disguise_the_name() {
        assert_eq!(header_of("\u{1}evil\r\n.txt"), "attachment; filename=\"evil.txt\"; filename*=UTF-8''evil.txt");
        assert_eq!(
            header_of("invoice\u{202E}fdp.exe"),
            "attachment; filename=\"invoicefdp.exe\"; filename*=UTF-8''invoicefdp.exe"
        );
        assert_eq!(header_of("a\"b\\c"), "attachment; filename=\"a_b_c\"; filename*=UTF-8''a%22b%5Cc");
        assert_eq!(header_of("\u{7}\u{2066}"), "attachment; filename=\"download\"; filename*=UTF-8''download");
    }
}
