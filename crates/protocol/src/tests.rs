//! Golden-JSON tests: every ```json block of PROTOCOL.md named after a type must parse into that type
//! and serialize back to the same JSON, and the committed JSON Schemas must match the types.

use super::*;
use serde::de::DeserializeOwned;
use std::path::PathBuf;

/// This package's folder as cargo names it when it runs the binary: a binary compiled in another clone
/// of the repository, which cargo may reuse from a shared target directory, would name that clone.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")), Into::into)
}

fn repo_root() -> PathBuf {
    manifest_dir().join("../..")
}

/// The `(type name, json)` examples of PROTOCOL.md, from fences opened as "```json TypeName".
fn documented_examples() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(repo_root().join("PROTOCOL.md")).expect("PROTOCOL.md is readable");
    let mut examples = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in doc.lines() {
        match current.as_mut() {
            Some(_) if line.trim_start() == "```" => {
                examples.extend(current.take());
            }
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {
                if let Some(name) = line.trim_start().strip_prefix("```json ") {
                    current = Some((name.trim().to_owned(), String::new()));
                }
            }
        }
    }
    assert!(current.is_none(), "PROTOCOL.md has an unclosed code block");
    examples
}

fn round_trip<T: DeserializeOwned + Serialize>(json: &str) -> Result<(), String> {
    let original: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let typed: T = serde_json::from_value(original.clone()).map_err(|e| format!("does not parse: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    if back == original {
        Ok(())
    } else {
        Err(format!("serializes differently:\n{}", serde_json::to_string_pretty(&back).unwrap_or_default()))
    }
}

/// Every wire type, by the name PROTOCOL.md uses for it. A type added to the protocol belongs here.
const WIRE_TYPES: &[&str] = &[
    "SiteConfig",
    "CreateSession",
    "SessionCreated",
    "Session",
    "VisitorData",
    "Erased",
    "IdentityProof",
    "HostIdentify",
    "ErrorBody",
    "AgentLogin",
    "Agent",
    "Health",
    "HostMessage",
    "WidgetMessage",
    "FaqSynonyms",
    "FaqReport",
    "FaqPreviewed",
    "FaqPreview",
    "FaqEdit",
    "FaqSource",
    "AgentSites",
    "Accounts",
    "ChangeAccount",
    "ChangePassword",
    "Invite",
    "ForgottenPassword",
    "LinkToken",
    "LinkInfo",
    "LinkPassword",
    "AuditLog",
    "Dashboard",
    "SiteSettings",
    "SettingsChange",
    "Faq",
    "CallbackOptions",
    "PhoneNumber",
    "PhoneChecked",
    "CreateCallback",
    "Callback",
    "Callbacks",
    "AgentCallbacks",
    "CallbackResult",
    "CallbackEvent",
    "Threads",
    "Thread",
    "NewThread",
    "NewAnswer",
    "VoteRequest",
    "VoteCount",
    "AcceptAnswer",
    "ReportPost",
    "SimilarQuestions",
    "MyThreads",
    "ModerationQueue",
    "Moderation",
    "OfficialAnswer",
    "ClientFrame",
    "ServerFrame",
    "ChatHistory",
    "AgentConversations",
    "AgentMessage",
    "ChatAvailability",
    "AgentClientFrame",
    "AgentServerFrame",
    "AgentPresence",
    "AgentTeam",
    "TransferConversation",
    "CannedReplies",
    "NewCannedReply",
    "ChatRating",
    "TranscriptRequest",
];

fn check_example(name: &str, json: &str) -> Result<(), String> {
    match name {
        "SiteConfig" => round_trip::<SiteConfig>(json),
        "CreateSession" => round_trip::<CreateSession>(json),
        "SessionCreated" => round_trip::<SessionCreated>(json),
        "Session" => round_trip::<Session>(json),
        "VisitorData" => round_trip::<VisitorData>(json),
        "Erased" => round_trip::<Erased>(json),
        "IdentityProof" => round_trip::<IdentityProof>(json),
        "HostIdentify" => round_trip::<HostIdentify>(json),
        "ErrorBody" => round_trip::<ErrorBody>(json),
        "AgentLogin" => round_trip::<AgentLogin>(json),
        "Agent" => round_trip::<Agent>(json),
        "Health" => round_trip::<Health>(json),
        "HostMessage" => round_trip::<HostMessage>(json),
        "WidgetMessage" => round_trip::<WidgetMessage>(json),
        "FaqSynonyms" => round_trip::<FaqSynonyms>(json),
        "FaqReport" => round_trip::<FaqReport>(json),
        "FaqPreviewed" => round_trip::<FaqPreviewed>(json),
        "FaqPreview" => round_trip::<FaqPreview>(json),
        "FaqEdit" => round_trip::<FaqEdit>(json),
        "FaqSource" => round_trip::<FaqSource>(json),
        "AgentSites" => round_trip::<AgentSites>(json),
        "Accounts" => round_trip::<Accounts>(json),
        "ChangeAccount" => round_trip::<ChangeAccount>(json),
        "ChangePassword" => round_trip::<ChangePassword>(json),
        "Invite" => round_trip::<Invite>(json),
        "ForgottenPassword" => round_trip::<ForgottenPassword>(json),
        "LinkToken" => round_trip::<LinkToken>(json),
        "LinkInfo" => round_trip::<LinkInfo>(json),
        "LinkPassword" => round_trip::<LinkPassword>(json),
        "AuditLog" => round_trip::<AuditLog>(json),
        "Dashboard" => round_trip::<Dashboard>(json),
        "SiteSettings" => round_trip::<SiteSettings>(json),
        "SettingsChange" => round_trip::<SettingsChange>(json),
        "FaqEventReport" => round_trip::<FaqEventReport>(json),
        "FaqSearchResults" => round_trip::<FaqSearchResults>(json),
        "Faq" => round_trip::<Faq>(json),
        "CallbackOptions" => round_trip::<CallbackOptions>(json),
        "PhoneNumber" => round_trip::<PhoneNumber>(json),
        "PhoneChecked" => round_trip::<PhoneChecked>(json),
        "CreateCallback" => round_trip::<CreateCallback>(json),
        "Callback" => round_trip::<Callback>(json),
        "Callbacks" => round_trip::<Callbacks>(json),
        "AgentCallbacks" => round_trip::<AgentCallbacks>(json),
        "CallbackResult" => round_trip::<CallbackResult>(json),
        "CallbackEvent" => round_trip::<CallbackEvent>(json),
        "Threads" => round_trip::<Threads>(json),
        "Thread" => round_trip::<Thread>(json),
        "NewThread" => round_trip::<NewThread>(json),
        "NewAnswer" => round_trip::<NewAnswer>(json),
        "VoteRequest" => round_trip::<VoteRequest>(json),
        "VoteCount" => round_trip::<VoteCount>(json),
        "AcceptAnswer" => round_trip::<AcceptAnswer>(json),
        "ReportPost" => round_trip::<ReportPost>(json),
        "SimilarQuestions" => round_trip::<SimilarQuestions>(json),
        "MyThreads" => round_trip::<MyThreads>(json),
        "ModerationQueue" => round_trip::<ModerationQueue>(json),
        "Moderation" => round_trip::<Moderation>(json),
        "OfficialAnswer" => round_trip::<OfficialAnswer>(json),
        "ClientFrame" => round_trip::<ClientFrame>(json),
        "ServerFrame" => round_trip::<ServerFrame>(json),
        "ChatHistory" => round_trip::<ChatHistory>(json),
        "AgentConversations" => round_trip::<AgentConversations>(json),
        "AgentMessage" => round_trip::<AgentMessage>(json),
        "ChatAvailability" => round_trip::<ChatAvailability>(json),
        "AgentClientFrame" => round_trip::<AgentClientFrame>(json),
        "AgentServerFrame" => round_trip::<AgentServerFrame>(json),
        "AgentPresence" => round_trip::<AgentPresence>(json),
        "AgentTeam" => round_trip::<AgentTeam>(json),
        "TransferConversation" => round_trip::<TransferConversation>(json),
        "CannedReplies" => round_trip::<CannedReplies>(json),
        "NewCannedReply" => round_trip::<NewCannedReply>(json),
        "ChatRating" => round_trip::<ChatRating>(json),
        "TranscriptRequest" => round_trip::<TranscriptRequest>(json),
        other => Err(format!("no wire type is named {other}")),
    }
}

#[test]
fn every_documented_example_matches_its_type_exactly() {
    let examples = documented_examples();
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|(name, json)| check_example(name, json).err().map(|e| format!("{name}: {e}\n{json}")))
        .collect();
    assert!(failures.is_empty(), "PROTOCOL.md disagrees with the types:\n{}", failures.join("\n"));
}

#[test]
fn every_wire_type_has_a_documented_example() {
    let examples = documented_examples();
    let missing: Vec<&&str> = WIRE_TYPES.iter().filter(|name| !examples.iter().any(|(n, _)| n == **name)).collect();
    assert!(missing.is_empty(), "PROTOCOL.md has no example for {missing:?}");
}

#[test]
fn requests_name_the_unknown_field() {
    let err = serde_json::from_str::<CreateSession>(r#"{"site":"demo","colour":"red"}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field `colour`"), "{err}");
}

#[test]
fn an_unknown_error_code_from_a_newer_server_still_parses() {
    let body: ErrorBody =
        serde_json::from_str(r#"{"error":{"code":"too_many_requests","message":"slow down","fields":[]}}"#)
            .expect("additive codes parse");
    assert_eq!(body.error.code, ErrorCode::Unknown);
}

#[test]
fn responses_ignore_fields_added_later_in_v1() {
    let json = r#"{"site":"demo","locale":"fr","created_at":"2026-11-23T10:00:00Z","new_field":1}"#;
    let session: Session = serde_json::from_str(json).expect("additive fields are ignored");
    assert_eq!(session.locale, Some(Locale::Fr));
}

#[test]
fn every_live_frame_reads_back_as_written_and_a_broken_one_says_what_is_wrong() {
    let message = ChatMessage {
        seq: 3,
        author: MessageAuthor::Agent,
        agent: Some("Camille".to_owned()),
        body: "Bonjour".to_owned(),
        client_id: None,
        sent_at: "2026-11-23T10:06:00Z".to_owned(),
    };
    let conversation =
        Conversation { id: "cv_1".to_owned(), status: ConversationStatus::Assigned, last_seq: 3, agent: None };
    let frames = [
        ServerFrame::Welcome { conversation: None },
        ServerFrame::Welcome { conversation: Some(conversation.clone()) },
        ServerFrame::Conversation { conversation },
        ServerFrame::Message { message },
        ServerFrame::Ack { client_id: "m1".to_owned(), seq: 3 },
        ServerFrame::Error { code: LiveErrorCode::InvalidFrame, message: "Trame illisible".to_owned() },
        ServerFrame::Typing,
        ServerFrame::Queue { position: 2, estimated_wait_minutes: None },
        ServerFrame::Receipt { delivered: 3, read: 2 },
        ServerFrame::Pong,
    ];
    for frame in frames {
        let json = serde_json::to_string(&frame).expect("written");
        assert_eq!(serde_json::from_str::<ServerFrame>(&json).expect("read back"), frame, "{json}");
    }
    let refused = |json: &str| serde_json::from_str::<ServerFrame>(json).expect_err(json).to_string();
    assert!(refused(r#"{"type":"ack","client_id":"m1"}"#).contains("missing field `seq`"));
    assert!(refused(r#"{"type":"message","message":"Bonjour"}"#).contains("missing field `message`"));
    assert!(refused(r#"{"type":"error","code":"invalid_frame","message":{"seq":1}}"#).contains("missing field"));
    assert!(refused(r#"{"type":"goodbye"}"#).contains("unknown variant `goodbye`"));
    assert!(refused(r#"{"conversation":null}"#).contains("missing field `type`"));
    assert!(refused(r#"{"type":"queue","position":"first"}"#).contains("invalid type"));
    let later: ServerFrame = serde_json::from_str(r#"{"type":"pong","added_later":1}"#).expect("additive fields");
    assert_eq!(later, ServerFrame::Pong);
}

#[test]
fn locale_tags_from_browsers_are_understood() {
    assert_eq!(Locale::from_tag("fr-FR"), Some(Locale::Fr));
    assert_eq!(Locale::from_tag("EN_gb"), Some(Locale::En));
    assert_eq!(Locale::from_tag("de"), None);
    assert_eq!(Locale::from_tag(""), None);
}

fn schema_of(name: &str) -> schemars::Schema {
    match name {
        "SiteConfig" => schemars::schema_for!(SiteConfig),
        "CreateSession" => schemars::schema_for!(CreateSession),
        "SessionCreated" => schemars::schema_for!(SessionCreated),
        "Session" => schemars::schema_for!(Session),
        "VisitorData" => schemars::schema_for!(VisitorData),
        "Erased" => schemars::schema_for!(Erased),
        "IdentityProof" => schemars::schema_for!(IdentityProof),
        "HostIdentify" => schemars::schema_for!(HostIdentify),
        "ErrorBody" => schemars::schema_for!(ErrorBody),
        "AgentLogin" => schemars::schema_for!(AgentLogin),
        "Agent" => schemars::schema_for!(Agent),
        "Health" => schemars::schema_for!(Health),
        "HostMessage" => schemars::schema_for!(HostMessage),
        "WidgetMessage" => schemars::schema_for!(WidgetMessage),
        "FaqSynonyms" => schemars::schema_for!(FaqSynonyms),
        "FaqReport" => schemars::schema_for!(FaqReport),
        "FaqPreviewed" => schemars::schema_for!(FaqPreviewed),
        "FaqPreview" => schemars::schema_for!(FaqPreview),
        "FaqEdit" => schemars::schema_for!(FaqEdit),
        "FaqSource" => schemars::schema_for!(FaqSource),
        "AgentSites" => schemars::schema_for!(AgentSites),
        "Accounts" => schemars::schema_for!(Accounts),
        "ChangeAccount" => schemars::schema_for!(ChangeAccount),
        "ChangePassword" => schemars::schema_for!(ChangePassword),
        "Dashboard" => schemars::schema_for!(Dashboard),
        "SiteSettings" => schemars::schema_for!(SiteSettings),
        "SettingsChange" => schemars::schema_for!(SettingsChange),
        "Invite" => schemars::schema_for!(Invite),
        "ForgottenPassword" => schemars::schema_for!(ForgottenPassword),
        "LinkToken" => schemars::schema_for!(LinkToken),
        "LinkInfo" => schemars::schema_for!(LinkInfo),
        "LinkPassword" => schemars::schema_for!(LinkPassword),
        "AuditLog" => schemars::schema_for!(AuditLog),
        "FaqEventReport" => schemars::schema_for!(FaqEventReport),
        "FaqSearchResults" => schemars::schema_for!(FaqSearchResults),
        "Faq" => schemars::schema_for!(Faq),
        "CallbackOptions" => schemars::schema_for!(CallbackOptions),
        "PhoneNumber" => schemars::schema_for!(PhoneNumber),
        "PhoneChecked" => schemars::schema_for!(PhoneChecked),
        "CreateCallback" => schemars::schema_for!(CreateCallback),
        "Callback" => schemars::schema_for!(Callback),
        "Callbacks" => schemars::schema_for!(Callbacks),
        "AgentCallbacks" => schemars::schema_for!(AgentCallbacks),
        "CallbackResult" => schemars::schema_for!(CallbackResult),
        "CallbackEvent" => schemars::schema_for!(CallbackEvent),
        "Threads" => schemars::schema_for!(Threads),
        "Thread" => schemars::schema_for!(Thread),
        "NewThread" => schemars::schema_for!(NewThread),
        "NewAnswer" => schemars::schema_for!(NewAnswer),
        "VoteRequest" => schemars::schema_for!(VoteRequest),
        "VoteCount" => schemars::schema_for!(VoteCount),
        "AcceptAnswer" => schemars::schema_for!(AcceptAnswer),
        "ReportPost" => schemars::schema_for!(ReportPost),
        "SimilarQuestions" => schemars::schema_for!(SimilarQuestions),
        "MyThreads" => schemars::schema_for!(MyThreads),
        "ModerationQueue" => schemars::schema_for!(ModerationQueue),
        "Moderation" => schemars::schema_for!(Moderation),
        "OfficialAnswer" => schemars::schema_for!(OfficialAnswer),
        "ClientFrame" => schemars::schema_for!(ClientFrame),
        "ServerFrame" => schemars::schema_for!(ServerFrame),
        "ChatHistory" => schemars::schema_for!(ChatHistory),
        "AgentConversations" => schemars::schema_for!(AgentConversations),
        "AgentMessage" => schemars::schema_for!(AgentMessage),
        "ChatAvailability" => schemars::schema_for!(ChatAvailability),
        "AgentClientFrame" => schemars::schema_for!(AgentClientFrame),
        "AgentServerFrame" => schemars::schema_for!(AgentServerFrame),
        "AgentPresence" => schemars::schema_for!(AgentPresence),
        "AgentTeam" => schemars::schema_for!(AgentTeam),
        "TransferConversation" => schemars::schema_for!(TransferConversation),
        "CannedReplies" => schemars::schema_for!(CannedReplies),
        "NewCannedReply" => schemars::schema_for!(NewCannedReply),
        "ChatRating" => schemars::schema_for!(ChatRating),
        "TranscriptRequest" => schemars::schema_for!(TranscriptRequest),
        other => panic!("no wire type is named {other}"),
    }
}

/// The committed schemas in crates/protocol/schema/ must be what the types generate. Run with
/// `ACCUEIL_UPDATE_SCHEMAS=1` (or `cargo xtask schema`) to rewrite them after a deliberate change.
#[test]
fn committed_json_schemas_match_the_types() {
    let dir = manifest_dir().join("schema");
    let update = std::env::var_os("ACCUEIL_UPDATE_SCHEMAS").is_some();
    let mut drifted = Vec::new();
    for name in WIRE_TYPES {
        let generated = serde_json::to_string_pretty(&schema_of(name)).expect("schema serializes") + "\n";
        let path = dir.join(format!("{name}.json"));
        if update {
            std::fs::create_dir_all(&dir).expect("schema dir");
            std::fs::write(&path, &generated).expect("schema written");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            drifted.push(path.display().to_string());
        }
    }
    assert!(drifted.is_empty(), "schemas drifted from the types (run `cargo xtask schema`): {drifted:?}");
}
