//! Identities a brand vouches for. The brand's server signs who its signed-in customer is, the host
//! page hands that to the widget, and this module decides whether to believe it: an HMAC-SHA256 of the
//! documented fields with one of the site's secrets (two may be active, for rotation), or a JWT signed
//! HS256 with one of those secrets or ES256 with the brand's public key; not older than the site's
//! `max_age_seconds`; compared in constant time. Anything else is a claim, never an identity.

use crate::config::IdentitySettings;
use crate::store::{IdentityClaim, UnixTime};
use accueil_protocol::IdentityProof;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// How far in the future an issue time may be (the brand's clock running ahead of ours).
const CLOCK_SKEW: i64 = 60;
/// The longest text kept of a claimed id, name or email.
const LONGEST_FIELD: usize = 200;

/// Who the brand says the visitor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// What a proof established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by the brand, recently: the visitor is this customer.
    Verified(Customer),
    /// Something was claimed and could not be believed: agents see the claimed id, marked "not verified".
    Claimed { id: Option<String>, why: &'static str },
}

/// The text an HMAC proof signs: fixed order, one field per line, absent fields empty, so a field
/// cannot be moved into another.
pub fn signed_text(site: &str, id: &str, name: &str, email: &str, issued_at: i64) -> String {
    format!("accueil-identity-v1\n{site}\n{id}\n{name}\n{email}\n{issued_at}")
}

/// Lowercase hex HMAC-SHA256 of `text` with `secret`: what the brand's server computes.
pub fn hmac_hex(secret: &str, text: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn fresh(issued_at: i64, now: UnixTime, max_age: i64) -> Result<(), &'static str> {
    if issued_at > now + CLOCK_SKEW {
        return Err("issued in the future");
    }
    if now - issued_at > max_age {
        return Err("expired");
    }
    Ok(())
}

fn field(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(|t| t.chars().take(LONGEST_FIELD).collect())
}

/// Decides what `proof` establishes for `site`, as of `now`.
pub fn verify(settings: &IdentitySettings, site: &str, proof: &IdentityProof, now: UnixTime) -> Verdict {
    match &proof.jwt {
        Some(jwt) => verify_jwt(settings, site, jwt, now),
        None => verify_hmac(settings, site, proof, now),
    }
}

fn verify_hmac(settings: &IdentitySettings, site: &str, proof: &IdentityProof, now: UnixTime) -> Verdict {
    let claimed = field(proof.id.as_deref());
    let refuse = |why| Verdict::Claimed { id: claimed.clone(), why };
    let (Some(id), Some(issued_at), Some(signature)) = (&claimed, proof.issued_at, &proof.signature) else {
        return refuse("unsigned");
    };
    let Some(given) = decode_hex(signature) else { return refuse("not a hex signature") };
    let (name, email) = (proof.name.as_deref().unwrap_or(""), proof.email.as_deref().unwrap_or(""));
    let text = signed_text(site, proof.id.as_deref().unwrap_or(""), name, email, issued_at);
    // Every active secret is tried (rotation); `verify_slice` compares in constant time.
    let signed = settings.secrets.iter().any(|secret| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
        mac.update(text.as_bytes());
        mac.verify_slice(&given).is_ok()
    });
    if !signed {
        return refuse("bad signature");
    }
    if let Err(why) = fresh(issued_at, now, settings.max_age_seconds) {
        return refuse(why);
    }
    Verdict::Verified(Customer {
        id: id.clone(),
        name: field(proof.name.as_deref()),
        email: field(proof.email.as_deref()),
    })
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[derive(serde::Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

fn verify_jwt(settings: &IdentitySettings, site: &str, jwt: &str, now: UnixTime) -> Verdict {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let refuse = |why| Verdict::Claimed { id: None, why };
    let Ok(header) = decode_header(jwt) else { return refuse("not a JWT") };
    let keys: Vec<DecodingKey> = match header.alg {
        Algorithm::HS256 => settings.secrets.iter().map(|s| DecodingKey::from_secret(s.as_bytes())).collect(),
        Algorithm::ES256 => {
            settings.es256_public_key.iter().filter_map(|pem| DecodingKey::from_ec_pem(pem.as_bytes()).ok()).collect()
        }
        _ => return refuse("algorithm not accepted"),
    };
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[site]);
    validation.set_required_spec_claims(&["sub", "aud"]);
    // `exp` is optional (checked when present, with a minute of skew): `iat` and the site's age bound
    // every token.
    validation.validate_exp = true;
    validation.leeway = CLOCK_SKEW as u64;
    let Some(claims) = keys.iter().find_map(|key| decode::<Claims>(jwt, key, &validation).ok()) else {
        return refuse("bad signature");
    };
    let claims = claims.claims;
    let claimed = field(Some(&claims.sub));
    if let Err(why) = fresh(claims.iat, now, settings.max_age_seconds) {
        return Verdict::Claimed { id: claimed, why };
    }
    let Some(id) = claimed else { return refuse("no subject") };
    Verdict::Verified(Customer { id, name: field(claims.name.as_deref()), email: field(claims.email.as_deref()) })
}

/// What to record of `verdict`: a verified customer with the proof's digest (usable by one session
/// until it could no longer be used anyway), or the claim as made.
pub fn claim(verdict: Verdict, proof: &IdentityProof, max_age: i64, now: UnixTime) -> IdentityClaim {
    match verdict {
        Verdict::Verified(customer) => {
            let signed = proof.jwt.as_deref().or(proof.signature.as_deref()).unwrap_or_default();
            let digest = Sha256::digest(signed.as_bytes()).to_vec();
            IdentityClaim {
                customer_id: Some(customer.id),
                name: customer.name,
                verified: true,
                proof: Some((digest, now + max_age + CLOCK_SKEW)),
            }
        }
        Verdict::Claimed { id, why } => {
            tracing::info!(why, "an identity was claimed and not verified");
            IdentityClaim { customer_id: id, name: field(proof.name.as_deref()), verified: false, proof: None }
        }
    }
}

/// A claim on a site that verifies none: kept as said, never believed.
pub fn unverifiable(proof: &IdentityProof) -> Verdict {
    Verdict::Claimed { id: field(proof.id.as_deref()), why: "the site verifies no identity" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_text_and_its_hmac_are_what_the_brand_side_computes() {
        // Known answer from `printf 'accueil-identity-v1\ndemo\nC-1042\nLéa\nlea@example.fr\n1700000000' |
        // openssl dgst -sha256 -hmac a-secret-of-at-least-thirty-two-characters`.
        let text = signed_text("demo", "C-1042", "Léa", "lea@example.fr", 1_700_000_000);
        assert_eq!(
            hmac_hex("a-secret-of-at-least-thirty-two-characters", &text),
            "c60fc53ef5184b49df89fab8a946214577ac14a6415b5909af08ee8323d3656e"
        );
    }

    #[test]
    fn a_proof_is_fresh_within_its_age_and_a_minute_of_skew() {
        assert_eq!(fresh(1000, 1600, 600), Ok(()));
        assert_eq!(fresh(1000, 1601, 600), Err("expired"));
        assert_eq!(fresh(1060, 1000, 600), Ok(()));
        assert_eq!(fresh(1061, 1000, 600), Err("issued in the future"));
    }
}
