//! One port, two protocols: each new connection's first byte tells a TLS ClientHello (0x16)
//! from plain HTTP. kubectl needs TLS to send its token; plain HTTP is handy for curl and for
//! programs that build a client by hand.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A client must finish its TLS handshake (or send its first byte) within this time.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// An accepted connection, plain or TLS.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The listener axum serves from. Accepting and handshakes run in their own tasks, so a slow
/// or silent client never holds up the others.
pub struct SniffListener {
    rx: mpsc::Receiver<(Conn, SocketAddr)>,
    local: SocketAddr,
    acceptor: JoinHandle<()>,
}

impl Drop for SniffListener {
    fn drop(&mut self) {
        // Closes the socket: no new connections once the server has stopped.
        self.acceptor.abort();
    }
}

async fn classify(stream: TcpStream, tls: TlsAcceptor) -> io::Result<Conn> {
    let mut first = [0u8; 1];
    let n = stream.peek(&mut first).await?;
    if n == 1 && first[0] == 0x16 {
        Ok(Conn::Tls(Box::new(tls.accept(stream).await?)))
    } else {
        Ok(Conn::Plain(stream))
    }
}

impl SniffListener {
    /// Starts accepting on `listener`, serving TLS with `config` to clients that speak it.
    pub fn new(
        listener: TcpListener,
        config: Arc<rustls::ServerConfig>,
    ) -> io::Result<SniffListener> {
        let local = listener.local_addr()?;
        let (tx, rx) = mpsc::channel(64);
        let tls = TlsAcceptor::from(config);
        let acceptor = tokio::spawn(async move {
            loop {
                let (stream, addr) = match listener.accept().await {
                    Ok(x) => x,
                    Err(_) => {
                        // Out of file descriptors and the like: back off, then retry.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let tx = tx.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    if let Ok(Ok(conn)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, classify(stream, tls)).await
                    {
                        let _ = tx.send((conn, addr)).await;
                    }
                });
            }
        });
        Ok(SniffListener {
            rx,
            local,
            acceptor,
        })
    }
}

impl axum::serve::Listener for SniffListener {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Conn, SocketAddr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The acceptor task is gone (only when this listener is being dropped).
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}
