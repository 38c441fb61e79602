//! The extension's identities in each browser.

use anyhow::{Context, Result};

/// Chrome extension id of the unpacked packages (`dist/chrome`), fixed by the `key` in
/// `extension/chrome-key.pub.txt` (a test checks that the key file still gives this id). The
/// private key of that `key` is kept nowhere: a CRX is packed with the organisation's own key
/// ([`crate::release`]), which gives another id.
pub const CHROME_EXTENSION_ID: &str = "odibaakbjdainpmigbcbmeiaaknjljad";

/// Firefox add-on id (`browser_specific_settings.gecko.id`).
pub const GECKO_ID: &str = "session-drop@session-drop.dev";

/// Chrome's id of an extension signed with the public key `der` (DER SubjectPublicKeyInfo): the
/// first 32 hex digits of its SHA-256, each digit 0-9a-f written as a-p.
pub fn chrome_extension_id_from_der(der: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(der);
    digest[..16]
        .iter()
        .flat_map(|b| [b >> 4, b & 0xf])
        .map(|n| (b'a' + n) as char)
        .collect()
}

/// Chrome's id of an extension whose manifest `key` is `key_b64` (base64 DER public key).
pub fn chrome_extension_id(key_b64: &str) -> Result<String> {
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(key_b64.trim())
        .context("the Chrome key is not valid base64")?;
    Ok(chrome_extension_id_from_der(&der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_key_file_gives_the_recorded_id() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let key = std::fs::read_to_string(root.join("extension/chrome-key.pub.txt")).unwrap();
        assert_eq!(chrome_extension_id(&key).unwrap(), CHROME_EXTENSION_ID);
    }

    #[test]
    fn id_is_the_mapped_sha256_prefix() {
        // sha256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 …
        assert_eq!(
            chrome_extension_id_from_der(b""),
            "odlameecjipmbmbejkplpemijjgpljce"
        );
        assert!(chrome_extension_id("not base64!").is_err());
    }
}
