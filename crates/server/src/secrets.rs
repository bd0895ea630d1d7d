//! Tokens and passwords: minting opaque bearer tokens, hashing them for storage, and argon2id password
//! hashes for agents.

use crate::error::Error;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A fresh token of 256 random bits, base64url without padding (43 characters).
pub fn new_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A public identifier such as `cb_3kTqV9xY2mPq`: 72 random bits, unguessable, so an id alone reveals
/// nothing and enumeration finds nothing.
pub fn new_public_id(prefix: &str) -> Result<String, Error> {
    let mut bytes = [0u8; 9];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// What the database keeps instead of a token: a leaked table cannot be replayed.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The shortest password an account may have, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;

pub fn hash_password(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// What a browser that signed in to account `agent_id` with its current password keeps in its
/// `accueil_device` cookie, so that a lockout others caused does not stop it. Keyed by the password's
/// hash (salted, never leaves the server): a new password forgets every device.
pub fn device_proof(agent_id: i64, password_hash: &str) -> String {
    URL_SAFE_NO_PAD.encode(device_mac(agent_id, password_hash).finalize().into_bytes())
}

/// Whether `proof` is this account's device proof, compared in constant time.
pub fn is_device_proof(agent_id: i64, password_hash: &str, proof: &str) -> bool {
    URL_SAFE_NO_PAD.decode(proof).is_ok_and(|bytes| device_mac(agent_id, password_hash).verify_slice(&bytes).is_ok())
}

fn device_mac(agent_id: i64, password_hash: &str) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(password_hash.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("accueil known device {agent_id}").as_bytes());
    mac
}

/// A valid hash of no agent's password: verifying against it when the email is unknown makes a wrong
/// email cost as much time as a wrong password, so timing does not reveal which agents exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password for unknown emails").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_proof_holds_for_its_account_and_password_only() {
        let proof = device_proof(7, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
        assert!(is_device_proof(7, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", &proof));
        assert!(!is_device_proof(8, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", &proof), "another account");
        assert!(!is_device_proof(7, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$bmV3", &proof), "a new password");
        assert!(!is_device_proof(7, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "not base64 !"));
    }

    #[test]
    fn tokens_are_long_distinct_and_url_safe() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(token_hash(&a).len(), 32);
    }

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }
}
