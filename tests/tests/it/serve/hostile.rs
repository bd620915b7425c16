//! The control API under clients that misbehave: a crowd of idle sockets, oversized requests,
//! run ids that only look like numbers.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{serve_config, serving_slow_dingtalk, Served, CLI_ENV};
use crate::common::{eventually, fake_dingtalk, org, Scratch};
use syncer_dingtalk_sim::Faults;

/// The `host:port` a served URL listens on.
fn address(served: &Served) -> String {
    served.url.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn a_crowd_of_idle_sockets_does_not_keep_healthz_down() {
    let dingtalk = fake_dingtalk(org(5), Faults::default()).await;
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(&dingtalk.url(), ""));
    // 256 open files, as the tester's `ulimit -n 256`; 300 sockets that never send a request,
    // and a few that send half a request head, are more than the process can hold.
    let served = Served::start_with_open_files(&scratch, 256).await;
    let target = address(&served);
    let mut idle = Vec::new();
    for i in 0..300 {
        let Ok(mut socket) = TcpStream::connect(&target).await else {
            continue;
        };
        if i % 10 == 0 {
            let _ = socket
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .await;
        }
        idle.push(socket);
    }
    let health = eventually(
        "healthz answers while the idle sockets are open",
        || async {
            let response = reqwest::Client::new()
                .get(format!("{}/healthz", served.url))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .ok()?;
            (response.status().as_u16() == 200).then_some(())
        },
    )
    .await;
    assert_eq!(health, ());
    // The server closed the sockets that held a slot without sending a request (the header
    // read timeout), or never gave them one: none is left waiting for ever.
    let mut closed = 0;
    for socket in &mut idle {
        let mut byte = [0u8; 1];
        match tokio::time::timeout(Duration::from_secs(20), socket.read(&mut byte)).await {
            Ok(Ok(0)) | Ok(Err(_)) => closed += 1,
            _ => {}
        }
    }
    assert_eq!(
        closed,
        idle.len(),
        "every idle socket is closed by the server"
    );
    drop(idle);
    served.terminate().await;
}

#[tokio::test]
async fn oversized_requests_get_the_apis_json_error() {
    let (_dingtalk, _scratch, served) = serving_slow_dingtalk(0).await;
    let long_path = format!("/api/v1/syncers/{}/runs", "a".repeat(10_000));
    let (status, headers, body) = served.send(reqwest::Method::GET, &long_path, None).await;
    assert_eq!(status, 414, "{body}");
    assert!(headers[reqwest::header::CONTENT_TYPE]
        .to_str()
        .expect("type")
        .starts_with("application/json"));
    assert!(
        body["error"].as_str().expect("error").contains("8192"),
        "{body}"
    );

    let big = "x".repeat(40_000);
    let response = reqwest::Client::new()
        .get(format!("{}/healthz", served.url))
        .header("x-padding", big)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 431);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert!(
        body["error"].as_str().expect("error").contains("headers"),
        "{body}"
    );
    served.terminate().await;
}

#[tokio::test]
async fn a_run_id_is_plain_digits() {
    let (_dingtalk, _scratch, served) = serving_slow_dingtalk(0).await;
    let (status, started) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202, "{started}");
    let id = started["run_id"].as_i64().expect("id");
    served.wait_for_run(id).await;
    let (status, _) = served.get(&format!("/api/v1/runs/{id}")).await;
    assert_eq!(status, 200);
    for fake in [
        format!("+{id}"),
        format!("%20{id}"),
        format!("-{id}"),
        format!("{id}x"),
    ] {
        let (status, body) = served.get(&format!("/api/v1/runs/{fake}")).await;
        assert_eq!(status, 400, "{fake}: {body}");
        assert!(body["error"]
            .as_str()
            .expect("error")
            .contains("not a run id"));
    }
    served.terminate().await;
}

#[tokio::test]
async fn the_409_names_the_syncer_not_a_file_on_the_server() {
    let (_dingtalk, scratch, served) = serving_slow_dingtalk(300).await;
    let (status, _) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 202);
    let (status, body) = served.post("/api/v1/syncers/acme-dt/sync").await;
    assert_eq!(status, 409, "{body}");
    let error = body["error"].as_str().expect("error");
    assert!(
        error.contains("acme-dt") && error.contains("in progress"),
        "{error}"
    );
    let dir = scratch.dir.path().to_string_lossy().into_owned();
    assert!(!error.contains(&dir) && !error.contains(".lock"), "{error}");
    served.terminate().await;
}

/// Sends `bytes` on a new connection and reads the answer until the server closes it (or a
/// few seconds pass): the status and the body.
async fn raw_exchange(served: &Served, bytes: &[u8]) -> (u16, String) {
    let mut socket = TcpStream::connect(address(served)).await.expect("connect");
    socket.write_all(bytes).await.expect("send");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer));
    let _ = read.await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn a_request_that_cannot_be_parsed_gets_the_apis_json_400() {
    let (_dingtalk, _scratch, served) = serving_slow_dingtalk(0).await;
    for (broken, words) in [
        (&b"GET / HTTP/1.1\r\nbad header\r\n\r\n"[..], "cannot be read as HTTP/1.1"),
        (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", "cannot be read as HTTP/1.1"),
        (b"GET /healthz HTTP/7.0\r\n\r\n", "cannot be read as HTTP/1.1"),
        (
            b"POST /api/v1/syncers/acme-dt/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 9\r\n\r\n",
            "Content-Length",
        ),
    ] {
        let (status, body) = raw_exchange(&served, broken).await;
        assert_eq!(status, 400, "{broken:?}: {body}");
        let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
        let error = body["error"].as_str().expect("error");
        assert!(error.contains(words), "{error}");
    }
    // A head that never ends within the bytes the API reads: 431, as JSON too.
    let endless = format!("GET /healthz HTTP/1.1\r\nx-padding: {}", "y".repeat(70_000));
    let (status, body) = raw_exchange(&served, endless.as_bytes()).await;
    assert_eq!(status, 431, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
    assert!(
        body["error"].as_str().expect("error").contains("65536"),
        "{body}"
    );
    // A sound connection is served as before, its requests kept alive and pipelined.
    let two = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let mut socket = TcpStream::connect(address(&served)).await.expect("connect");
    socket.write_all(two).await.expect("send");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), socket.read_to_string(&mut answer))
        .await
        .expect("both answered")
        .expect("read");
    assert_eq!(answer.matches("HTTP/1.1 200 OK").count(), 2, "{answer}");
    served.terminate().await;
}

/// Reads one answer from `socket`: its head and its body (as long as its `content-length`).
async fn read_answer(socket: &mut TcpStream) -> (String, String) {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut byte)).await;
        let count = read.expect("an answer in time").expect("read");
        assert_eq!(
            count, 1,
            "the connection ended inside an answer's head: {bytes:?}"
        );
        bytes.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&bytes).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .and_then(|value| value.trim().parse().ok())
        .expect("a content-length");
    let mut body = vec![0u8; length];
    socket.read_exact(&mut body).await.expect("the body");
    (head, String::from_utf8_lossy(&body).into_owned())
}

/// Checks that `(head, body)` is the API's JSON 400 for a head that cannot be parsed.
fn assert_json_400(head: &str, body: &str) {
    assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let body: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
    let error = body["error"].as_str().expect("error");
    assert!(error.contains("cannot be read as HTTP/1.1"), "{error}");
}

#[tokio::test]
async fn a_malformed_request_after_a_sound_one_on_a_kept_alive_connection_gets_the_json_400() {
    let (_dingtalk, _scratch, served) = serving_slow_dingtalk(0).await;
    let sound = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    let malformed = b"GET /healthz HTTP/1.1\r\nbad header\r\n\r\n";

    // One after the other: the first answered and the connection kept, then the second.
    let mut socket = TcpStream::connect(address(&served)).await.expect("connect");
    socket.write_all(sound).await.expect("send");
    let (head, _) = read_answer(&mut socket).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("connection: close"),
        "kept alive: {head}"
    );
    socket.write_all(malformed).await.expect("send the second");
    let (head, body) = read_answer(&mut socket).await;
    assert_json_400(&head, &body);
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut rest)).await;
    assert!(
        matches!(closed, Ok(Ok(_))),
        "the server closes the connection: {closed:?}"
    );
    assert!(rest.is_empty(), "nothing after the refusal: {rest:?}");

    // Pipelined in one write: the sound one answered first, then the refusal.
    let mut socket = TcpStream::connect(address(&served)).await.expect("connect");
    socket
        .write_all(&[&sound[..], &malformed[..]].concat())
        .await
        .expect("send both");
    let (head, _) = read_answer(&mut socket).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let (head, body) = read_answer(&mut socket).await;
    assert_json_400(&head, &body);
    served.terminate().await;
}

#[tokio::test]
async fn an_endpoints_proxy_password_never_shows_in_test_or_the_api() {
    // A port nobody listens on: Test Connection fails, naming the endpoint.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let endpoint = format!("http://proxyuser:PROXY-PASS-4tz@127.0.0.1:{port}");
    let scratch = Scratch::new();
    scratch.write_config(&serve_config(&endpoint, "max_retries = 0"));
    let tested = scratch.run(&["test", "acme-dt", "--json"], &CLI_ENV).await;
    assert_eq!(tested.code, 1, "{}", tested.all());
    assert!(tested.all().contains("127.0.0.1"), "{}", tested.all());
    assert!(!tested.all().contains("PROXY-PASS-4tz"), "{}", tested.all());

    let served = Served::start(&scratch, &[]).await;
    let (status, syncers) = served.get("/api/v1/syncers").await;
    assert_eq!(status, 200);
    assert_eq!(
        syncers[0]["config"]["endpoint"],
        format!("http://proxyuser:***@127.0.0.1:{port}")
    );
    let (_, test) = served.post("/api/v1/syncers/acme-dt/test").await;
    assert_eq!(test["ok"], false, "{test}");
    for answer in [&syncers, &test] {
        assert!(!answer.to_string().contains("PROXY-PASS-4tz"), "{answer}");
    }
    served.terminate().await;
}
