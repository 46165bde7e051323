//! API tokens: secrets made here, printed once, stored only as their
//! SHA-256.

use perfwatch_store::{Store, StoreError, TokenRow, TokenScope};
use sha2::{Digest, Sha256};

/// What every secret starts with, so that it is recognised (in a leaked
/// log, by a secret scanner) as a perfwatch token.
pub const SECRET_PREFIX: &str = "pw_";

/// A new secret: [`SECRET_PREFIX`] and 32 bytes from the operating
/// system's random source, in hex (67 characters).
///
/// # Errors
///
/// The operating system's random source failed: no secret is better than
/// a guessable one.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{SECRET_PREFIX}{}", hex(&bytes)))
}

/// The lowercase hex SHA-256 of a secret: what the store keeps.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a token could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The random source failed.
    #[error("failed to draw a random secret: {0}")]
    Random(getrandom::Error),
    /// The store refused (a name taken, invalid) or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Makes a token named `name`: stores the hash of a new secret and returns
/// the row with the secret, which exists nowhere else from then on.
pub fn create(
    store: &dyn Store,
    name: &str,
    scope: TokenScope,
) -> Result<(TokenRow, String), TokenError> {
    let secret = new_secret().map_err(TokenError::Random)?;
    let row = store.create_token(name, scope, &hash_secret(&secret))?;
    Ok((row, secret))
}

/// Whether the store holds at least one token that is not revoked.
pub fn any_active(store: &dyn Store) -> Result<bool, StoreError> {
    Ok(store.list_tokens()?.iter().any(|t| t.revoked_at.is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_long_and_distinct() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX));
        assert_eq!(a.len(), SECRET_PREFIX.len() + 64);
    }

    #[test]
    fn the_hash_is_sha256_in_hex() {
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
