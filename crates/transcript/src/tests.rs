use super::*;

fn message(seq: u64, author: MessageAuthor, client_id: Option<&str>) -> ChatMessage {
    ChatMessage {
        seq,
        author,
        agent: None,
        body: format!("message {seq}"),
        client_id: client_id.map(str::to_owned),
        sent_at: "2026-12-02T10:00:00Z".to_owned(),
    }
}

fn visitor(seq: u64, client_id: &str) -> ChatMessage {
    message(seq, MessageAuthor::Visitor, Some(client_id))
}

fn agent(seq: u64) -> ChatMessage {
    message(seq, MessageAuthor::Agent, None)
}

#[test]
fn a_message_heard_twice_is_kept_once_and_one_past_a_gap_waits_for_the_catch_up() {
    let mut transcript = Transcript::default();
    assert_eq!(transcript.receive(agent(1)), Arrival::New);
    assert_eq!(transcript.receive(agent(1)), Arrival::AlreadyHeld, "live and replayed");
    assert_eq!(transcript.receive(agent(3)), Arrival::Gap { after: 1 });
    assert_eq!(transcript.last_seq(), 1, "nothing past a gap is kept");
    // History from the gap on, with one already held and the one heard live again.
    assert_eq!(transcript.catch_up([agent(1), agent(2), agent(3), agent(4)]), 3);
    assert_eq!(transcript.messages().iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
}

#[test]
fn what_is_typed_is_sent_again_until_acknowledged_or_heard_back() {
    let mut transcript = Transcript::default();
    transcript.send("a", "Bonjour");
    transcript.send("b", "Ma lampe clignote");
    transcript.send("c", "Vous êtes là ?");
    transcript.acknowledge("a");
    // The echo of "b" arrives before its acknowledgement (the connection dropped in between).
    transcript.receive(visitor(1, "b"));
    let left: Vec<&str> = transcript.unacknowledged().iter().map(|o| o.client_id.as_str()).collect();
    assert_eq!(left, ["c"], "only what the server never confirmed is sent again, in typing order");
}

#[test]
fn receipts_move_forward_only_and_never_past_the_last_message() {
    let mut transcript = Transcript::default();
    transcript.catch_up([visitor(1, "a"), agent(2), visitor(3, "b")]);
    transcript.receipt(3, 1);
    transcript.receipt(1, 0);
    let states: Vec<Option<Delivery>> =
        transcript.messages().iter().map(|m| transcript.delivery(m, MessageAuthor::Visitor)).collect();
    assert_eq!(states, [Some(Delivery::Read), None, Some(Delivery::Delivered)]);
    transcript.receipt(99, 99);
    assert_eq!(transcript.delivery(&transcript.messages()[2], MessageAuthor::Visitor), Some(Delivery::Read));
    // Read implies delivered, whatever order the receipts came in.
    let mut other = Transcript::default();
    other.catch_up([agent(1), agent(2)]);
    other.receipt(0, 2);
    assert_eq!(other.delivery(&other.messages()[1], MessageAuthor::Agent), Some(Delivery::Read));
}

#[test]
fn another_conversation_starts_empty_and_keeps_what_was_typed() {
    let mut transcript = Transcript::default();
    assert!(!transcript.enter("cv_one"), "the first conversation is not a change");
    transcript.catch_up([agent(1), agent(2)]);
    transcript.receipt(2, 2);
    transcript.send("x", "Encore une question");
    assert!(!transcript.enter("cv_one"));
    assert_eq!(transcript.last_seq(), 2);
    assert!(transcript.enter("cv_two"));
    assert_eq!((transcript.last_seq(), transcript.conversation()), (0, Some("cv_two")));
    assert_eq!(transcript.unacknowledged().len(), 1);
    assert_eq!(transcript.receive(agent(1)), Arrival::New, "numbers count from 1 again");
}

#[test]
fn reconnecting_backs_off_to_a_ceiling_with_jitter() {
    assert_eq!(reconnect_delay_ms(1, 20_000.0, 1.0), 1_000.0);
    assert_eq!(reconnect_delay_ms(2, 20_000.0, 0.0), 1_000.0, "at least half of the step");
    assert_eq!(reconnect_delay_ms(30, 20_000.0, 1.0), 20_000.0, "never past the ceiling");
    assert!(reconnect_delay_ms(30, 20_000.0, 0.3) < 20_000.0);
}

/// A view whose last change left 2,000 px of content and 10 messages, 600 px of it visible.
fn after_ten() -> Followed {
    Followed::default().next(1400.0, 600.0, 2000.0, 10, false).1
}

#[test]
fn a_reader_at_the_end_follows_the_newest_message() {
    assert_eq!(after_ten().next(1400.0, 600.0, 2300.0, 11, false).0, Follow::Newest);
    // A few pixels short of the end (rounding, a margin) is still the end.
    assert_eq!(after_ten().next(1360.0, 600.0, 2300.0, 11, false).0, Follow::Newest);
    // The first time (nothing shown before), the view goes to the newest.
    assert_eq!(Followed::default().next(0.0, 600.0, 4000.0, 20, false).0, Follow::Newest);
}

#[test]
fn a_reader_scrolled_up_stays_and_is_told_of_newer_messages_only_when_some_came() {
    assert_eq!(after_ten().next(300.0, 600.0, 2300.0, 11, false).0, Follow::NewerBelow);
    assert_eq!(after_ten().next(300.0, 600.0, 2000.0, 10, false).0, Follow::Stay, "a receipt is not a new message");
    // The reader's own message is shown wherever they were.
    assert_eq!(after_ten().next(300.0, 600.0, 2300.0, 11, true).0, Follow::Newest);
    // Back at the end by themselves, they follow again.
    let (_, seen) = after_ten().next(300.0, 600.0, 2300.0, 11, false);
    assert_eq!(seen.next(1700.0, 600.0, 2600.0, 12, false).0, Follow::Newest);
}

fn written(author: &str, day: i64, minute: i64) -> Written<&str> {
    Written { author, day, minute }
}

#[test]
fn messages_fall_into_runs_by_author_and_days_get_a_separator() {
    let laid = place(&[
        written("visitor", 1, 600),
        written("visitor", 1, 601),
        written("Camille", 1, 602),
        written("Camille", 1, 603),
        // A long pause: the same author starts a new run.
        written("Camille", 1, 603 + RUN_GAP_MINUTES + 1),
        // A hand-over: another agent is another author.
        written("Hugo", 1, 610),
        // The next day: a separator, and a new run even for the same author.
        written("Hugo", 2, 1),
    ]);
    let shown: Vec<(bool, bool)> = laid.iter().map(|p| (p.starts_day, p.starts_run)).collect();
    assert_eq!(
        shown,
        [(true, true), (false, false), (false, true), (false, false), (false, true), (false, true), (true, true)]
    );
    assert!(place::<&str>(&[]).is_empty());
}

#[test]
fn a_face_is_the_first_letters_of_the_first_two_names() {
    assert_eq!(initials("Camille"), "C");
    assert_eq!(initials("jean-luc petit"), "jl");
    assert_eq!(initials("Élodie Martin Durand"), "ÉM");
    assert_eq!(initials("(Léa)"), "L");
    assert_eq!(initials("  "), "?");
}
