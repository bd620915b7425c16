//! The gate every control-API connection is read through: each request head, the first and
//! every one after it on a kept-alive connection, is read whole and checked
//! ([`request_head::check`]) before hyper sees a byte of it, and the request's body is passed on
//! as far as its `Content-Length` says, so the gate knows where the next head starts. A head
//! that is refused is never shown to hyper: the gate ends the connection's reading there, hyper
//! finishes the answers it owes (the connection reads with half-close allowed) and shuts the
//! connection down, and the gate writes the API's JSON error before it does. A chunked body (or
//! a change of protocol) is hyper's to delimit, and the rest of that connection is passed on
//! unchecked. A client that stops sending a body it announced, or stops reading an answer, for
//! longer than the gate's stall limit gets its connection closed (`stall`); waiting for a head
//! is hyper's header-read timeout. Knows nothing of the API's routes or of hyper.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::request_head::{self, Body, Check, HeadError};
use super::stall::Stall;

/// How many bytes the gate reads from the connection at once while it reads a head.
const READ_CHUNK: usize = 4096;

/// Where the gate is in the connection's bytes.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// At the start of a request head: nothing of it is passed on until it is whole and sound.
    Head,
    /// Inside a sound request: this many bytes of it (head and body) are still to pass on.
    Request(u64),
    /// Past a request the gate cannot delimit, or a connection that ended inside a head: every
    /// byte is passed on as it comes.
    Unchecked,
    /// A head was refused: hyper reads the end of the connection.
    Refused,
}

/// A connection read through the gate: reads as `inner`, but for refused heads; writes as
/// `inner`, with the refusal's answer written before the connection is shut down.
pub struct Gate<S> {
    inner: S,
    /// Bytes read from `inner` and not passed on yet.
    pending: Vec<u8>,
    place: Place,
    /// The largest head read, in bytes (431 past it).
    limit: usize,
    /// The answer to a refused head, and how much of it is written.
    answer: Vec<u8>,
    answered: usize,
    /// Times the waits for an announced body.
    body_stall: Stall,
    /// Times the waits for the client to take the answers.
    answer_stall: Stall,
}

impl<S> Gate<S> {
    /// `inner` read through the gate, with heads of at most `limit` bytes; a body or an answer
    /// whose bytes do not move for `stall` ends the connection.
    pub fn new(inner: S, limit: usize, stall: Duration) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            place: Place::Head,
            limit,
            answer: Vec::new(),
            answered: 0,
            body_stall: Stall::new(stall, "the request body"),
            answer_stall: Stall::new(stall, "the answer"),
        }
    }

    /// Refuses the head being read: its answer waits for the shutdown, and reading ends.
    fn refuse(&mut self, error: &HeadError) {
        self.answer = error.answer();
        self.pending.clear();
        self.place = Place::Refused;
    }

    /// Judges the head at the start of `pending`: `true` when the gate has moved on (a sound
    /// head to pass on, or a refusal), `false` when more bytes are needed.
    fn judge(&mut self) -> bool {
        match request_head::check(&self.pending) {
            Check::Complete { head, body } => {
                self.place = match body {
                    Body::Length(length) => Place::Request(head as u64 + length),
                    Body::Unframed => Place::Unchecked,
                };
                true
            }
            Check::Partial if self.pending.len() <= self.limit => false,
            Check::Partial => {
                self.refuse(&HeadError::TooLarge(self.limit));
                true
            }
            Check::Refused(error) => {
                self.refuse(&error);
                true
            }
        }
    }

    /// Passes on at most `most` bytes of `pending` into `buf`; returns how many.
    fn pass_pending(&mut self, buf: &mut ReadBuf<'_>, most: u64) -> usize {
        let count = self
            .pending
            .len()
            .min(buf.remaining())
            .min(usize::try_from(most).unwrap_or(usize::MAX));
        buf.put_slice(&self.pending[..count]);
        self.pending.drain(..count);
        count
    }
}

impl<S: AsyncRead + Unpin> Gate<S> {
    /// Reads into `pending` what the connection has: `false` when it has ended.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        let mut chunk = [0u8; READ_CHUNK];
        let mut read = ReadBuf::new(&mut chunk);
        ready!(Pin::new(&mut self.inner).poll_read(cx, &mut read))?;
        self.pending.extend_from_slice(read.filled());
        Poll::Ready(Ok(!read.filled().is_empty()))
    }

    /// Passes on at most `most` bytes into `buf`, from `pending` first, else from the
    /// connection; returns how many (0 when the connection has ended).
    fn poll_pass(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
        most: u64,
    ) -> Poll<io::Result<usize>> {
        if !self.pending.is_empty() {
            return Poll::Ready(Ok(self.pass_pending(buf, most)));
        }
        let most = usize::try_from(most)
            .unwrap_or(usize::MAX)
            .min(buf.remaining())
            .min(READ_CHUNK);
        let mut chunk = [0u8; READ_CHUNK];
        let mut read = ReadBuf::new(&mut chunk[..most]);
        ready!(Pin::new(&mut self.inner).poll_read(cx, &mut read))?;
        let count = read.filled().len();
        buf.put_slice(read.filled());
        Poll::Ready(Ok(count))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Gate<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let gate = self.get_mut();
        loop {
            match gate.place {
                Place::Refused => return Poll::Ready(Ok(())),
                Place::Request(0) => gate.place = Place::Head,
                Place::Request(left) => {
                    let passed = gate.poll_pass(cx, buf, left);
                    let count = ready!(gate.body_stall.watch(cx, passed))?;
                    gate.place = Place::Request(left - count as u64);
                    return Poll::Ready(Ok(()));
                }
                Place::Unchecked => {
                    ready!(gate.poll_pass(cx, buf, u64::MAX))?;
                    return Poll::Ready(Ok(()));
                }
                Place::Head => {
                    if !gate.pending.is_empty() && gate.judge() {
                        continue;
                    }
                    if !ready!(gate.poll_fill(cx))? {
                        // The connection ended: between requests, hyper reads its end; inside
                        // a head, hyper gets what came and says it is incomplete.
                        gate.place = Place::Unchecked;
                    }
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Gate<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let gate = self.get_mut();
        let written = Pin::new(&mut gate.inner).poll_write(cx, buf);
        gate.answer_stall.watch(cx, written)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let gate = self.get_mut();
        let flushed = Pin::new(&mut gate.inner).poll_flush(cx);
        gate.answer_stall.watch(cx, flushed)
    }

    /// Writes the answer to a refused head (after every answer hyper wrote), then shuts down.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let gate = self.get_mut();
        while gate.answered < gate.answer.len() {
            let written = Pin::new(&mut gate.inner).poll_write(cx, &gate.answer[gate.answered..]);
            let written = ready!(gate.answer_stall.watch(cx, written))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            gate.answered += written;
        }
        let flushed = Pin::new(&mut gate.inner).poll_flush(cx);
        ready!(gate.answer_stall.watch(cx, flushed))?;
        let shut = Pin::new(&mut gate.inner).poll_shutdown(cx);
        gate.answer_stall.watch(cx, shut)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    const STALL: Duration = Duration::from_secs(30);

    /// What hyper would read through the gate from a client that sent `sent` and closed its
    /// side, and what the gate then writes at shutdown.
    async fn through(sent: &[u8]) -> (Vec<u8>, String) {
        let (client, server) = tokio::io::duplex(1 << 20);
        let mut gate = Gate::new(server, 256, STALL);
        let (mut client_read, mut client_write) = tokio::io::split(client);
        client_write.write_all(sent).await.expect("send");
        client_write.shutdown().await.expect("close");
        let mut read = Vec::new();
        let mut byte = [0u8; 7];
        loop {
            let count = gate.read(&mut byte).await.expect("read");
            if count == 0 {
                break;
            }
            read.extend_from_slice(&byte[..count]);
        }
        gate.shutdown().await.expect("shutdown");
        drop(gate);
        let mut answer = String::new();
        client_read
            .read_to_string(&mut answer)
            .await
            .expect("answer");
        (read, answer)
    }

    #[tokio::test]
    async fn sound_requests_pass_whole_with_their_bodies() {
        let sent = b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n\r\n";
        let (read, answer) = through(sent).await;
        assert_eq!(read, sent);
        assert_eq!(answer, "", "nothing refused, nothing written");
    }

    #[tokio::test]
    async fn a_later_malformed_head_is_held_back_and_answered_as_json() {
        let first = b"POST /a HTTP/1.1\r\nContent-Length: 9\r\n\r\nbad head\n".to_vec();
        let mut sent = first.clone();
        sent.extend_from_slice(b"GET / HTTP/1.1\r\nbad header\r\n\r\n");
        let (read, answer) = through(&sent).await;
        assert_eq!(read, first, "a body that looks like a head is a body");
        assert!(
            answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{answer}"
        );
        assert!(answer.contains("cannot be read as HTTP/1.1"), "{answer}");
    }

    #[tokio::test]
    async fn a_head_past_the_limit_is_a_431() {
        let sent = format!("GET / HTTP/1.1\r\nx-padding: {}", "y".repeat(300));
        let (read, answer) = through(sent.as_bytes()).await;
        assert!(read.is_empty());
        assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    }

    #[tokio::test]
    async fn after_a_chunked_body_and_at_a_cut_head_bytes_pass_unchecked() {
        let sent =
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nnot http\r\n\r\n";
        let (read, answer) = through(sent).await;
        assert_eq!(read, sent);
        assert_eq!(answer, "");
        let (read, answer) = through(b"GET / HTTP/1.1\r\nHost:").await;
        assert_eq!(
            read, b"GET / HTTP/1.1\r\nHost:",
            "hyper says it is incomplete"
        );
        assert_eq!(answer, "");
    }

    /// The request of `through`'s kind whose body announces 10 bytes.
    const ANNOUNCED: &[u8] = b"POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n";

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_coming_ends_the_connection_after_the_stall_limit() {
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let mut gate = Gate::new(server, 256, STALL);
        client.write_all(ANNOUNCED).await.expect("head");
        client.write_all(b"abc").await.expect("part of the body");
        let mut read = Vec::new();
        let mut chunk = [0u8; 64];
        let reading = async {
            loop {
                match gate.read(&mut chunk).await {
                    Ok(count) => read.extend_from_slice(&chunk[..count]),
                    Err(error) => break error,
                }
            }
        };
        let error = tokio::time::timeout(STALL * 4, reading)
            .await
            .expect("closed after the stall limit, not left open");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut, "{error}");
        assert!(error.to_string().contains("request body"), "{error}");
        assert_eq!(read.len(), ANNOUNCED.len() + 3, "what came was passed on");
        drop(client);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_body_that_keeps_coming_is_read_whole() {
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let mut gate = Gate::new(server, 256, STALL);
        let sender = tokio::spawn(async move {
            client.write_all(ANNOUNCED).await.expect("head");
            for byte in b"0123456789" {
                tokio::time::sleep(STALL / 2).await;
                client.write_all(&[*byte]).await.expect("a byte");
            }
            client
        });
        let mut read = Vec::new();
        let mut chunk = [0u8; 64];
        while read.len() < ANNOUNCED.len() + 10 {
            let count = gate.read(&mut chunk).await.expect("no stall");
            read.extend_from_slice(&chunk[..count]);
        }
        assert!(read.ends_with(b"0123456789"));
        drop(sender.await.expect("sender"));
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_for_the_next_head_is_left_to_hyper() {
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let mut gate = Gate::new(server, 256, STALL);
        client
            .write_all(b"GET / HTTP/1.1\r\n\r\n")
            .await
            .expect("request");
        let mut chunk = [0u8; 64];
        let count = gate.read(&mut chunk).await.expect("the request");
        assert_eq!(count, 18);
        let idle = tokio::time::timeout(STALL * 4, gate.read(&mut chunk)).await;
        assert!(
            idle.is_err(),
            "an idle keep-alive connection is hyper's to time out"
        );
        drop(client);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_nobody_reads_ends_the_connection_after_the_stall_limit() {
        let (client, server) = tokio::io::duplex(64);
        let mut gate = Gate::new(server, 256, STALL);
        let error = tokio::time::timeout(STALL * 4, gate.write_all(&[b'x'; 4096]))
            .await
            .expect("closed after the stall limit, not left open")
            .expect_err("the client reads nothing");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut, "{error}");
        assert!(error.to_string().contains("the answer"), "{error}");
        drop(client);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_read_slowly_is_written_whole() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut gate = Gate::new(server, 256, STALL);
        let reader = tokio::spawn(async move {
            let mut taken = 0;
            let mut chunk = [0u8; 64];
            while taken < 1024 {
                tokio::time::sleep(STALL / 2).await;
                taken += client.read(&mut chunk).await.expect("read");
            }
            taken
        });
        gate.write_all(&[b'x'; 1024]).await.expect("written");
        gate.flush().await.expect("flushed");
        assert_eq!(reader.await.expect("reader"), 1024);
    }
}
