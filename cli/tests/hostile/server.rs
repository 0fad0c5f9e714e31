//! A small hostile vendor on loopback, written against raw TCP so that it can lie: one
//! handler decides, per request, what goes back on the wire (a redirect, an echo of the
//! secrets it received, a body cut off or endless or dripping, huge headers, silence). A
//! second listener is "another origin": it records every byte that reaches it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The whole head, as text (request line and headers).
    pub head: String,
    pub body: Vec<u8>,
}

impl Seen {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
}

/// What goes back.
pub enum Reply {
    /// A well-formed answer, then the connection closes.
    Json(u16, Vec<(String, String)>, String),
    /// These exact bytes, then the connection closes.
    Raw(Vec<u8>),
    /// A chunked 200 whose chunks never end.
    Endless,
    /// A 200 whose declared body comes one byte at a time, `every` apart.
    Drip(Duration),
    /// Nothing, until the client gives up.
    Silence,
}

/// Decides the reply to the `n`th request (0-based) the vendor received.
pub type Handler = Arc<dyn Fn(&Seen, usize, &Origins) -> Reply + Send + Sync>;

/// The two origins' addresses, for handlers that redirect.
#[derive(Debug, Clone, Copy)]
pub struct Origins {
    pub vendor: SocketAddr,
    pub other: SocketAddr,
}

/// A running hostile vendor.
pub struct Hostile {
    pub origins: Origins,
    vendor_seen: Arc<Mutex<Vec<Seen>>>,
    other_seen: Arc<Mutex<Vec<Vec<u8>>>>,
    runtime: tokio::runtime::Runtime,
}

impl Hostile {
    pub fn start(handler: Handler) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (vendor, other) = runtime.block_on(async {
            (
                TcpListener::bind("127.0.0.1:0").await.unwrap(),
                TcpListener::bind("127.0.0.1:0").await.unwrap(),
            )
        });
        let origins = Origins {
            vendor: vendor.local_addr().unwrap(),
            other: other.local_addr().unwrap(),
        };
        let vendor_seen = Arc::new(Mutex::new(Vec::new()));
        let other_seen = Arc::new(Mutex::new(Vec::new()));
        let seen = vendor_seen.clone();
        runtime.spawn(async move {
            while let Ok((stream, _)) = vendor.accept().await {
                let (seen, handler) = (seen.clone(), handler.clone());
                tokio::spawn(serve(stream, seen, handler, origins));
            }
        });
        let recorded = other_seen.clone();
        runtime.spawn(async move {
            while let Ok((mut stream, _)) = other.accept().await {
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let mut bytes = vec![0; 1 << 16];
                    let n = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut bytes))
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .unwrap_or(0);
                    recorded.lock().unwrap().push(bytes[..n].to_vec());
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                        .await;
                });
            }
        });
        Self {
            origins,
            vendor_seen,
            other_seen,
            runtime,
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.origins.vendor)
    }

    /// What the vendor received.
    pub fn seen(&self) -> Vec<Seen> {
        self.vendor_seen.lock().unwrap().clone()
    }

    /// Every byte that reached the other origin.
    pub fn other_origin_bytes(&self) -> Vec<u8> {
        self.other_seen.lock().unwrap().concat()
    }

    /// Runs a future on the server's runtime (for library-level tests).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

async fn serve(
    mut stream: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    handler: Handler,
    origins: Origins,
) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let n = {
        let mut seen = seen.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    match handler(&request, n, &origins) {
        Reply::Json(status, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} Status\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
        }
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
        }
        Reply::Endless => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "[".repeat(64 * 1024));
            while stream.write_all(chunk.as_bytes()).await.is_ok() {}
        }
        Reply::Drip(every) => {
            let head =
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..1000 {
                tokio::time::sleep(every).await;
                if stream.write_all(b" ").await.is_err() {
                    return;
                }
            }
        }
        Reply::Silence => {
            let mut sink = [0; 1024];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
        }
    }
    let _ = stream.shutdown().await;
}

/// Reads one request (head and a Content-Length body, at most 1 MiB of it).
async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buffer = Vec::new();
    let mut chunk = [0; 8192];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buffer.len() > 1 << 20 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut body = buffer[head_end + 4..].to_vec();
    let length = head
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0)
        .min(1 << 20);
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut words = head.split_whitespace();
    Some(Seen {
        method: words.next().unwrap_or_default().to_owned(),
        path: words.next().unwrap_or_default().to_owned(),
        head,
        body,
    })
}
