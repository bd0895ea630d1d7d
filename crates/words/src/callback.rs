//! The strings only the callback document shows, in French and English: a table of its own, so
//! that the other documents' wasm does not carry them.

use super::Phrase;
use accueil_protocol::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackKey {
    /// Form errors the other form (callback or community) has too: each document links one table only,
    /// so the words are in both rather than in every document's shared table.
    TooLong,
    SendFailed,
    CallbackIntro,
    Country,
    PhoneLabel,
    NameLabel,
    TopicLabel,
    WhenLabel,
    WhenHint,
    RequestCall,
    Sending,
    PhoneInvalid,
    PhoneCapped,
    TopicRequired,
    ConsentRequired,
    SlotGone,
    SlotFull,
    NoSlots,
    TooManyOpen,
    Confirmed,
    CancelCall,
    AnotherCall,
    StatusScheduled,
    StatusInProgress,
    StatusDone,
    StatusMissed,
    StatusCancelled,
    YourCalls,
}

impl Phrase for CallbackKey {
    fn text(self, locale: Locale) -> &'static str {
        use CallbackKey::*;
        match (locale, self) {
            (Locale::Fr, TooLong) => "Ce texte est trop long.",
            (Locale::En, TooLong) => "This text is too long.",
            (Locale::Fr, SendFailed) => "L'envoi n'a pas abouti. Vérifiez votre connexion et réessayez.",
            (Locale::En, SendFailed) => "Sending failed. Please check your connection and try again.",
            (Locale::Fr, CallbackIntro) => {
                "Nous vous appelons dans le créneau que vous choisissez, pour cette demande seulement."
            }
            (Locale::En, CallbackIntro) => "We call you in the window you choose, about this request only.",
            (Locale::Fr, Country) => "Pays",
            (Locale::En, Country) => "Country",
            (Locale::Fr, PhoneLabel) => "Votre numéro de téléphone",
            (Locale::En, PhoneLabel) => "Your phone number",
            (Locale::Fr, NameLabel) => "Votre prénom (facultatif)",
            (Locale::En, NameLabel) => "Your first name (optional)",
            (Locale::Fr, TopicLabel) => "À quel sujet ?",
            (Locale::En, TopicLabel) => "What is it about?",
            (Locale::Fr, WhenLabel) => "Quand vous appeler ?",
            (Locale::En, WhenLabel) => "When should we call?",
            (Locale::Fr, WhenHint) => "Horaires affichés à l'heure de votre appareil.",
            (Locale::En, WhenHint) => "Times are shown in your device's time.",
            (Locale::Fr, RequestCall) => "Demander l'appel",
            (Locale::En, RequestCall) => "Request the call",
            (Locale::Fr, Sending) => "Envoi…",
            (Locale::En, Sending) => "Sending…",
            (Locale::Fr, PhoneInvalid) => "Ce numéro ne semble pas valide pour ce pays.",
            (Locale::En, PhoneInvalid) => "This number does not look valid for this country.",
            (Locale::Fr, PhoneCapped) => "Ce numéro a atteint la limite de demandes pour aujourd'hui.",
            (Locale::En, PhoneCapped) => "This number has reached today's limit of requests.",
            (Locale::Fr, TopicRequired) => "Dites-nous en quelques mots de quoi il s'agit.",
            (Locale::En, TopicRequired) => "Tell us in a few words what it is about.",
            (Locale::Fr, ConsentRequired) => "Cochez la case pour que nous puissions vous appeler.",
            (Locale::En, ConsentRequired) => "Tick the box so that we may call you.",
            (Locale::Fr, SlotGone) => "Ce créneau n'est plus proposé : choisissez-en un autre.",
            (Locale::En, SlotGone) => "This window is no longer offered: please choose another.",
            (Locale::Fr, SlotFull) => "Ce créneau vient d'être pris. Voici les suivants :",
            (Locale::En, SlotFull) => "This window has just been taken. Here are the next ones:",
            (Locale::Fr, NoSlots) => "Aucun créneau libre dans les prochains jours. Écrivez-nous plutôt.",
            (Locale::En, NoSlots) => "No free window in the coming days. Please write to us instead.",
            (Locale::Fr, TooManyOpen) => "Vous avez déjà trois demandes en cours : annulez-en une d'abord.",
            (Locale::En, TooManyOpen) => "You already have three requests open: cancel one first.",
            (Locale::Fr, Confirmed) => "C'est noté ! Nous vous appellerons dans ce créneau.",
            (Locale::En, Confirmed) => "All set! We will call you in this window.",
            (Locale::Fr, CancelCall) => "Annuler ce rappel",
            (Locale::En, CancelCall) => "Cancel this call",
            (Locale::Fr, AnotherCall) => "Demander un autre rappel",
            (Locale::En, AnotherCall) => "Request another call",
            (Locale::Fr, StatusScheduled) => "Rappel prévu",
            (Locale::En, StatusScheduled) => "Call scheduled",
            (Locale::Fr, StatusInProgress) => "Un conseiller vous appelle",
            (Locale::En, StatusInProgress) => "An advisor is calling you",
            (Locale::Fr, StatusDone) => "Appel effectué",
            (Locale::En, StatusDone) => "Call done",
            (Locale::Fr, StatusMissed) => "Nous n'avons pas pu vous joindre",
            (Locale::En, StatusMissed) => "We could not reach you",
            (Locale::Fr, StatusCancelled) => "Rappel annulé",
            (Locale::En, StatusCancelled) => "Call cancelled",
            (Locale::Fr, YourCalls) => "Vos demandes de rappel",
            (Locale::En, YourCalls) => "Your call requests",
        }
    }
}
