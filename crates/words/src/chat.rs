//! The strings only the chat document shows, in French and English: a table of its own, so
//! that the other documents' wasm does not carry them.

use super::Phrase;
use accueil_protocol::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKey {
    AgentAvailable,
    ExpectedWait,
    Minutes,
    NobodyNow,
    NobodyNowNoCallback,
    MessageLabel,
    SendMessage,
    NewerMessages,
    SentState,
    SendingState,
    Reconnecting,
    WaitingForAgent,
    AgentJoined,
    ConversationClosed,
    You,
    TeamMember,
    DeliveredState,
    ReadState,
    IsTyping,
    EndChat,
    EndChatConfirm,
    ConfirmEnd,
    KeepChatting,
    RateChat,
    OutOfFive,
    RateThanks,
    TranscriptLabel,
    TranscriptHint,
    TranscriptSend,
    TranscriptSent,
    TranscriptUnavailable,
    EmailProblem,
    LongWait,
    LongWaitChoice,
    LongWaitLeaveMessage,
    NewConversation,
    QueuePlace,
    Today,
    Yesterday,
    Conversation,
}

impl Phrase for ChatKey {
    fn text(self, locale: Locale) -> &'static str {
        use ChatKey::*;
        match (locale, self) {
            (Locale::Fr, AgentAvailable) => "Un conseiller peut vous répondre maintenant.",
            (Locale::En, AgentAvailable) => "An advisor can answer you now.",
            (Locale::Fr, ExpectedWait) => "Attente estimée : environ",
            (Locale::En, ExpectedWait) => "Estimated wait: about",
            (Locale::Fr, Minutes) => "min",
            (Locale::En, Minutes) => "min",
            (Locale::Fr, NobodyNow) => {
                "Personne n'est disponible pour le moment. Laissez un message : nous vous répondrons ici, ou demandez à être rappelé."
            }
            (Locale::En, NobodyNow) => {
                "Nobody is available right now. Leave a message: we will answer here, or ask to be called back."
            }
            (Locale::Fr, NobodyNowNoCallback) => {
                "Personne n'est disponible pour le moment. Laissez un message : nous vous répondrons ici."
            }
            (Locale::En, NobodyNowNoCallback) => "Nobody is available right now. Leave a message: we will answer here.",
            (Locale::Fr, MessageLabel) => "Votre message",
            (Locale::En, MessageLabel) => "Your message",
            (Locale::Fr, SendMessage) => "Envoyer",
            (Locale::En, SendMessage) => "Send",
            (Locale::Fr, NewerMessages) => "Voir les nouveaux messages",
            (Locale::En, NewerMessages) => "See the new messages",
            (Locale::Fr, SentState) => "Envoyé",
            (Locale::En, SentState) => "Sent",
            (Locale::Fr, SendingState) => "Envoi…",
            (Locale::En, SendingState) => "Sending…",
            (Locale::Fr, Reconnecting) => "Connexion perdue, reconnexion…",
            (Locale::En, Reconnecting) => "Connection lost, reconnecting…",
            (Locale::Fr, WaitingForAgent) => "Votre demande est en attente : un conseiller va vous répondre.",
            (Locale::En, WaitingForAgent) => "Your request is waiting: an advisor will answer you.",
            (Locale::Fr, AgentJoined) => "vous répond",
            (Locale::En, AgentJoined) => "is answering you",
            (Locale::Fr, ConversationClosed) => "La conversation est terminée.",
            (Locale::En, ConversationClosed) => "The conversation has ended.",
            (Locale::Fr, You) => "Vous",
            (Locale::En, You) => "You",
            (Locale::Fr, TeamMember) => "Conseiller",
            (Locale::En, TeamMember) => "Advisor",
            (Locale::Fr, DeliveredState) => "Distribué",
            (Locale::En, DeliveredState) => "Delivered",
            (Locale::Fr, ReadState) => "Lu",
            (Locale::En, ReadState) => "Read",
            (Locale::Fr, IsTyping) => "écrit…",
            (Locale::En, IsTyping) => "is typing…",
            (Locale::Fr, EndChat) => "Terminer la conversation",
            (Locale::En, EndChat) => "End the chat",
            (Locale::Fr, EndChatConfirm) => "Terminer la conversation ? Vous pourrez en commencer une autre.",
            (Locale::En, EndChatConfirm) => "End the chat? You can start another one.",
            (Locale::Fr, ConfirmEnd) => "Oui, terminer",
            (Locale::En, ConfirmEnd) => "Yes, end it",
            (Locale::Fr, KeepChatting) => "Non, continuer",
            (Locale::En, KeepChatting) => "No, keep chatting",
            (Locale::Fr, RateChat) => "Comment s’est passée cette conversation ?",
            (Locale::En, RateChat) => "How was this conversation?",
            (Locale::Fr, OutOfFive) => "sur 5",
            (Locale::En, OutOfFive) => "out of 5",
            (Locale::Fr, RateThanks) => "Merci pour votre avis.",
            (Locale::En, RateThanks) => "Thank you for your feedback.",
            (Locale::Fr, TranscriptLabel) => "Recevoir la conversation par e-mail",
            (Locale::En, TranscriptLabel) => "Get the conversation by email",
            (Locale::Fr, TranscriptHint) => "Votre adresse sert uniquement à cet envoi ; nous ne la gardons pas.",
            (Locale::En, TranscriptHint) => "Your address is used for this email only; we do not keep it.",
            (Locale::Fr, TranscriptSend) => "Envoyer la conversation",
            (Locale::En, TranscriptSend) => "Send the conversation",
            (Locale::Fr, TranscriptSent) => "C’est envoyé. Pensez à regarder vos courriers indésirables.",
            (Locale::En, TranscriptSent) => "Sent. Check your spam folder if it does not arrive.",
            (Locale::Fr, TranscriptUnavailable) => "L’envoi par e-mail n’est pas possible pour le moment.",
            (Locale::En, TranscriptUnavailable) => "Sending by email is not possible right now.",
            (Locale::Fr, EmailProblem) => "Vérifiez l’adresse e-mail, par exemple nom@exemple.fr.",
            (Locale::En, EmailProblem) => "Check the email address, for example name@example.com.",
            (Locale::Fr, LongWait) => "L’attente est longue en ce moment : environ",
            (Locale::En, LongWait) => "The wait is long right now: about",
            (Locale::Fr, LongWaitChoice) => {
                "Nous pouvons vous rappeler, ou laissez un message : nous vous répondrons ici, revenez quand vous voulez"
            }
            (Locale::En, LongWaitChoice) => {
                "We can call you back, or leave a message: we will answer here, come back whenever you like"
            }
            (Locale::Fr, LongWaitLeaveMessage) => {
                "Laissez un message : nous vous répondrons ici, revenez quand vous voulez"
            }
            (Locale::En, LongWaitLeaveMessage) => "Leave a message: we will answer here, come back whenever you like",
            (Locale::Fr, NewConversation) => "Une autre question ? Écrivez-nous",
            (Locale::En, NewConversation) => "Another question? Write to us",
            (Locale::Fr, QueuePlace) => "Votre place dans la file :",
            (Locale::En, QueuePlace) => "Your place in the queue:",
            (Locale::Fr, Today) => "Aujourd'hui",
            (Locale::En, Today) => "Today",
            (Locale::Fr, Yesterday) => "Hier",
            (Locale::En, Yesterday) => "Yesterday",
            (Locale::Fr, Conversation) => "Conversation",
            (Locale::En, Conversation) => "Conversation",
        }
    }
}
