//! One chat conversation as a client holds it: its messages in order and without gaps, what this side
//! sent that the server has not acknowledged yet (sent again on every reconnect), and how far the other
//! side got (delivered, read). Plain data with no DOM and no I/O, so the widget (the visitor's side) and
//! the console (the agent's side) keep it alike and it is tested once, natively. Also where a
//! conversation's view scrolls when a message comes (`Followed`), and how it lays messages out like a
//! messenger does: runs by one author, a separator for each day (`place`), faces by initials.

use accueil_protocol::{ChatMessage, MessageAuthor};

/// How long a client waits before its next connection attempt after `failures` in a row: doubling
/// from half a second up to `longest_ms`, then a random part of it (`random` in 0..1), so phones that
/// lost the network together do not all come back in the same instant.
pub fn reconnect_delay_ms(failures: u32, longest_ms: f64, random: f64) -> f64 {
    let doubled = 500.0 * 2f64.powi(failures.min(16) as i32);
    doubled.min(longest_ms) * (0.5 + random.clamp(0.0, 1.0) / 2.0)
}

/// What became of a message heard from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The next one: kept.
    New,
    /// Already held (heard live and in a replay): ignored.
    AlreadyHeld,
    /// Some before it are missing: not kept. Fetch (or resume) from `after`, then `catch_up`.
    Gap { after: u64 },
}

/// Where one of this side's own messages is, as its sender sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Typed, not yet acknowledged by the server (it will be sent again on reconnect).
    Sending,
    /// Stored by the server.
    Sent,
    /// On the other side's screen at some point (a console received it).
    Delivered,
    /// The other side had it on screen.
    Read,
}

/// A message typed on this side and not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub client_id: String,
    pub body: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    conversation: Option<String>,
    messages: Vec<ChatMessage>,
    unacknowledged: Vec<Outgoing>,
    delivered: u64,
    read: u64,
}

impl Transcript {
    /// The highest message number held (0: none).
    pub fn last_seq(&self) -> u64 {
        self.messages.last().map_or(0, |m| m.seq)
    }

    pub fn messages(&self) -> &[ChatMessage] {
        &self.messages
    }

    /// The conversation held, if any.
    pub fn conversation(&self) -> Option<&str> {
        self.conversation.as_deref()
    }

    /// The conversation the server says is current. Another one than held starts empty (numbers count
    /// per conversation); true when it did. Unacknowledged messages stay: they go to the new one.
    pub fn enter(&mut self, conversation: &str) -> bool {
        let other = self.conversation.as_deref().is_some_and(|held| held != conversation);
        if other {
            self.messages.clear();
            self.delivered = 0;
            self.read = 0;
        }
        self.conversation = Some(conversation.to_owned());
        other
    }

    /// A message heard from the server. The server numbers each conversation's messages from 1 without
    /// gaps, so the number alone says whether it is new, held already, or past missing ones.
    pub fn receive(&mut self, message: ChatMessage) -> Arrival {
        let last = self.last_seq();
        if message.seq <= last {
            return Arrival::AlreadyHeld;
        }
        if message.seq != last + 1 {
            return Arrival::Gap { after: last };
        }
        if let Some(id) = &message.client_id {
            // Our own message, stored: whether or not its acknowledgement comes, it is sent.
            self.unacknowledged.retain(|outgoing| &outgoing.client_id != id);
        }
        self.messages.push(message);
        Arrival::New
    }

    /// Messages read from history after a gap, oldest first: those that continue the transcript are
    /// kept, the others ignored. Returns how many were kept.
    pub fn catch_up(&mut self, messages: impl IntoIterator<Item = ChatMessage>) -> usize {
        messages.into_iter().filter(|message| self.receive(message.clone()) == Arrival::New).count()
    }

    /// A message typed on this side, held until the server acknowledges it.
    pub fn send(&mut self, client_id: impl Into<String>, body: impl Into<String>) {
        self.unacknowledged.push(Outgoing { client_id: client_id.into(), body: body.into() });
    }

    /// The server stored the message of `client_id`.
    pub fn acknowledge(&mut self, client_id: &str) {
        self.unacknowledged.retain(|outgoing| outgoing.client_id != client_id);
    }

    /// What to send again after a reconnect, in the order it was typed.
    pub fn unacknowledged(&self) -> &[Outgoing] {
        &self.unacknowledged
    }

    /// How far the other side got; receipts only move forward, and never past the last message.
    pub fn receipt(&mut self, delivered: u64, read: u64) {
        let last = self.last_seq();
        self.read = self.read.max(read.min(last));
        self.delivered = self.delivered.max(delivered.min(last)).max(self.read);
    }

    /// Where `message` is, when `own` (this side) wrote it; `None` for the other side's messages.
    pub fn delivery(&self, message: &ChatMessage, own: MessageAuthor) -> Option<Delivery> {
        if message.author != own {
            return None;
        }
        Some(if message.seq <= self.read {
            Delivery::Read
        } else if message.seq <= self.delivered {
            Delivery::Delivered
        } else {
            Delivery::Sent
        })
    }
}

/// How far above the bottom a conversation's view still counts as at the bottom (rounding, a margin).
pub const AT_BOTTOM_SLACK_PX: f64 = 48.0;

/// Whether a view scrolled to `top`, showing `visible` pixels of content `height` high, shows its end.
pub fn at_bottom(top: f64, visible: f64, height: f64) -> bool {
    top + visible >= height - AT_BOTTOM_SLACK_PX
}

/// What a conversation's view does after its messages changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// The reader was at the newest message: show the new newest one (scroll to the end).
    Newest,
    /// The reader had scrolled up to read: stay there, and say that newer messages came below.
    NewerBelow,
    /// Nothing new to show (a receipt changed, say) and the reader is elsewhere: leave the view be.
    Stay,
}

/// A conversation's view as its last change left it: the content's height and how many messages it
/// showed. `Followed::default()` is a view that showed nothing yet.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Followed {
    height: f64,
    messages: usize,
}

impl Followed {
    /// After a change, with the scroller's `top` (scrollTop), `visible` height (clientHeight) and
    /// content `height` (scrollHeight) now, and `messages` now: what to do, and the view to remember.
    /// A reader who was at the end follows the newest message; one who scrolled up to read keeps the
    /// text under their eyes. `own`: the change is this side's own message, always shown.
    pub fn next(self, top: f64, visible: f64, height: f64, messages: usize, own: bool) -> (Follow, Followed) {
        let what = if own || at_bottom(top, visible, self.height) {
            Follow::Newest
        } else if messages > self.messages {
            Follow::NewerBelow
        } else {
            Follow::Stay
        };
        (what, Followed { height, messages })
    }
}

/// Messages by one author further apart than this start a new run (their name shows again).
pub const RUN_GAP_MINUTES: i64 = 5;

/// Where one message sits among its neighbours in a messenger-like view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The first message of its day in the reader's time zone: a day separator goes before it.
    pub starts_day: bool,
    /// The first of a run by one author: the author's name (and face) show above it.
    pub starts_run: bool,
}

/// One message as `place` needs it: who wrote it (any comparable author, such as the agent's name),
/// its day in the reader's time zone (any number that differs from one day to the next) and its time
/// in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written<A> {
    pub author: A,
    pub day: i64,
    pub minute: i64,
}

/// Lays out `messages` (in order): a new day starts a separator and a run; a change of author, or a
/// pause of more than `RUN_GAP_MINUTES`, starts a run.
pub fn place<A: PartialEq>(messages: &[Written<A>]) -> Vec<Placement> {
    let mut previous: Option<&Written<A>> = None;
    messages
        .iter()
        .map(|message| {
            let starts_day = previous.is_none_or(|p| p.day != message.day);
            let starts_run = starts_day
                || previous.is_none_or(|p| p.author != message.author || message.minute - p.minute > RUN_GAP_MINUTES);
            previous = Some(message);
            Placement { starts_day, starts_run }
        })
        .collect()
}

/// The face of someone shown by name: the first letters of their first two names ("Camille" → "C",
/// "jean-luc petit" → "jl"); "?" for no name. Left in their case, for the view to capitalise
/// (`text-transform`), as Unicode's case tables would cost the widget's size budget more than this.
pub fn initials(name: &str) -> String {
    let letters: String =
        name.split([' ', '-']).filter_map(|word| word.chars().find(|c| !c.is_ascii_punctuation())).take(2).collect();
    if letters.is_empty() { "?".to_owned() } else { letters }
}

#[cfg(test)]
mod tests;
