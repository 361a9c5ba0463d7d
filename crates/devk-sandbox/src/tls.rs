//! TLS for the sandbox. client-go (kubectl) only sends credentials to `https` servers, so the
//! sandbox serves TLS with a certificate made at start-up: a fresh ECDSA P-256 key and a
//! self-signed certificate for 127.0.0.1, ::1 and localhost, encoded here in DER by hand (a
//! handful of fields; no certificate crate needed). The kubeconfig trusts exactly this
//! certificate through `certificate-authority-data`. The key never leaves the process.

use std::sync::Arc;

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::util::{Nanos, SECOND, base64_encode};

/// The server side of the sandbox's TLS, and the certificate clients must trust.
pub struct Tls {
    /// For the listener.
    pub server_config: Arc<rustls::ServerConfig>,
    /// The certificate, PEM-encoded (for `certificate-authority-data`).
    pub cert_pem: String,
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

const OID_ECDSA_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_COMMON_NAME: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x03];
const OID_SAN: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x11];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x13];
const OID_EXT_KEY_USAGE: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x25];
const OID_SERVER_AUTH: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];

/// UTCTime (years before 2050) or GeneralizedTime, as RFC 5280 requires.
fn time(t: Nanos) -> Vec<u8> {
    let ts = jiff::Timestamp::from_nanosecond(t).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let year = ts.to_zoned(jiff::tz::TimeZone::UTC).year();
    if year < 2050 {
        der(0x17, ts.strftime("%y%m%d%H%M%SZ").to_string().as_bytes())
    } else {
        der(0x18, ts.strftime("%Y%m%d%H%M%SZ").to_string().as_bytes())
    }
}

fn name() -> Vec<u8> {
    let cn = seq(&[OID_COMMON_NAME.to_vec(), der(0x0c, b"devk sandbox")]);
    seq(&[der(0x31, &cn)])
}

/// A PEM block of `der` with the given label.
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Makes a key and a certificate valid from an hour ago for a year, and the rustls config
/// that serves them (HTTP/1.1 only, which is all the server speaks).
pub fn generate(now: Nanos) -> Result<Tls, String> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|_| "cannot generate a key for the sandbox's TLS certificate".to_string())?;
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|_| "cannot load the sandbox's TLS key".to_string())?;
    let mut serial = [0u8; 16];
    rng.fill(&mut serial)
        .map_err(|_| "cannot draw a certificate serial number".to_string())?;
    serial[0] &= 0x7f; // positive
    serial[0] |= 0x01; // and minimally encoded (no leading zero byte)

    let alg = seq(&[OID_ECDSA_SHA256.to_vec()]);
    let spki = seq(&[
        seq(&[OID_EC_PUBLIC_KEY.to_vec(), OID_P256.to_vec()]),
        der(0x03, &[&[0u8][..], key.public_key().as_ref()].concat()),
    ]);
    let mut ipv6_loopback = [0u8; 16];
    ipv6_loopback[15] = 1;
    let san = seq(&[
        der(0x87, &[127, 0, 0, 1]),
        der(0x87, &ipv6_loopback),
        der(0x82, b"localhost"),
    ]);
    let extensions = seq(&[
        seq(&[OID_SAN.to_vec(), der(0x04, &san)]),
        seq(&[
            OID_BASIC_CONSTRAINTS.to_vec(),
            der(0x01, &[0xff]),
            der(0x04, &seq(&[])),
        ]),
        seq(&[
            OID_EXT_KEY_USAGE.to_vec(),
            der(0x04, &seq(&[OID_SERVER_AUTH.to_vec()])),
        ]),
    ]);
    let tbs = seq(&[
        der(0xa0, &der(0x02, &[2])),
        der(0x02, &serial),
        alg.clone(),
        name(),
        seq(&[time(now - 3600 * SECOND), time(now + 365 * 86400 * SECOND)]),
        name(),
        spki,
        der(0xa3, &extensions),
    ]);
    let sig = key
        .sign(&rng, &tbs)
        .map_err(|_| "cannot sign the sandbox's TLS certificate".to_string())?;
    let cert = seq(&[tbs, alg, der(0x03, &[&[0u8][..], sig.as_ref()].concat())]);

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot configure TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8.as_ref().to_vec())),
        )
        .map_err(|e| format!("cannot use the sandbox's TLS certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        server_config: Arc::new(config),
        cert_pem: pem("CERTIFICATE", &cert),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_use_long_form_above_127() {
        assert_eq!(der(0x04, &[0; 3]), vec![0x04, 3, 0, 0, 0]);
        let long = der(0x04, &[0; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn generated_certificate_is_accepted_by_rustls() {
        let tls = generate(super::super::util::now());
        assert!(tls.is_ok(), "{:?}", tls.err());
        let pem = tls.map(|t| t.cert_pem).unwrap_or_default();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    }
}
