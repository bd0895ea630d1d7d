//! Reads a `ServerFrame` in one pass over its fields. A derived reader of an internally tagged enum
//! buffers each frame into a generic tree first, then reads every variant's fields out of that tree:
//! a second reader for each type in a frame, which cost the widget's chat document about 4 KB of its
//! size budget. Every field of every frame is read here into one flat record, then `type` says which
//! frame it is. Same JSON in, same frames out, same errors for a missing field or an unknown type.

use super::{ChatMessage, Conversation, LiveErrorCode, ServerFrame};
use serde::de::value::MapAccessDeserializer;
use serde::de::{Error, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

const TYPES: &[&str] = &["welcome", "conversation", "message", "ack", "error", "typing", "queue", "receipt", "pong"];

/// Every field a frame can have.
#[derive(Deserialize)]
struct Fields {
    #[serde(rename = "type")]
    kind: String,
    conversation: Option<Conversation>,
    message: Option<MessageField>,
    client_id: Option<String>,
    seq: Option<u64>,
    code: Option<LiveErrorCode>,
    position: Option<u32>,
    estimated_wait_minutes: Option<u32>,
    delivered: Option<u64>,
    read: Option<u64>,
}

/// `message` is a chat message in a `message` frame and a sentence in an `error` frame.
enum MessageField {
    Chat(Box<ChatMessage>),
    Text(String),
}

impl<'de> Deserialize<'de> for MessageField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = MessageField;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a chat message or a sentence")
            }

            fn visit_str<E: Error>(self, text: &str) -> Result<MessageField, E> {
                Ok(MessageField::Text(text.to_owned()))
            }

            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<MessageField, M::Error> {
                ChatMessage::deserialize(MapAccessDeserializer::new(map)).map(|m| MessageField::Chat(Box::new(m)))
            }
        }
        deserializer.deserialize_any(Either)
    }
}

impl<'de> Deserialize<'de> for ServerFrame {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = Fields::deserialize(deserializer)?;
        let needed = |field: &'static str| D::Error::missing_field(field);
        Ok(match fields.kind.as_str() {
            "welcome" => ServerFrame::Welcome { conversation: fields.conversation },
            "conversation" => {
                ServerFrame::Conversation { conversation: fields.conversation.ok_or_else(|| needed("conversation"))? }
            }
            "message" => match fields.message {
                Some(MessageField::Chat(message)) => ServerFrame::Message { message: *message },
                _ => return Err(needed("message")),
            },
            "ack" => ServerFrame::Ack {
                client_id: fields.client_id.ok_or_else(|| needed("client_id"))?,
                seq: fields.seq.ok_or_else(|| needed("seq"))?,
            },
            "error" => ServerFrame::Error {
                code: fields.code.ok_or_else(|| needed("code"))?,
                message: match fields.message {
                    Some(MessageField::Text(text)) => text,
                    _ => return Err(needed("message")),
                },
            },
            "typing" => ServerFrame::Typing,
            "queue" => ServerFrame::Queue {
                position: fields.position.ok_or_else(|| needed("position"))?,
                estimated_wait_minutes: fields.estimated_wait_minutes,
            },
            "receipt" => ServerFrame::Receipt {
                delivered: fields.delivered.ok_or_else(|| needed("delivered"))?,
                read: fields.read.ok_or_else(|| needed("read"))?,
            },
            "pong" => ServerFrame::Pong,
            other => return Err(D::Error::unknown_variant(other, TYPES)),
        })
    }
}
