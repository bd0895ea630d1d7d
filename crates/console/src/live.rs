//! The console's live connection, `/v1/agent/live`: one per tab, kept open with backoff, handing each
//! pushed frame to the parts of the page that listen (the inbox, the open conversation, the title
//! badge and its sound), and carrying the agent's typing and reading to the visitor.

use accueil_protocol::{AgentClientFrame, AgentServerFrame};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use futures::{FutureExt, SinkExt, StreamExt};
use gloo_net::websocket::Message;
use gloo_net::websocket::futures::WebSocket;
use leptos::prelude::*;
use std::rc::Rc;

type Listener = Rc<dyn Fn(&AgentServerFrame)>;

/// Shared in context. Listeners are called for every frame, in order: a signal would merge frames that
/// arrive together, and a message must never be skipped.
#[derive(Clone, Copy)]
pub struct Live {
    listeners: StoredValue<Vec<(u64, Listener)>, LocalStorage>,
    next_id: StoredValue<u64>,
    outgoing: StoredValue<Option<UnboundedSender<AgentClientFrame>>, LocalStorage>,
    /// Flips to true on each (re)connection: listeners reload what they may have missed meanwhile.
    pub connected: RwSignal<bool>,
}

impl Live {
    /// Starts the connection for this tab and puts it in context.
    pub fn start() -> Live {
        let live = Live {
            listeners: StoredValue::new_local(Vec::new()),
            next_id: StoredValue::new(0),
            outgoing: StoredValue::new_local(None),
            connected: RwSignal::new(false),
        };
        provide_context(live);
        let (sender, receiver) = unbounded();
        live.outgoing.set_value(Some(sender));
        leptos::task::spawn_local(keep_connected(live, receiver));
        live
    }

    /// Calls `listener` with every frame until the calling component goes away.
    pub fn listen(self, listener: impl Fn(&AgentServerFrame) + 'static) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.listeners.update_value(|all| all.push((id, Rc::new(listener))));
        on_cleanup(move || self.listeners.update_value(|all| all.retain(|(other, _)| *other != id)));
    }

    pub fn tell(self, frame: AgentClientFrame) {
        // "Typing" is true only now: one queued while offline would reach the visitor after the
        // reconnect, when nobody types.
        if matches!(frame, AgentClientFrame::Typing { .. }) && !self.connected.get_untracked() {
            return;
        }
        self.outgoing.with_value(|sender| {
            if let Some(sender) = sender {
                let _ = sender.unbounded_send(frame);
            }
        });
    }

    fn dispatch(self, frame: &AgentServerFrame) {
        // Cloned out first: a listener may add or remove listeners.
        let listeners: Vec<Listener> = self.listeners.with_value(|all| all.iter().map(|(_, l)| l.clone()).collect());
        for listener in listeners {
            listener(frame);
        }
    }
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

fn live_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/v1/agent/live", location.host().ok()?))
}

async fn pause(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

async fn keep_connected(live: Live, mut outgoing: futures::channel::mpsc::UnboundedReceiver<AgentClientFrame>) {
    let mut failures = 0u32;
    loop {
        if let Some(socket) = live_url().and_then(|url| WebSocket::open(&url).ok()) {
            let (mut write, read) = socket.split();
            let mut read = read.fuse();
            let mut open = true;
            while open {
                futures::select! {
                    incoming = read.next() => match incoming {
                        Some(Ok(Message::Text(json))) => {
                            if !live.connected.get_untracked() {
                                live.connected.set(true);
                                failures = 0;
                            }
                            if let Ok(frame) = serde_json::from_str::<AgentServerFrame>(&json) {
                                live.dispatch(&frame);
                            }
                        }
                        Some(Ok(Message::Bytes(_))) => {}
                        _ => open = false,
                    },
                    frame = outgoing.next().fuse() => match frame {
                        Some(frame) => {
                            let text = serde_json::to_string(&frame).unwrap_or_default();
                            open = write.send(Message::Text(text)).await.is_ok();
                        }
                        None => return,
                    },
                }
            }
        }
        live.connected.set(false);
        failures = failures.saturating_add(1);
        pause(accueil_transcript::reconnect_delay_ms(failures, 20_000.0, js_sys::Math::random()) as i32).await;
    }
}

/// A short two-note chime for a new waiting conversation, made by the browser: no file to load.
pub fn chime() {
    let Ok(context) = web_sys::AudioContext::new() else { return };
    let start = context.current_time();
    for (offset, frequency) in [(0.0, 880.0), (0.18, 1175.0)] {
        let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else { return };
        oscillator.frequency().set_value(frequency);
        gain.gain().set_value(0.08);
        let _ = oscillator.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&context.destination());
        let _ = oscillator.start_with_when(start + offset);
        let _ = oscillator.stop_with_when(start + offset + 0.15);
    }
}
