//! The test services themselves: under scripts/test these fail when a service is missing, so a
//! broken install shows up here once instead of as confusing failures in every feature test.

use std::io::{Read, Write};

use crate::support::{Registry, docker_host, moto_url};

/// Sends one HTTP/1.0 request and returns the status code and the whole response.
fn http(stream: &mut impl ReadWrite, request: &str) -> (u16, String) {
    stream.write_all(request.as_bytes()).expect("send request");
    let mut out = String::new();
    stream.read_to_string(&mut out).expect("read response");
    let code = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, out)
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

#[test]
fn registry_requires_basic_auth_and_logs_every_request() {
    let Some(reg) = Registry::start("registry_requires_basic_auth", &[("dev", "s3cret")]) else {
        return;
    };
    let get = |auth: Option<&str>| {
        let mut s = std::net::TcpStream::connect(reg.addr()).expect("connect registry");
        let auth = auth
            .map(|a| {
                format!(
                    "Authorization: Basic {}\r\n",
                    devk::encoding::base64_encode(a.as_bytes())
                )
            })
            .unwrap_or_default();
        http(&mut s, &format!("GET /v2/ HTTP/1.0\r\n{auth}\r\n")).0
    };
    assert_eq!(get(None), 401, "anonymous access must be refused");
    assert_eq!(
        get(Some("dev:wrong")),
        401,
        "a wrong password must be refused"
    );
    assert_eq!(
        get(Some("dev:s3cret")),
        200,
        "the htpasswd user must be let in"
    );
    let log = reg.log();
    assert_eq!(
        log.matches("\"GET /v2/ HTTP/1.0\"").count(),
        3,
        "each request is in the registry log:\n{log}"
    );
}

#[test]
fn docker_engine_answers_on_its_socket() {
    let Some(host) = docker_host("docker_engine_answers") else {
        return;
    };
    let path = host.strip_prefix("unix://").expect("a unix:// DOCKER_HOST");
    let mut s = std::os::unix::net::UnixStream::connect(path).expect("connect dockerd");
    let (code, body) = http(&mut s, "GET /_ping HTTP/1.0\r\n\r\n");
    assert_eq!(code, 200, "{body}");
    assert!(body.ends_with("OK"), "{body}");
}

#[test]
fn moto_serves_the_ecr_api() {
    let Some(url) = moto_url("moto_serves_the_ecr_api") else {
        return;
    };
    let addr = url.strip_prefix("http://").expect("an http:// moto URL");
    let mut s = std::net::TcpStream::connect(addr).expect("connect moto");
    let body = "{}";
    let (code, out) = http(
        &mut s,
        &format!(
            "POST / HTTP/1.0\r\nHost: {addr}\r\n\
             X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.DescribeRepositories\r\n\
             Content-Type: application/x-amz-json-1.1\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=00\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(code, 200, "{out}");
    assert!(out.contains("repositories"), "{out}");
}
