//! Base64 as Kubernetes and Docker write it: standard alphabet, padded on output, padding
//! optional on input (Docker config `auth` values and hand-made Secrets often omit it).

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Standard base64 with padding (what Secret `data` values use).
pub fn base64_encode(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Decodes standard base64 (padding optional). `None` for anything else.
pub fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    LENIENT.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_rejects_garbage() {
        for text in ["", "a", "ab", "abc", "user:pass", "{\"auths\":{}}"] {
            let enc = base64_encode(text.as_bytes());
            assert_eq!(base64_decode(enc.as_bytes()).unwrap(), text.as_bytes());
            let unpadded = enc.trim_end_matches('=');
            assert_eq!(base64_decode(unpadded.as_bytes()).unwrap(), text.as_bytes());
        }
        assert!(base64_decode(b"not base64!").is_none());
        assert!(
            base64_decode(b"QQ===").is_none(),
            "at most two padding characters"
        );
        assert!(
            base64_decode(b"QUJDR").is_none(),
            "one leftover digit encodes no byte"
        );
    }
}
