//! The one mail the server sends, a chat transcript the visitor asked for: checking the address,
//! writing the message (plain text and an HTML copy where every message is escaped), and handing it
//! to the configured transport. The address is used for this message and never stored.

use crate::config::{MailSettings, MailTransport};
use crate::error::Error;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::Path;
use tokio::io::AsyncWriteExt;

/// One message of a transcript, as the visitor reads it.
pub struct TranscriptLine {
    pub time: String,
    pub who: String,
    pub body: String,
}

pub struct Transcript {
    pub brand: String,
    pub subject: String,
    pub intro: String,
    pub lines: Vec<TranscriptLine>,
}

/// Why an address is refused, to show next to the field; `None` when it can be used.
pub fn address_problem(address: &str) -> Option<&'static str> {
    let Some((local, domain)) = address.split_once('@') else {
        return Some("an address like name@example.com");
    };
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\@".contains(c);
    if address.len() > 254 || local.is_empty() || local.len() > 64 || local.chars().any(forbidden) {
        return Some("an address like name@example.com");
    }
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-') && !label.starts_with('-')
    });
    if !domain.contains('.') || !labels_ok {
        return Some("the part after @ is not a domain");
    }
    None
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Base64 in lines of 76 characters, as MIME asks.
fn base64_lines(text: &str) -> String {
    let encoded = STANDARD.encode(text.as_bytes());
    encoded.as_bytes().chunks(76).map(|line| String::from_utf8_lossy(line).into_owned() + "\r\n").collect()
}

/// A header value in RFC 2047 form, so accents survive every mail system.
fn encoded_word(text: &str) -> String {
    format!("=?UTF-8?B?{}?=", STANDARD.encode(text.as_bytes()))
}

impl Transcript {
    pub fn plain_text(&self) -> String {
        let mut out = format!("{}\n\n", self.intro);
        for line in &self.lines {
            out.push_str(&format!("[{}] {} :\n{}\n\n", line.time, line.who, line.body));
        }
        out.push_str(&format!("— {}\n", self.brand));
        out
    }

    /// The HTML copy: messages are text, so every one is escaped; nothing a visitor or agent typed
    /// becomes markup.
    pub fn html(&self) -> String {
        let mut out = format!("<!doctype html><html><body><p>{}</p><dl>", escape_html(&self.intro));
        for line in &self.lines {
            out.push_str(&format!(
                "<dt>[{}] {}</dt><dd style=\"white-space:pre-wrap\">{}</dd>",
                escape_html(&line.time),
                escape_html(&line.who),
                escape_html(&line.body)
            ));
        }
        out.push_str(&format!("</dl><p>— {}</p></body></html>", escape_html(&self.brand)));
        out
    }

    /// The whole RFC 5322 message, multipart/alternative.
    pub fn message(&self, from: &str, to: &str, message_id: &str, date: &str) -> String {
        let boundary = format!("accueil-{message_id}");
        let mut out = String::new();
        for (name, value) in [
            ("From", from.to_owned()),
            ("To", to.to_owned()),
            ("Subject", encoded_word(&self.subject)),
            ("Date", date.to_owned()),
            ("Message-ID", format!("<{message_id}@accueil>")),
            ("MIME-Version", "1.0".to_owned()),
            ("Content-Type", format!("multipart/alternative; boundary=\"{boundary}\"")),
        ] {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        for (kind, body) in [("text/plain", self.plain_text()), ("text/html", self.html())] {
            out.push_str(&format!(
                "\r\n--{boundary}\r\nContent-Type: {kind}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            ));
            out.push_str(&base64_lines(&body));
        }
        out.push_str(&format!("\r\n--{boundary}--\r\n"));
        out
    }
}

/// Hands the message to the transport; an error when it could not take it.
pub async fn send(settings: &MailSettings, to: &str, transcript: &Transcript) -> Result<(), Error> {
    let id = crate::secrets::new_public_id("mail")?;
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let message = transcript.message(&settings.from, to, &id, &date);
    match &settings.transport {
        MailTransport::PickupDir(dir) => write_to_pickup(dir, &id, &message).await,
        MailTransport::Sendmail(program) => sendmail(program, to, &message).await,
    }
}

async fn write_to_pickup(dir: &Path, id: &str, message: &str) -> Result<(), Error> {
    tokio::fs::create_dir_all(dir).await?;
    // Written aside then renamed, so whatever watches the folder never reads half a message.
    let partial = dir.join(format!(".{id}.tmp"));
    tokio::fs::write(&partial, message).await?;
    tokio::fs::rename(&partial, dir.join(format!("{id}.eml"))).await?;
    Ok(())
}

async fn sendmail(program: &Path, to: &str, message: &str) -> Result<(), Error> {
    let mut child =
        tokio::process::Command::new(program).args(["-i", "--", to]).stdin(std::process::Stdio::piped()).spawn()?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(message.as_bytes()).await?;
    }
    let status = child.wait().await?;
    if status.success() { Ok(()) } else { Err(Error::Unavailable(format!("the mail program ended with {status}"))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_anything_is_sent() {
        assert_eq!(address_problem("lea@example.fr"), None);
        assert_eq!(address_problem("léa.martin@exemple.fr"), None);
        for bad in
            ["", "lea", "lea@", "@example.fr", "lea@example", "a b@example.fr", "lea@ex..fr", "x@y.fr\r\nBcc: z@w.fr"]
        {
            assert!(address_problem(bad).is_some(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn html_in_messages_stays_text_in_the_email() {
        let transcript = Transcript {
            brand: "Maison <Lumière>".to_owned(),
            subject: "Votre conversation".to_owned(),
            intro: "Bonjour".to_owned(),
            lines: vec![TranscriptLine {
                time: "10:05".to_owned(),
                who: "Vous".to_owned(),
                body: "<b>gras</b> & <script>x</script>".to_owned(),
            }],
        };
        let html = transcript.html();
        assert!(html.contains("&lt;b&gt;gras&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"), "{html}");
        assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
        let message = transcript.message("a@b.fr", "c@d.fr", "mail_1", "Mon, 23 Nov 2026 10:05:00 +0000");
        assert!(message.contains("Subject: =?UTF-8?B?"));
        assert!(message.lines().all(|line| line.len() <= 998));
    }
}
