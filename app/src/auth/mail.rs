//! Outgoing mail. With SMTP configured (`SMTP_URL`), mail goes out through
//! lettre; without it (development, tests, the demo) it is written to the
//! outbox table, which administrators read in the app and tests read
//! directly, so every flow works without a mail server.

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::storage::{Db, StorageError, outbox};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SMTP_URL: {0}")]
    BadConfig(String),
    #[error("'{0}' is not an e-mail address we can send to")]
    BadAddress(String),
    #[error("the mail server refused or failed: {0}")]
    Smtp(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Clone)]
pub enum Mailer {
    Outbox,
    Smtp(Box<Smtp>),
}

#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Outbox => f.write_str("Mailer::Outbox"),
            Mailer::Smtp(smtp) => write!(f, "Mailer::Smtp(from {})", smtp.from),
        }
    }
}

impl Mailer {
    /// `smtp_url` is lettre's URL form, e.g. `smtps://user:pass@smtp.example.org`
    /// or `smtp://localhost:25`; `from` is the sender address.
    pub fn smtp(smtp_url: &str, from: &str) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| MailError::BadConfig(e.to_string()))?
            .build();
        let from: Mailbox =
            from.parse().map_err(|_| MailError::BadConfig(format!("MAIL_FROM '{from}' is not an address")))?;
        Ok(Mailer::Smtp(Box::new(Smtp { transport, from })))
    }

    pub fn is_outbox(&self) -> bool {
        matches!(self, Mailer::Outbox)
    }

    pub async fn send(
        &self,
        db: &Db,
        to: &str,
        subject: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), MailError> {
        match self {
            Mailer::Outbox => {
                outbox::push(db, to, subject, body, now).await?;
                Ok(())
            }
            Mailer::Smtp(smtp) => {
                let Smtp { transport, from } = smtp.as_ref();
                let to_box: Mailbox = to.parse().map_err(|_| MailError::BadAddress(to.to_string()))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to_box)
                    .subject(subject)
                    .body(body.to_string())
                    .map_err(|e| MailError::Smtp(e.to_string()))?;
                transport.send(message).await.map_err(|e| MailError::Smtp(e.to_string()))?;
                Ok(())
            }
        }
    }
}
