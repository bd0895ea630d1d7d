//! The mail the server sends: a chat transcript the visitor asked for (the address is used for this
//! message and never stored), and the console's invitations and password links. Checking the address,
//! building the message (plain text and an HTML copy where everything is escaped) and handing it to
//! the configured transport, all with lettre: SMTP with TLS, a sendmail program, or a folder of `.eml`
//! files (the demo and the tests).

use crate::config::{MailSettings, MailTransport};
use crate::error::Error;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::{Address, AsyncFileTransport, AsyncSendmailTransport, AsyncSmtpTransport, AsyncTransport, Message};
use lettre::{Tokio1Executor, address::AddressError};

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

/// Why an address is refused, to show next to the field; `None` when it can be used. lettre reads it
/// (RFC 5321/6531); a domain without a dot (`localhost`, an intranet name) is refused too: a visitor
/// on a brand's site has a public address.
pub fn address_problem(address: &str) -> Option<&'static str> {
    match address.parse::<Address>() {
        Err(AddressError::InvalidDomain) => Some("the part after @ is not a domain"),
        Err(_) => Some("an address like name@example.com"),
        Ok(parsed) if !parsed.domain().contains('.') => Some("the part after @ is not a domain"),
        Ok(_) => None,
    }
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

/// Something the server mails: a subject it wrote itself (never text a visitor typed) and the same
/// words as plain text and HTML.
pub trait Compose {
    fn subject(&self) -> String;
    fn plain_text(&self) -> String;
    fn html(&self) -> String;

    /// The whole message, multipart/alternative.
    fn message(&self, from: Mailbox, to: Address) -> Result<Message, Error> {
        // Base64 parts: long lines and any character arrive intact whatever the relays in between.
        let part = |kind: ContentType, text: String| -> Result<SinglePart, Error> {
            let body = Body::new_with_encoding(text, ContentTransferEncoding::Base64)
                .map_err(|_| Error::Internal("a mail body could not be encoded".to_owned()))?;
            Ok(SinglePart::builder().header(kind).body(body))
        };
        Message::builder()
            .from(from)
            .to(Mailbox::new(None, to))
            .subject(self.subject())
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, self.plain_text())?)
                    .singlepart(part(ContentType::TEXT_HTML, self.html())?),
            )
            .map_err(|e| Error::Internal(format!("mail: {e}")))
    }
}

impl Compose for Transcript {
    fn subject(&self) -> String {
        self.subject.clone()
    }

    fn plain_text(&self) -> String {
        let mut out = format!("{}\n\n", self.intro);
        for line in &self.lines {
            out.push_str(&format!("[{}] {} :\n{}\n\n", line.time, line.who, line.body));
        }
        out.push_str(&format!("— {}\n", self.brand));
        out
    }

    /// The HTML copy: messages are text, so every one is escaped; nothing a visitor or agent typed
    /// becomes markup.
    fn html(&self) -> String {
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
}

/// A short message with one link to follow: an invitation to the console, a password reset.
pub struct Notice {
    pub subject: String,
    pub paragraphs: Vec<String>,
    pub link: String,
    /// The words of the link in the HTML copy.
    pub action: String,
    /// Said after the link: how long it works, what to do when the mail was not expected.
    pub after: Vec<String>,
}

impl Compose for Notice {
    fn subject(&self) -> String {
        self.subject.clone()
    }

    fn plain_text(&self) -> String {
        let mut out = String::new();
        for paragraph in &self.paragraphs {
            out.push_str(&format!("{paragraph}\n\n"));
        }
        out.push_str(&format!("{}\n\n", self.link));
        for paragraph in &self.after {
            out.push_str(&format!("{paragraph}\n\n"));
        }
        out
    }

    fn html(&self) -> String {
        let mut out = "<!doctype html><html><body>".to_owned();
        for paragraph in &self.paragraphs {
            out.push_str(&format!("<p>{}</p>", escape_html(paragraph)));
        }
        out.push_str(&format!("<p><a href=\"{}\">{}</a></p>", escape_html(&self.link), escape_html(&self.action)));
        for paragraph in &self.after {
            out.push_str(&format!("<p>{}</p>", escape_html(paragraph)));
        }
        out.push_str("</body></html>");
        out
    }
}

/// How long the links in these mails work, in words.
fn hours_in_words(hours: i64, english: bool) -> String {
    match (hours, english) {
        (1, true) => "one hour".to_owned(),
        (1, false) => "une heure".to_owned(),
        (n, true) => format!("{n} hours"),
        (n, false) => format!("{n} heures"),
    }
}

impl Notice {
    /// The mail that invites `name` to the console, on behalf of `inviter`, to work on `sites`.
    pub fn invitation(english: bool, inviter: &str, name: &str, sites: &str, link: String, hours: i64) -> Notice {
        let valid = hours_in_words(hours, english);
        if english {
            Notice {
                subject: format!("{inviter} invites you to the Accueil console"),
                paragraphs: vec![
                    format!("Hello {name},"),
                    format!("{inviter} invites you to join the team of {sites} in the Accueil console."),
                    "To accept, open this link and choose your password:".to_owned(),
                ],
                link,
                action: "Accept the invitation".to_owned(),
                after: vec![
                    format!("The link works once, for {valid}."),
                    "If you were not expecting this invitation, you can ignore this email.".to_owned(),
                ],
            }
        } else {
            Notice {
                subject: format!("{inviter} vous invite dans la console Accueil"),
                paragraphs: vec![
                    format!("Bonjour {name},"),
                    format!("{inviter} vous invite à rejoindre l’équipe de {sites} dans la console Accueil."),
                    "Pour accepter, ouvrez ce lien et choisissez votre mot de passe :".to_owned(),
                ],
                link,
                action: "Accepter l’invitation".to_owned(),
                after: vec![
                    format!("Le lien fonctionne une fois, pendant {valid}."),
                    "Si vous n’attendiez pas cette invitation, ignorez simplement ce message.".to_owned(),
                ],
            }
        }
    }

    /// The mail with a link to choose a new password.
    pub fn password_reset(english: bool, name: &str, link: String, hours: i64) -> Notice {
        let valid = hours_in_words(hours, english);
        if english {
            Notice {
                subject: "Choose a new password for the Accueil console".to_owned(),
                paragraphs: vec![
                    format!("Hello {name},"),
                    "Someone asked to reset the password of your Accueil console account. To choose a new one, \
                     open this link:"
                        .to_owned(),
                ],
                link,
                action: "Choose a new password".to_owned(),
                after: vec![
                    format!("The link works once, for {valid}. Your other sessions will end."),
                    "If you did not ask for this, ignore this email: your password stays the same.".to_owned(),
                ],
            }
        } else {
            Notice {
                subject: "Choisissez un nouveau mot de passe pour la console Accueil".to_owned(),
                paragraphs: vec![
                    format!("Bonjour {name},"),
                    "Quelqu’un a demandé à réinitialiser le mot de passe de votre compte de la console Accueil. \
                     Pour en choisir un nouveau, ouvrez ce lien :"
                        .to_owned(),
                ],
                link,
                action: "Choisir un nouveau mot de passe".to_owned(),
                after: vec![
                    format!("Le lien fonctionne une fois, pendant {valid}. Vos autres sessions seront fermées."),
                    "Si vous n’avez rien demandé, ignorez ce message : votre mot de passe ne change pas.".to_owned(),
                ],
            }
        }
    }
}

/// Hands the message to the transport; `Unavailable` when it could not take it.
pub async fn send(settings: &MailSettings, to: &str, mail: &impl Compose) -> Result<(), Error> {
    let to = to.parse::<Address>().map_err(|e| Error::Internal(format!("an address checked before: {e}")))?;
    let from = settings.from.parse::<Mailbox>().map_err(|e| Error::Config(format!("mail: from: {e}")))?;
    let message = mail.message(from, to)?;
    let unavailable = |e: &dyn std::fmt::Display| Error::Unavailable(format!("mail transport: {e}"));
    match &settings.transport {
        MailTransport::PickupDir(dir) => {
            tokio::fs::create_dir_all(dir).await?;
            AsyncFileTransport::<Tokio1Executor>::new(dir).send(message).await.map_err(|e| unavailable(&e))?;
        }
        MailTransport::Sendmail(program) => {
            let transport = AsyncSendmailTransport::<Tokio1Executor>::new_with_command(program);
            transport.send(message).await.map_err(|e| unavailable(&e))?;
        }
        MailTransport::Smtp(url) => {
            let transport =
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&url.0).map_err(|e| unavailable(&e))?.build();
            transport.send(message).await.map_err(|e| unavailable(&e))?;
        }
    }
    Ok(())
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
        let from = "Maison Lumière <ne-pas-repondre@maison-lumiere.example>".parse().expect("a mailbox");
        let message = transcript.message(from, "c@d.fr".parse().expect("an address")).expect("built");
        let text = String::from_utf8(message.formatted()).expect("text");
        assert!(text.contains("Subject: Votre conversation"), "{text}");
        assert!(text.contains("Content-Transfer-Encoding: base64"), "{text}");
        assert!(text.lines().all(|line| line.len() <= 998));
    }
}
