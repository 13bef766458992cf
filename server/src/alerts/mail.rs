//! Sending an alert email through the operator's SMTP server (`--smtp-url`: `smtp://` plain for
//! a local relay, `?tls=required` for STARTTLS, `smtps://` for TLS): one message to the
//! channel's addresses (or, for a members channel, to the sender with the members as blind
//! copies, so none sees the others' addresses), with the delivery's idempotency id as its `Message-ID` and in
//! `X-Faultline-Delivery`. The server's reply decides, as an HTTP answer does: 2xx delivered,
//! 4xx and lost connections tried again, 5xx given up. The SMTP server is the operator's own,
//! so the outbound guard does not apply. Errors never carry the credentials.

use super::format::Mail;
use super::send::{Answer, Verdict, chain, clip};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::{Duration, Instant};

/// Addresses one email channel sends to at most.
pub const MAX_RECIPIENTS: usize = 50;
/// Why nothing is mailed by a server started without SMTP settings.
pub const NOT_CONFIGURED: &str = "this server sends no email: start it with --smtp-url and --smtp-from";

/// Whom a message goes to.
#[derive(Clone, Copy, Debug)]
pub enum To<'a> {
    /// The addresses of a `mailto:` URL, each seeing the others.
    Listed(&'a str),
    /// Addresses that do not see each other.
    Hidden(&'a [String]),
}

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for `smtp[s]://[user:password@]host[:port][?tls=required|opportunistic]`,
    /// sending as `from` ("Faultline <alerts@example.com>").
    pub fn new(url: &str, from: &str, timeout: Duration) -> Result<Mailer, String> {
        let from: Mailbox = from.parse().map_err(|err| format!("--smtp-from `{from}` is not an address: {err}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|err| format!("--smtp-url is not an SMTP URL (smtp://, smtps://): {err}"))?
            .timeout(Some(timeout))
            .build();
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, to: To<'_>, mail: &Mail, delivery: &str) -> Answer {
        let started = Instant::now();
        let answer = |status, error: Option<String>, verdict| Answer {
            status,
            error: error.as_deref().map(clip),
            latency: started.elapsed(),
            verdict,
        };
        let message = match self.message(to, mail, delivery) {
            Ok(message) => message,
            Err(err) => return answer(None, Some(err), Verdict::GiveUp),
        };
        match self.transport.send(message).await {
            Ok(reply) => answer(Some(u16::from(reply.code())), None, Verdict::Delivered),
            Err(err) => {
                let status = err.status().map(u16::from);
                let said = format!("the SMTP server refused it: {}", chain(&err));
                if err.is_permanent() {
                    answer(status, Some(said), Verdict::GiveUp)
                } else if err.is_transient() {
                    answer(status, Some(said), Verdict::Retry { after: None })
                } else if err.is_timeout() {
                    answer(
                        None,
                        Some("the SMTP server did not answer in time".to_owned()),
                        Verdict::Retry { after: None },
                    )
                } else {
                    answer(
                        None,
                        Some(format!("could not reach the SMTP server: {}", chain(&err))),
                        Verdict::Retry { after: None },
                    )
                }
            }
        }
    }

    fn message(&self, to: To<'_>, mail: &Mail, delivery: &str) -> Result<Message, String> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{delivery}@faultline>")))
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("X-Faultline-Delivery"), delivery.to_owned()));
        match to {
            To::Listed(url) => {
                for address in recipients(url)? {
                    builder = builder.to(address);
                }
            }
            To::Hidden(addresses) => {
                let mut hidden = Vec::new();
                for raw in addresses {
                    hidden.push(raw.parse().map_err(|err| format!("`{raw}` is not an address: {err}"))?);
                }
                // The header names the sender; only the envelope names the recipients.
                let envelope = lettre::address::Envelope::new(Some(self.from.email.clone()), hidden)
                    .map_err(|err| format!("the email could not be addressed: {err}"))?;
                builder = builder.to(self.from.clone()).envelope(envelope);
            }
        }
        builder
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
            .map_err(|err| format!("the email could not be made: {err}"))
    }
}

/// The addresses of `mailto:a@example.com,b@example.com` (or of the bare list): one at least,
/// [`MAX_RECIPIENTS`] at most, each a valid address.
pub fn recipients(url: &str) -> Result<Vec<Mailbox>, String> {
    let list = url.trim().strip_prefix("mailto:").unwrap_or(url.trim());
    let list = list.split_once('?').map_or(list, |(addresses, _)| addresses);
    let mut addresses = Vec::new();
    for raw in list.split(',').map(str::trim).filter(|raw| !raw.is_empty()) {
        let decoded = raw.replace("%40", "@");
        let address = decoded.parse::<lettre::Address>().map_err(|err| format!("`{raw}` is not an address: {err}"))?;
        addresses.push(Mailbox::new(None, address));
    }
    if addresses.is_empty() {
        return Err("name at least one address, e.g. mailto:ops@example.com".to_owned());
    }
    if addresses.len() > MAX_RECIPIENTS {
        return Err(format!("an email channel sends to at most {MAX_RECIPIENTS} addresses"));
    }
    Ok(addresses)
}

/// The channel's URL as stored: `mailto:` and the addresses, separated by commas.
pub fn mailto(addresses: &[Mailbox]) -> String {
    let list: Vec<String> = addresses.iter().map(|mailbox| mailbox.email.to_string()).collect();
    format!("mailto:{}", list.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailto_url_or_a_bare_list_names_the_recipients() {
        let listed = |url: &str| recipients(url).map(|addresses| mailto(&addresses));
        assert_eq!(listed("mailto:ops@example.com").as_deref(), Ok("mailto:ops@example.com"));
        assert_eq!(
            listed(" ops@example.com, dev@example.com ").as_deref(),
            Ok("mailto:ops@example.com,dev@example.com")
        );
        assert_eq!(listed("mailto:ops%40example.com?subject=x").as_deref(), Ok("mailto:ops@example.com"));
        assert!(listed("mailto:").is_err());
        assert!(listed("mailto:not an address").is_err());
        assert!(listed("ops@example.com\r\nBcc: x@example.com").is_err());
        let many = (0..=MAX_RECIPIENTS).map(|n| format!("u{n}@example.com")).collect::<Vec<_>>().join(",");
        assert!(listed(&many).is_err());
    }

    #[test]
    fn a_mailer_needs_an_smtp_url_and_a_sender_address() {
        let timeout = Duration::from_secs(5);
        assert!(Mailer::new("smtp://127.0.0.1:25", "Faultline <alerts@example.com>", timeout).is_ok());
        assert!(Mailer::new("smtp://mail.example.com?tls=required", "alerts@example.com", timeout).is_ok());
        assert!(Mailer::new("smtps://user:pass@mail.example.com", "alerts@example.com", timeout).is_ok());
        assert!(Mailer::new("http://mail.example.com", "alerts@example.com", timeout).is_err());
        assert!(Mailer::new("smtp://127.0.0.1:25", "Faultline", timeout).is_err());
    }
}
